"""axe-core on the partnering charter's pages, in Chromium (WCAG 2.2 AA and best practice).

The harness mirrors tests/e2e/conftest.py (Debian's Chromium, the live
server, axe-core from node_modules); it lives here so the app's tests stay
in the app. Skipped when Chromium or axe-core is not installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[4] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

if not (CHROMIUM.exists() and AXE.exists()):
    pytest.skip("Chromium or axe-core is not installed", allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--headless", "--no-sandbox", "--disable-gpu"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url, "bypass_csp": True, "locale": "en-GB"}


def assert_accessible(page) -> None:
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
             .violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html.slice(0, 160))}))""",
        TAGS,
    )
    assert not violations, f"{page.url}:\n" + json.dumps(violations, indent=1)


def _sign_in(page, user) -> None:
    from partnering.testing import PASSWORD

    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/arrangements/**")


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
    _sign_in(page, world.alice)

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
