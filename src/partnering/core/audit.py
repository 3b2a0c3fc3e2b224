"""The audit trail: django-simple-history on every model of arrangement data.

Each audited model registers here with the path from its rows to their
arrangement, so that one page can show an arrangement's whole history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from partnering.core.models import HistoryActor

_REGISTRY: list[tuple[type[models.Model], str]] = []


def audited(*, arrangement_field: str = "arrangement", excluded: list[str] | None = None) -> HistoricalRecords:
    """Return the HistoricalRecords field every audited model declares."""
    return HistoricalRecords(
        bases=[HistoryActor],
        excluded_fields=excluded or [],
        cascade_delete_history=False,
    )


def register(model: type[models.Model], arrangement_field: str = "arrangement_id") -> None:
    """Include a model's history in the arrangement history page."""
    if (model, arrangement_field) not in _REGISTRY:
        _REGISTRY.append((model, arrangement_field))


@receiver(pre_create_historical_record)
def _stamp_actor(sender: Any, history_instance: Any, history_user: Any = None, **kwargs: Any) -> None:
    if history_user is not None and getattr(history_user, "is_authenticated", False):
        history_instance.history_actor = f"{history_user.get_full_name()} <{history_user.email}>"[:300]


@dataclass
class HistoryEntry:
    when: datetime
    actor: str
    action: str
    model_label: str
    object_label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    return str(value)


def arrangement_history(arrangement_id: int, *, limit: int = 200) -> list[HistoryEntry]:
    """Every recorded change to an arrangement's data, newest first.

    One query per audited model: the history rows of the arrangement are read
    once and diffed pairwise in memory, instead of asking for each row's
    previous version.
    """
    entries: list[HistoryEntry] = []
    for model, arrangement_field in _REGISTRY:
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
            changes: list[tuple[str, str, str]] = []
            for f in tracked:
                attname = f.attname
                new = getattr(row, attname, None)
                old = getattr(before, attname, None) if before is not None else None
                if before is None and row.history_type == "+":
                    if new not in (None, ""):
                        changes.append((str(f.verbose_name).capitalize(), "", _display(new)))
                elif before is not None and old != new:
                    changes.append((str(f.verbose_name).capitalize(), _display(old), _display(new)))
            previous[row.id] = row
            if row.history_type == "~" and not changes:
                continue
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    actor=row.history_actor or "System",
                    action=_ACTIONS.get(row.history_type, row.history_type),
                    model_label=str(model._meta.verbose_name).capitalize(),
                    object_label=_object_label(row),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _object_label(row: Any) -> str:
    for name in ("title", "name", "text", "reference"):
        value = getattr(row, name, None)
        if value:
            return str(value)[:120]
    return f"#{row.id}"
