"""Browser checks of the archive app's pages: Gateway packs, export, reminder settings (axe-core on each)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _forget_the_actor() -> Iterator[None]:
    from partnering.core.audit import set_actor

    yield
    set_actor(None)


def test_the_sro_generates_a_gateway_pack_and_finds_the_export(page: Page, world, log_in) -> None:
    log_in(world.alice)
    page.goto(f"/arrangements/{world.arrangement.slug}/gateway/")
    expect(
        page.get_by_role("navigation", name="Records").get_by_role("link", name="Gateway packs", exact=True)
    ).to_have_attribute("aria-current", "page")
    assert_accessible(page)

    page.get_by_role("button", name="Generate a new version of the gate 1 pack").click()
    expect(page.get_by_role("link", name="Version 1 of the gate 1 pack (PDF)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Export the whole arrangement").click()
    expect(page.get_by_role("heading", level=2, name="Export everything")).to_be_visible()
    assert_accessible(page)


def test_a_person_switches_reminders_off(page: Page, world, log_in) -> None:
    log_in(world.bob)
    page.goto("/accounts/settings/reminders/")
    assert_accessible(page)

    page.get_by_label("No, do not send me reminders").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("You will not get reminder e-mails.")).to_be_visible()
    expect(page.get_by_label("No, do not send me reminders")).to_be_checked()
    assert_accessible(page)
