"""The audit trail: django-simple-history on every model of arrangement data.

Each audited model registers here with the path from its rows to their
arrangement, so that one page can show an arrangement's whole history.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from partnering.core.models import HistoryActor
from partnering.core.templatetags.govuk import govuk_datetime, govuk_time

_REGISTRY: list[tuple[type[models.Model], str]] = []


def audited(*, arrangement_field: str = "arrangement", excluded: list[str] | None = None) -> HistoricalRecords:
    """Return the HistoricalRecords field every audited model declares."""
    return HistoricalRecords(
        bases=[HistoryActor],
        excluded_fields=excluded or [],
        cascade_delete_history=False,
    )


def register(model: type[models.Model], arrangement_field: str = "arrangement_id") -> None:
    """Include a model's history in the arrangement history page.

    `arrangement_field` is the lookup from a history row to its arrangement's
    id (e.g. "assessment__arrangement_id"). Rows with a `visibility` field are
    shown only to the sides allowed to see them. Do not register a model whose
    content is hidden by another rule (assessment answers are blind until the
    reveal): its history is still recorded, just not listed on the page.
    """
    if (model, arrangement_field) not in _REGISTRY:
        _REGISTRY.append((model, arrangement_field))


_local = threading.local()


def set_actor(user: Any) -> None:
    """Remember who is acting in this thread, for writes made outside a page request.

    The access policy calls this whenever it resolves a member's access, so
    API calls (authenticated by token, which simple-history's middleware cannot
    see) and management commands are attributed to the member who acted.
    """
    _local.user = user


def current_actor() -> Any:
    return getattr(_local, "user", None)


class ActorMiddleware:
    """Forget the previous request's actor before and after every request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        _local.user = None
        try:
            return self.get_response(request)
        finally:
            _local.user = None


@receiver(pre_create_historical_record)
def _stamp_actor(sender: Any, history_instance: Any, history_user: Any = None, **kwargs: Any) -> None:
    user = history_user if getattr(history_user, "is_authenticated", False) else current_actor()
    if user is not None and getattr(user, "is_authenticated", False):
        # Only the name is copied: the thread's actor may have been deleted since,
        # and a foreign key to it would then break the write.
        history_instance.history_actor = f"{user.get_full_name()} <{user.email}>"[:300]


@dataclass
class HistoryEntry:
    when: datetime
    actor: str
    action: str
    model_label: str
    object_label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def history_record_types() -> list[tuple[str, str]]:
    """(key, label) of every kind of record the history page lists, for its filter; no query."""
    types = {model._meta.label_lower: str(model._meta.verbose_name).capitalize() for model, _ in _REGISTRY}
    return sorted(types.items(), key=lambda kv: kv[1])


def arrangement_history(
    access: Any,
    *,
    limit: int = 200,
    record_type: str | None = None,
    actor: str | None = None,
    actors_seen: set[str] | None = None,
) -> list[HistoryEntry]:
    """Every recorded change to an arrangement's data, newest first.

    `record_type` (a model's `app_label.model_name`) keeps one kind of record and `actor` one
    person's changes; `actors_seen`, when given, collects everyone who appears (before the person
    filter), for the page's "Changed by" choices. Filtering by person happens after the diffing,
    because a change's old value is in the previous row, whoever wrote it.

    One query per audited model, plus one per kind of record that a foreign key
    points at: the history rows of the arrangement are read once and diffed
    pairwise in memory, instead of asking for each row's previous version, and
    foreign keys are shown by name (a person, an organisation), not by id.
    """
    arrangement_id = access.arrangement.pk
    pending: list[tuple[HistoryEntry, list[tuple[models.Field, Any, Any]]]] = []
    wanted: dict[type[models.Model], set[Any]] = {}
    for model, arrangement_field in _REGISTRY:
        if record_type and model._meta.label_lower != record_type:
            continue
        history_model = model.history.model  # type: ignore[attr-defined]
        filter_field = "id" if model._meta.model_name == "arrangement" else arrangement_field
        rows = list(
            history_model.objects.filter(**{filter_field: arrangement_id}).order_by("history_date", "history_id")[:5000]
        )
        tracked = [
            f
            for f in model._meta.concrete_fields
            if f.name not in {"id", "uuid", "created_at", "updated_at", "version"}
        ]
        previous: dict[Any, Any] = {}
        for row in rows:
            before = previous.get(row.id)
            raw: list[tuple[models.Field, Any, Any]] = []
            for f in tracked:
                new = getattr(row, f.attname, None)
                old = getattr(before, f.attname, None) if before is not None else None
                if before is None and row.history_type == "+":
                    if new not in (None, ""):
                        raw.append((f, None, new))
                elif before is not None and old != new:
                    raw.append((f, old, new))
            previous[row.id] = row
            # A record private to the other side stays private in its history too.
            if not access.can_see(getattr(row, "visibility", "shared")):
                continue
            # Once shared, what it was while private (its private reference, its first words) stays unseen.
            if before is not None and not access.can_see(getattr(before, "visibility", "shared")):
                raw = [(f, None, new) for f, _old, new in raw]
            if row.history_type == "~" and not raw:
                continue
            who = row.history_actor or "System"
            if actors_seen is not None:
                actors_seen.add(who)
            if actor and who != actor:
                continue
            for f, old, new in raw:
                if f.is_relation and f.related_model is not None:
                    wanted.setdefault(f.related_model, set()).update(v for v in (old, new) if v is not None)
            entry = HistoryEntry(
                when=row.history_date,
                actor=who,
                action=_ACTIONS.get(row.history_type, row.history_type),
                model_label=str(model._meta.verbose_name).capitalize(),
                object_label=_object_label(row),
            )
            pending.append((entry, raw))
    pending.sort(key=lambda p: p[0].when, reverse=True)
    pending = pending[:limit]
    names = {related: dict(related._default_manager.in_bulk(list(ids)).items()) for related, ids in wanted.items()}
    entries = []
    for entry, raw in pending:
        for f, old, new in raw:
            entry.changes.append((str(f.verbose_name).capitalize(), _shown(f, old, names), _shown(f, new, names)))
        entries.append(entry)
    return entries


def _shown(f: models.Field, value: Any, names: dict[type[models.Model], dict[Any, Any]]) -> str:
    """A value as people read it: names for links, labels for choices, GOV.UK dates and times."""
    if value is None or value == "":
        return "" if value is None else "(blank)"
    if f.is_relation and f.related_model is not None:
        obj = names.get(f.related_model, {}).get(value)
        return str(obj) if obj is not None else "(deleted)"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return govuk_datetime(value, "minute")
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, time):
        return govuk_time(value, "minute")
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else json.dumps(value, ensure_ascii=False)
    return str(value)


def _object_label(row: Any) -> str:
    for name in ("title", "name", "text", "reference"):
        value = getattr(row, name, None)
        if value:
            return str(value)[:120]
    return f"#{row.id}"
