"""Lessons for tests, built through the services."""

from __future__ import annotations

from typing import Any

from partnering.lessons.models import Lesson


def make_lesson(access: Any, **overrides: Any) -> Lesson:
    from partnering.lessons import services

    values = {
        "title": "Agree data quality before migration",
        "what_happened": "Migration slipped while both sides debated what clean data meant.",
        "lesson": "Acceptance criteria belong in the contract.",
        "recommendation": "Write reconciliation reports into the requirements.",
        "tags": "Data, migration",
    } | overrides
    return services.lesson_create(access=access, **values)
