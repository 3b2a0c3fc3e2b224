"""The difference between two charter versions, section by section, word by word.

difflib compares the words of each section; the result is HTML with <del> and
<ins>, each carrying a visually hidden "removed"/"added" label, because screen
readers do not announce those elements by default and colour alone must not
carry the meaning.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from partnering.charter.models import SECTIONS, CharterVersion

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class SectionDiff:
    heading: str
    status: str  # "unchanged", "changed", "added", "removed"
    html: SafeString
    added: int = 0
    removed: int = 0


def _ins(text: str) -> str:
    return f'<ins class="app-diff__ins"><span class="govuk-visually-hidden">Added: </span>{escape(text)}</ins>'


def _del(text: str) -> str:
    return f'<del class="app-diff__del"><span class="govuk-visually-hidden">Removed: </span>{escape(text)}</del>'


def inline_diff(old: str, new: str) -> tuple[SafeString, int, int]:
    """HTML of `new` with the words removed from `old` and added to it marked; (html, added, removed)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts: list[str] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape("".join(b[j1:j2]))))
            continue
        if op in ("delete", "replace"):
            parts.append(_del("".join(a[i1:i2])))
            removed += sum(1 for t in a[i1:i2] if not t.isspace())
        if op in ("insert", "replace"):
            parts.append(_ins("".join(b[j1:j2])))
            added += sum(1 for t in b[j1:j2] if not t.isspace())
    # Line breaks as in the charter's own display (a mark may span lines, so no <p> split).
    html = '<p class="govuk-body app-diff">' + "".join(parts).replace("\n", "<br>\n") + "</p>"
    return mark_safe(html), added, removed  # noqa: S308 - every piece of text is escaped above


def _section_map(version: CharterVersion) -> list[tuple[str, str]]:
    out = [(heading, getattr(version, name)) for name, heading, _hint in SECTIONS]
    out += [(s.get("heading", ""), s.get("text", "")) for s in version.extra_sections or []]
    return out


def compare(old: CharterVersion, new: CharterVersion) -> list[SectionDiff]:
    """Each section of either version, matched by heading, in the newer version's order."""
    before = dict(_section_map(old))
    after = _section_map(new)
    out = []
    for heading, text in after:
        if heading not in before:
            html, added, removed = inline_diff("", text)
            out.append(SectionDiff(heading, "added", html, added, removed))
            continue
        html, added, removed = inline_diff(before[heading], text)
        out.append(SectionDiff(heading, "changed" if (added or removed) else "unchanged", html, added, removed))
    seen = {heading for heading, _text in after}
    for heading, text in _section_map(old):
        if heading not in seen:
            html, added, removed = inline_diff(text, "")
            out.append(SectionDiff(heading, "removed", html, added, removed))
    return out
