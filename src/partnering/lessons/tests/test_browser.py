"""axe-core on the lessons and exit plan pages, in Chromium (WCAG 2.2 AA and best practice).

The harness is partnering/browser_testing.py (Debian's Chromium, the live server, axe-core
from node_modules); skipped when Chromium or axe-core is not installed.
"""

from __future__ import annotations

import pytest

from partnering.browser_testing import assert_accessible, needs_browser, sign_in

pytestmark = [pytest.mark.browser, needs_browser]


def test_the_lessons_and_exit_pages_are_accessible(transactional_db, live_server, page):
    from partnering.core.choices import Role, Side
    from partnering.exit import services as exit_services
    from partnering.lessons import services
    from partnering.lessons.tests.factories import make_lesson
    from partnering.testing import ArrangementFactory, add_member, build_world

    world = build_world()
    alice = world.access(world.alice)
    earlier = ArrangementFactory(title="Earlier", customer=world.customer)
    add_member(earlier, world.alice, Side.CUSTOMER, Role.SRO)
    make_lesson(world.access(world.alice, earlier), title="From before", stage=world.arrangement.stage)
    lesson = make_lesson(alice)
    services.lesson_publish(access=alice, lesson=lesson)
    make_lesson(alice, title="Private", visibility="customer")
    exit_services.exit_strategy_save(access=alice, expected_version=0, values={"triggers": "End of term"})
    item = exit_services.handover_item_add(access=alice, title="Runbooks", owner=world.bob)
    base = f"/arrangements/{world.arrangement.slug}/"
    sign_in(page, world.alice)

    for path in (
        base + "lessons/",
        base + "lessons/?q=migration&tag=data",
        base + "lessons/new/",
        f"{base}lessons/{lesson.uuid}/",
        "/lessons/?q=criteria",
        f"/lessons/{lesson.uuid}/",
        base + "exit/",
        f"{base}exit/handover/{item.uuid}/",
    ):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert_accessible(page)

    page.goto(base + "lessons/new/")
    page.get_by_role("button", name="Record lesson").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
