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
    where IMMEDIATE transactions already serialise writers). `fields` names
    what the editor may change, for the conflict report.

    Only the columns the editor changed are written (with the version and the
    update time): a column is the editor's change when its value differs from
    the stored row and, where the audit trail shows the record as it was at
    `expected_version`, from that too. So a column another writer changed
    without moving the version on (which every writer should do) is kept, not
    reverted to the value the editor happened to read, and the instance
    returned, like its audit row, holds the record as saved.
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
        base = _version_from_history(model, instance.pk, expected_version, first=True)
        written = ["version"]
        for f in model._meta.concrete_fields:
            if f.primary_key or f.attname == "version":
                continue
            if getattr(f, "auto_now", False):
                written.append(f.attname)
                continue
            mine, stored = getattr(instance, f.attname), getattr(current, f.attname)
            if mine == stored:
                continue
            if base is not None and hasattr(base, f.attname) and mine == getattr(base, f.attname):
                # Not the editor's change: someone else's, made without a new version. Keep it.
                setattr(instance, f.attname, stored)
                continue
            written.append(f.attname)
        instance.version = current.version + 1
        instance.full_clean()
        instance.save(update_fields=written)
    return instance


def _version_from_history(model: type[models.Model], pk: object, version: int, *, first: bool = False) -> object | None:
    """The record as it was at `version` (as it reached it, with `first`), from its audit trail, if it has one."""
    history = getattr(model, "history", None)
    if history is None:
        return None
    return history.filter(id=pk, version=version).order_by("history_date" if first else "-history_date").first()
