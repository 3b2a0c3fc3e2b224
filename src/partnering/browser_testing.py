"""The apps' browser-test harness: Debian's Chromium, the live server and axe-core, in one place.

The root conftest.py loads this module as a pytest plugin, so its two fixtures take the place of
Playwright's own. Each app's `tests/test_browser.py` imports `assert_accessible` and `sign_in`
and marks itself with `pytestmark = [pytest.mark.browser, needs_browser]`, so that a machine
without Chromium or axe-core skips those modules and says why. The end-to-end suite (tests/e2e) has a fuller harness of its own, which
also fails a test that leaves a page unchecked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.2 AA and axe's best practices: what the README promises of every page.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

needs_browser = pytest.mark.skipif(
    not (CHROMIUM.exists() and AXE.exists()), reason="Chromium or axe-core is not installed"
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium: Playwright's own browser download cannot work on these machines."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--headless", "--no-sandbox", "--disable-gpu"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: Any) -> dict[str, Any]:
    """Pages come from the live server; the CSP is bypassed so that axe-core can be injected."""
    return {**browser_context_args, "base_url": live_server.url, "bypass_csp": True, "locale": "en-GB"}


def assert_accessible(page: Any) -> None:
    """axe-core finds nothing on the page as it stands (its violations listed if it does)."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
             .violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html.slice(0, 160))}))""",
        TAGS,
    )
    assert not violations, f"{page.url}:\n" + json.dumps(violations, indent=1)


def sign_in(page: Any, user: Any) -> None:
    """Sign `user` in through the sign-in page, as a person would."""
    from partnering.testing import PASSWORD

    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/sign-in/" not in url)
