"""axe-core on the partnering charter's pages, in Chromium (WCAG 2.2 AA and best practice).

The harness is partnering/browser_testing.py (Debian's Chromium, the live server,
axe-core from node_modules); skipped when Chromium or axe-core is not installed.
"""

from __future__ import annotations

import pytest

from partnering.browser_testing import assert_accessible, needs_browser, sign_in

pytestmark = [pytest.mark.browser, needs_browser]


def test_the_charter_pages_are_accessible(transactional_db, live_server, page):
    from django.utils import timezone

    from partnering.charter import services
    from partnering.testing import build_world

    world = build_world()
    alice, bob = world.access(world.alice), world.access(world.bob)
    first = services.charter_edit(
        access=alice,
        expected_number=0,
        expected_version=0,
        values={
            "principles": "Escalate within five days.",
            "extra_sections": [{"heading": "Innovation", "text": "Ideas"}],
        },
    )
    first = services.charter_sign(access=alice, version=first, expected_version=first.version)
    first = services.charter_sign(access=bob, version=first, expected_version=first.version)
    second = services.charter_edit(
        access=bob,
        expected_number=1,
        expected_version=first.version,
        values={"principles": "Escalate within three days."},
    )
    services.charter_comment_add(access=alice, version=second, text="Agreed.")
    workshop = services.workshop_create(
        access=alice, title="Charter workshop", held_on=timezone.localdate(), attendees=[world.alice, world.bob]
    )
    base = f"/arrangements/{world.arrangement.slug}/charter/"
    sign_in(page, world.alice)

    for path in (
        "",
        "edit/",
        "compare/?from=1&to=2",
        f"versions/{second.uuid}/",
        "workshops/new/",
        f"workshops/{workshop.uuid}/",
    ):
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        assert_accessible(page)

    # A page with errors: an empty workshop.
    page.goto(base + "workshops/new/")
    page.get_by_role("button", name="Record workshop").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
