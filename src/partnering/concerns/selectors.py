"""Reads of the concern log, always through the access policy.

Visibility is a filter on the concern's own column (see services for the rule),
so lists run a constant number of queries whatever the number of concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnering.concerns.models import Concern, ConcernComment, ConcernStatement, ConcernStatus, EscalationEvent, Level
from partnering.core.policy import Access

STATUS_FILTERS = {"open": ConcernStatus.OPEN, "resolved": ConcernStatus.RESOLVED, "all": None}


def concerns_visible(*, access: Access) -> QuerySet[Concern]:
    """Every concern of the arrangement the member's side may see."""
    return Concern.objects.filter(arrangement=access.arrangement).filter(access.visible_q())


def concern_list(*, access: Access, status: str = "open") -> QuerySet[Concern]:
    """The log as the member may see it: highest level first, then longest at that level."""
    qs = concerns_visible(access=access).select_related("raised_by").annotate(comment_count=Count("comments"))
    wanted = STATUS_FILTERS.get(status, ConcernStatus.OPEN)
    if wanted is not None:
        qs = qs.filter(status=wanted)
    return qs.order_by("status", "-level", "level_since", "number")


def open_concerns(access: Access) -> QuerySet[Concern]:
    """Open concerns the reader may see, with their current level (`level`,
    `get_level_display()`, `level_since`): for the board pack and the overview."""
    return (
        concerns_visible(access=access)
        .filter(status=ConcernStatus.OPEN)
        .select_related("raised_by")
        .order_by("-level", "level_since", "number")
    )


def concern_get(*, access: Access, concern_uuid: Any) -> Concern:
    """One concern the member's side may see; otherwise 404, as if it did not exist."""
    return get_object_or_404(
        concerns_visible(access=access).select_related("raised_by", "resolved_by"), uuid=concern_uuid
    )


def concern_statements(*, concern: Concern) -> QuerySet[ConcernStatement]:
    return concern.statements.select_related("author").order_by("side")


def concern_escalations(*, concern: Concern) -> QuerySet[EscalationEvent]:
    return concern.escalations.select_related("by").order_by("created_at", "id")


def concern_comments(*, concern: Concern) -> QuerySet[ConcernComment]:
    return concern.comments.select_related("author").order_by("created_at", "id")


@dataclass
class LevelTime:
    level: int
    label: str
    duration: timedelta
    is_current: bool
    reached: bool


def time_at_levels(*, concern: Concern, events: list[EscalationEvent], now: datetime | None = None) -> list[LevelTime]:
    """How long the concern has spent at each rung of the ladder, from its recorded steps.

    The last step counts until now, or until the concern was resolved.
    """
    end = concern.resolved_at or now or timezone.now()
    spent = {level: timedelta(0) for level in Level.values}
    reached: set[int] = set()
    for event, following in zip(events, [*events[1:], None], strict=True):
        until = following.created_at if following is not None else end
        spent[event.to_level] += max(until - event.created_at, timedelta(0))
        reached.add(event.to_level)
    return [
        LevelTime(
            level=level,
            label=label,
            duration=spent[level],
            is_current=concern.is_open and level == concern.level,
            reached=level in reached,
        )
        for level, label in Level.choices
    ]


def duration_words(value: timedelta) -> str:
    """ "3 days", "5 hours", "less than an hour": plain words for the time at a level."""
    days = value.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = value.seconds // 3600
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return "less than an hour"
