"""A concern raised, escalated and resolved across both sides in Chromium, with axe-core on each page.

The harness is partnering/browser_testing.py: skipped when Chromium or axe-core is not
installed.
"""

from __future__ import annotations

import pytest

from partnering.browser_testing import assert_accessible, needs_browser, sign_in

pytestmark = [pytest.mark.browser, needs_browser]


def test_a_concern_is_raised_escalated_and_resolved_across_both_sides(transactional_db, live_server, page):
    from partnering.arrangements.models import OpennessProfile
    from partnering.testing import build_world

    world = build_world()
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(problems_visible=False)
    base = f"/arrangements/{world.arrangement.slug}/concerns/"

    # The provider raises it: private to the provider while problems are not visible.
    sign_in(page, world.bob)
    page.goto(base + "new/")
    assert_accessible(page)
    page.get_by_role("button", name="Raise concern").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.get_by_label("Title").fill("Change requests wait weeks")
    page.get_by_label("What the concern is").fill("Fourteen requests are waiting.")
    page.get_by_label("Impact if it is not resolved").fill("Release 2 slips.")
    page.get_by_label("How the other party sees the issue").fill("They get requests without priorities.")
    page.get_by_role("button", name="Raise concern").click()
    page.get_by_text("Only the provider side can see this concern").wait_for()
    assert_accessible(page)
    detail = page.url

    # Escalated to the SRO and SRIE: now shared.
    page.get_by_text("Escalate or bring down").click()
    page.get_by_label("SRO and SRIE").check()
    page.get_by_label("Reason").fill("No decision after two weeks.")
    page.get_by_role("button", name="Move the concern").click()
    page.get_by_text("escalated to SRO and SRIE").wait_for()
    assert_accessible(page)
    page.context.clear_cookies()

    # The customer adds its own statement and resolves it.
    sign_in(page, world.alice)
    page.goto(base)
    assert_accessible(page)
    page.goto(detail)
    page.get_by_label("Your side's statement").fill("We need a cost and a priority with each request.")
    page.get_by_role("button", name="Add your side's statement").click()
    page.get_by_text("Your side's statement is saved.").wait_for()
    page.get_by_label("Resolution summary").fill("A weekly triage now prices and ranks every request.")
    page.get_by_label("This may be published as a lesson").check()
    page.get_by_role("button", name="Resolve concern").click()
    page.get_by_text("No-blame summary").wait_for()
    assert_accessible(page)

    for path in ("people/peers/", "people/changes/"):
        page.goto(f"/arrangements/{world.arrangement.slug}/{path}")
        assert_accessible(page)
