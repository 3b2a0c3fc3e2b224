"""axe-core on the risk register's pages, in Chromium (WCAG 2.2 AA and best practice).

The harness is partnering/browser_testing.py (Debian's Chromium, the live server,
axe-core from node_modules); skipped when Chromium or axe-core is not installed.
"""

from __future__ import annotations

import pytest

from partnering.browser_testing import assert_accessible, needs_browser, sign_in

pytestmark = [pytest.mark.browser, needs_browser]


def test_the_risk_pages_are_accessible(transactional_db, live_server, page):
    from partnering.arrangements.models import OpennessProfile
    from partnering.risks import services
    from partnering.risks.tests.factories import make_risk
    from partnering.testing import build_world

    world = build_world()
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(single_risk_register=False)
    access = world.access(world.bob)
    risk = make_risk(access, owner=world.bob, owning_side="provider", visibility="provider")
    services.risk_action_add(access=access, risk=risk, title="Second architect", owner=world.peter)
    services.risk_comment_add(access=access, risk=risk, text="Raised at the board.")
    make_risk(access, title="Overdue one", next_review_date="2020-01-01")
    base = f"/arrangements/{world.arrangement.slug}/risks/"
    sign_in(page, world.bob)

    for path in ("", "?rating=amber&sort=-score", "new/", f"{risk.uuid}/", "import/"):
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        assert_accessible(page)

    # Pages with errors: an empty risk, and an import with a bad row.
    page.goto(base + "new/")
    page.get_by_role("button", name="Add risk").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.goto(base + "import/")
    page.get_by_label("Upload a file").set_input_files(
        files=[
            {
                "name": "risks.csv",
                "mimeType": "text/csv",
                "buffer": b"Title,Category,Owning side,Likelihood,Impact\nBad,Weather,joint,9,1\n",
            }
        ]
    )
    page.get_by_role("button", name="Check and import").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
