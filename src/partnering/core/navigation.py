"""The arrangement's tabs, in one place, so every feature's pages share them."""

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
