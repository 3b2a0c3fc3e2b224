"""axe-core on the joint project board's pages, in Chromium (WCAG 2.2 AA and best practice).

The harness is partnering/browser_testing.py (Debian's Chromium, the live server,
axe-core from node_modules); skipped when Chromium or axe-core is not installed.
"""

from __future__ import annotations

import pytest

from partnering.browser_testing import assert_accessible, needs_browser, sign_in

pytestmark = [pytest.mark.browser, needs_browser]


def test_the_board_pages_are_accessible(transactional_db, live_server, page):
    from django.utils import timezone

    from partnering.board import services
    from partnering.testing import build_world

    world = build_world()
    alice = world.access(world.alice)
    meeting = services.meeting_create(
        access=alice,
        title="Quarter 1",
        held_on=timezone.localdate(),
        attendees=[world.alice, world.bob],
        agenda="1. Risks",
    )
    decision = services.decision_add(access=alice, meeting=meeting, title="Go ahead", rationale="Ready.")
    services.meeting_action_add(access=alice, meeting=meeting, title="Tell the team", owner=world.bob)
    base = f"/arrangements/{world.arrangement.slug}/board/"
    sign_in(page, world.alice)

    for path in (
        "",
        "members/",
        "decisions/",
        f"decisions/{decision.uuid}/",
        "meetings/new/",
        f"meetings/{meeting.uuid}/",
    ):
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        assert_accessible(page)

    page.goto(base + "meetings/new/")
    page.get_by_role("button", name="Record meeting").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
