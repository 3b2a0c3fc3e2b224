"""axe-core on the open-book and incentive pages, in Chromium (WCAG 2.2 AA and best practice).

The harness is partnering/browser_testing.py (Debian's Chromium, the live server,
axe-core from node_modules); skipped when Chromium or axe-core is not installed.
"""

from __future__ import annotations

import pytest

from partnering.browser_testing import assert_accessible, needs_browser, sign_in

pytestmark = [pytest.mark.browser, needs_browser]


def test_the_finance_pages_are_accessible(transactional_db, live_server, page):
    from datetime import date
    from decimal import Decimal

    from partnering.finance import services
    from partnering.finance.tests.conftest import TERMS, make_line
    from partnering.testing import build_world

    world = build_world()
    line = make_line(world.access(world.bob), margin_pct=Decimal("8.00"))
    make_line(world.access(world.alice), description="Assurance")
    proposal = services.incentive_propose(access=world.access(world.alice), terms=TERMS)
    mechanism = services.incentive_agree(access=world.access(world.bob), proposal=proposal).mechanism
    services.incentive_period_set(
        access=world.access(world.bob), mechanism=mechanism, period=date(2026, 4, 1), outcome=Decimal("9000.00")
    )
    base = f"/arrangements/{world.arrangement.slug}/finance/"
    sign_in(page, world.bob)

    for path in (
        "",
        "?by=quarter",
        "lines/",
        "lines/new/",
        f"lines/{line.uuid}/",
        "lines/import/",
        "measures/",
        "settings/",
        "incentives/",
        f"incentives/{mechanism.uuid}/",
    ):
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        assert_accessible(page)

    page.goto(base + "lines/new/")
    page.get_by_role("button", name="Add line").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
