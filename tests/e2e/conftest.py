"""Browser test harness: Debian's Chromium, pytest-django's live server, axe on every page.

One browser for the whole session; each test gets its own context (cookies,
storage) and page. Contexts bypass the Content-Security-Policy so that axe-core
can be injected; a test marked `@pytest.mark.browser_context_args(bypass_csp=False)`
gets the policy enforced.

Every document a test's page loads must be checked with `assert_accessible`:
a page left unchecked fails the test at teardown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .axe import assert_accessible, watch

if TYPE_CHECKING:
    from partnering.accounts.models import User

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright waits 30 s by default: far longer than any page here needs, and a
# failure would then take half a minute to show.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server) -> dict:  # noqa: ANN001
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "bypass_csp": True,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(autouse=True)
def _browser_db(transactional_db, live_server) -> None:  # noqa: ANN001
    """The live server runs in another thread, so each test's data must be committed."""


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(15_000)
    return context


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    marker = request.node.get_closest_marker("browser_context_args")
    csp_enforced = bool(marker and marker.kwargs.get("bypass_csp") is False)
    page = context.new_page()
    tracker = watch(page, csp_enforced=csp_enforced)
    yield page
    unchecked = tracker.unchecked_pages()
    if unchecked and not _failed(request):
        pytest.fail(
            "These pages were shown but not checked with assert_accessible(page):\n  " + "\n  ".join(unchecked),
            pytrace=False,
        )


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "_e2e_call_report", None)
    return bool(report and report.failed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item._e2e_call_report = report  # type: ignore[attr-defined]
    return report


# --- Steps shared by the tests ---------------------------------------------------


@pytest.fixture
def sign_in(page: Page) -> Callable[..., None]:
    """Sign in through the sign-in page (checking it) and land on the home page: what waits for them."""

    def _sign_in(user: User, password: str | None = None) -> None:
        from partnering.testing import PASSWORD

        page.goto("/accounts/sign-in/")
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Sign in to "))
        assert_accessible(page)
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(password or PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1, name="What is waiting for you")).to_be_visible()
        expect(page.get_by_role("link", name=user.get_short_name())).to_be_visible()
        assert_accessible(page)

    return _sign_in


@pytest.fixture
def log_in(context: BrowserContext, live_server) -> Callable[[User], None]:  # noqa: ANN001
    """Start a session for `user` without the sign-in page (quicker, where signing in is not the point)."""
    from django.conf import settings
    from django.test import Client

    def _log_in(user: User) -> None:
        client = Client()
        client.force_login(user)
        context.clear_cookies()
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return _log_in


@pytest.fixture
def sign_out(page: Page) -> Callable[[], None]:
    """Sign out with the header's button and land on the sign-in page."""

    def _sign_out() -> None:
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Sign in to "))
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
        assert_accessible(page)

    return _sign_out
