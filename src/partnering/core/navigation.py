"""The arrangement's sections, in one place, so every feature's pages share them.

Seventeen sections do not fit one row of tabs (three rows at 1280 px, six at 390 px), so they
are grouped: the group row uses the GOV.UK service navigation pattern (a "Sections" menu button
on narrow screens), and the current group's sections sit in a row below it. The grouping is ours;
the guide does not order the sections.
"""

from __future__ import annotations

from dataclasses import dataclass

ARRANGEMENT_TABS: list[tuple[str, str, str]] = [
    ("overview", "Overview", "arrangements:overview"),
    ("members", "Members", "arrangements:members"),
    ("relationships", "People and peers", "relationships:peers"),
    ("openness", "Openness", "arrangements:openness"),
    ("assessments", "Assessments", "assessments:list"),
    ("risks", "Risks", "risks:register"),
    ("charter", "Charter", "charter:detail"),
    ("board", "Board", "board:detail"),
    ("concerns", "Concerns", "concerns:list"),
    ("actions", "Actions", "actions:list"),
    ("kpis", "Performance", "kpis:list"),
    ("procurement", "Procurement Act", "procurement:overview"),
    ("finance", "Open book", "finance:books"),
    ("warnings", "Early warnings", "portfolio:warnings"),
    ("lessons", "Lessons", "lessons:list"),
    ("exit", "Exit plan", "exit:detail"),
    ("gateway", "Gateway packs", "archive:gateway"),
    ("history", "History", "arrangements:history"),
]

#: The groups, in order, each with its sections (keys of ARRANGEMENT_TABS).
ARRANGEMENT_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("relationship", "The relationship", ("overview", "members", "relationships", "openness", "charter", "board")),
    ("assessments", "Assessments and risks", ("assessments", "risks", "concerns", "warnings")),
    ("commercial", "Commercial and performance", ("actions", "kpis", "finance")),
    ("learning", "Learning and exit", ("lessons", "exit")),
    ("records", "Records", ("gateway", "history")),
]


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    urlname: str


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    sections: tuple[Section, ...]

    @property
    def first(self) -> Section:
        return self.sections[0]


_SECTIONS = {key: Section(key, label, urlname) for key, label, urlname in ARRANGEMENT_TABS}
GROUPS: tuple[Group, ...] = tuple(
    Group(key, label, tuple(_SECTIONS[s] for s in sections)) for key, label, sections in ARRANGEMENT_GROUPS
)


def group_of(tab: str) -> Group | None:
    """The group holding section `tab`, or None for a page outside every section."""
    return next((g for g in GROUPS if any(s.key == tab for s in g.sections)), None)


def section(tab: str) -> Section | None:
    return _SECTIONS.get(tab)
