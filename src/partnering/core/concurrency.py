"""Optimistic locking for shared records that both sides edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction


@dataclass
class FieldChange:
    field: str
    label: str
    theirs: Any
    yours: Any


class EditConflict(Exception):
    """Someone saved the record after the editor opened it.

    Carries the record as it is now and the fields that the other person
    changed, so the page can show what changed instead of overwriting it.
    """

    def __init__(self, current: models.Model, changes: list[FieldChange]):
        self.current = current
        self.changes = changes
        super().__init__("This record was changed by someone else while you were editing it.")


def save_versioned(instance: models.Model, *, expected_version: int, fields: list[str] | None = None) -> models.Model:
    """Save `instance` only if nobody saved it since `expected_version`.

    The row is locked for the length of the check (a no-op lock on SQLite,
    where IMMEDIATE transactions already serialise writers).
    """
    model = type(instance)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=instance.pk)
        if current.version != expected_version:
            names = fields or [
                f.name for f in model._meta.concrete_fields if f.name not in {"id", "version", "updated_at"}
            ]
            base = _version_from_history(model, instance.pk, expected_version)
            changes = []
            for name in names:
                attname = model._meta.get_field(name).attname
                theirs = getattr(current, attname)
                # What the other person changed since the editor's version; without
                # history to compare with, every field that differs from the edit.
                changed = getattr(base, attname) != theirs if base is not None else theirs != getattr(instance, attname)
                if changed:
                    changes.append(
                        FieldChange(
                            field=name,
                            label=str(model._meta.get_field(name).verbose_name).capitalize(),
                            theirs=getattr(current, name),
                            yours=getattr(instance, name),
                        )
                    )
            raise EditConflict(current, changes)
        instance.version = current.version + 1
        instance.full_clean()
        instance.save()
    return instance


def _version_from_history(model: type[models.Model], pk: object, version: int) -> object | None:
    """The record as it was at `version`, from its audit trail, if it has one."""
    history = getattr(model, "history", None)
    if history is None:
        return None
    return history.filter(id=pk, version=version).order_by("-history_date").first()
