"""Stored XSS: a script payload in every free-text field never runs, with the real CSP enforced.

The payload is written with the services into every field a member can fill
(see seed.py), then every page that shows those fields is visited in Chromium
without bypassing the Content-Security-Policy. Two layers are checked apart:

- escaping: the payload is on the page as text, and no <script> or <img>
  element was made from it;
- the policy: the CSP header is on every page and its script-src allows no
  inline script, so a slip in escaping still would not run.

Accessibility of these pages is the e2e tests' job; this test drives its own
page (no axe run per page), to stay quick.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page

from .seed import seed

pytestmark = pytest.mark.browser

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;"


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that records every dialog (alert, confirm, prompt) instead of answering it."""
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]

    def _dialog(dialog) -> None:  # noqa: ANN001
        page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    page.on("dialog", _dialog)
    yield page


def _script_src(header: str) -> list[str]:
    for directive in header.split(";"):
        name, _, values = directive.strip().partition(" ")
        if name == "script-src":
            return values.split()
    # Without script-src, default-src governs scripts.
    for directive in header.split(";"):
        name, _, values = directive.strip().partition(" ")
        if name == "default-src":
            return values.split()
    return []


@pytest.mark.browser_context_args(bypass_csp=False)
def test_a_script_in_every_free_text_field_never_runs(transactional_db, live_server, page: Page, log_in, world) -> None:
    from partnering.charter.services import charter_edit, charter_sign

    records = seed(world, PAYLOAD)
    # A second charter version, for the comparison page: its diff is built as HTML (mark_safe).
    alice, bob = world.access(world.alice), world.access(world.bob)
    first = charter_sign(
        access=alice, version=records.charter_version, expected_version=records.charter_version.version
    )
    first = charter_sign(access=bob, version=first, expected_version=first.version)
    charter_edit(
        access=bob, expected_number=1, expected_version=first.version, values={"principles": f"Changed {PAYLOAD}"}
    )
    world.arrangement.refresh_from_db()
    base = f"/arrangements/{world.arrangement.slug}"
    pages = [
        "/arrangements/",  # title
        f"{base}/",  # title, description, outcomes
        f"{base}/members/",  # a member's full name
        f"{base}/history/",  # the audit trail quotes old and new values
        "/actions/",
        f"{base}/actions/",
        f"{base}/actions/{records.action.uuid}/",
        f"{base}/risks/",
        f"{base}/risks/{records.risk.uuid}/",  # description, rationale, comment
        f"{base}/concerns/",
        f"{base}/concerns/{records.concern.uuid}/",  # description, impact, statement, comment
        f"{base}/charter/",  # sections, extra section, comment
        f"{base}/charter/compare/?from=1&to=2",  # the word diff, built as HTML
        f"{base}/lessons/",
        f"/lessons/{records.lesson.uuid}/",
        "/lessons/",
        f"{base}/kpis/",
        f"{base}/kpis/{records.kpi.uuid}/",
        f"{base}/board/",
        f"{base}/board/decisions/",
        f"{base}/board/meetings/{records.meeting.uuid}/",  # agenda, minutes, decision
        f"{base}/assessments/",
        f"{base}/assessments/{records.assessment.uuid}/",
        f"{base}/assessments/{records.assessment.uuid}/answer/",  # comment and evidence
        f"{base}/people/peers/",
        f"{base}/exit/",  # strategy and handover item
        f"{base}/finance/",  # cost line description
    ]
    log_in(world.alice)

    problems = []
    for path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        csp = response.headers.get("content-security-policy", "")
        script_src = _script_src(csp)
        if not csp or not script_src:
            problems.append(f"{path}: no Content-Security-Policy script-src ({csp!r})")
        elif any(v in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:") for v in script_src):
            problems.append(f"{path}: script-src allows inline or foreign scripts: {script_src}")
        page.wait_for_load_state("load")
        if page.evaluate("() => typeof window.__xss") != "undefined":
            problems.append(f"{path}: the payload ran (window.__xss = {page.evaluate('() => window.__xss')})")
        injected = page.locator("script:text('__xss'), img[src='x']").count()
        if injected:
            problems.append(f"{path}: {injected} element(s) made from the payload (not escaped)")
        if ESCAPED not in page.content():
            problems.append(f"{path}: the payload is not shown, so this page proves nothing")
    assert not page.dialogs, f"dialogs opened: {page.dialogs}"  # type: ignore[attr-defined]
    assert not problems, "\n".join(problems)
