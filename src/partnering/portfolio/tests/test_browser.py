"""axe-core on the portfolio and the early-warnings tab, in Chromium (WCAG 2.2 AA and best practice).

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


def test_the_portfolio_pages_are_accessible(transactional_db, live_server, page):
    from partnering.arrangements.demo import load_demo
    from partnering.portfolio.demo import demo_portfolio
    from partnering.testing import PASSWORD

    arrangement, _people = load_demo()
    demo_portfolio(arrangement)
    from partnering.accounts.models import User

    helen = User.objects.get(email="helen.carter@northshire.example")
    helen.set_password(PASSWORD)
    helen.save()
    _sign_in(page, helen)

    for path in ("/portfolio/", "/portfolio/?health=green", f"/arrangements/{arrangement.slug}/warnings/"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert_accessible(page)
