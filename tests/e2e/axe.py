"""axe-core checks for browser tests: every page a test shows is checked.

`assert_accessible(page)` runs axe-core against WCAG 2.0, 2.1 and 2.2 A and AA
plus axe's best practices, and fails with one readable line per violation and
per failing element. `PageWatch` records every document the page loads, so a
test that forgets to check one fails at teardown (see conftest.py).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from weakref import WeakKeyDictionary

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary, html: n.html})),
  }));
}"""


class AccessibilityError(AssertionError):
    pass


@dataclass
class PageWatch:
    """Documents loaded in one page, and which of them axe has checked."""

    # With the Content-Security-Policy enforced (no bypass_csp), an injected
    # <script> tag is refused and logged as a violation: evaluate axe instead.
    csp_enforced: bool = False
    unchecked: str | None = None
    missed: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def loaded(self, url: str) -> None:
        if self.unchecked is not None:
            self.missed.append(self.unchecked)
        self.unchecked = url

    def mark_checked(self, url: str) -> None:
        self.checked.append(url)
        self.unchecked = None

    def unchecked_pages(self) -> list[str]:
        return self.missed + ([self.unchecked] if self.unchecked else [])


_watches: WeakKeyDictionary[Page, PageWatch] = WeakKeyDictionary()


def watch(page: Page, *, csp_enforced: bool = False) -> PageWatch:
    """Record every document `page` loads, to find pages no test checked."""
    tracker = PageWatch(csp_enforced=csp_enforced)
    _watches[page] = tracker
    page.on("load", lambda p: tracker.loaded(p.url))
    return tracker


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict]:
    # The load event also means the stylesheet has applied, which colour
    # contrast needs.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        tracker = _watches.get(page)
        if tracker is not None and tracker.csp_enforced:
            # Evaluated through the DevTools protocol, which the CSP does not govern.
            page.evaluate(_axe_source() + "\n;undefined")
        else:
            page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN, tags or TAGS)


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:160]}")
            for detail in (node["summary"] or "").splitlines()[1:]:
                if detail.strip():
                    lines.append(f"        {detail.strip()}")
    return "\n".join(lines)


def assert_accessible(page: Page, tags: list[str] | None = None) -> None:
    """Fail if axe-core finds any WCAG 2.2 AA (or best-practice) violation on the page."""
    violations = axe_violations(page, tags)
    tracker = _watches.get(page)
    if tracker is not None:
        tracker.mark_checked(page.url)
    if violations:
        raise AccessibilityError(format_violations(page.url, violations))
