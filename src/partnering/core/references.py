"""Reference numbers that say nothing about the other side (R-001, C-001).

A reference is numbered in the sequence of its record's visibility: shared
records in one (R-001, R-002...), each side's private records in that side's
own (RC-001 customer only, RP-001 provider only). So everyone reads a gapless
sequence of what they may see, and no gap tells one side how many private
records the other keeps or when it made them. A private record that is
shared takes the next number of the shared sequence: its private number
stays a gap in its own side's sequence, seen by that side alone.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Max, Model

from partnering.core.choices import Visibility

#: What follows the record's letter for each visibility: R-, RC-, RP-.
SUFFIXES = {Visibility.SHARED: "", Visibility.CUSTOMER_ONLY: "C", Visibility.PROVIDER_ONLY: "P"}


def prefix(letter: str, visibility: str) -> str:
    return f"{letter}{SUFFIXES[visibility]}-"


def format_reference(letter: str, visibility: str, number: int) -> str:
    return f"{prefix(letter, visibility)}{number:03d}"


def parse(letter: str, reference: str) -> tuple[str, int] | None:
    """The visibility and number of an automatic reference ("RC-004" → customer, 4), or None."""
    match = re.fullmatch(rf"{re.escape(letter)}([CP]?)-(\d{{1,6}})", (reference or "").strip().upper())
    if match is None:
        return None
    visibility = {v: k for k, v in SUFFIXES.items()}[match.group(1)]
    return visibility, int(match.group(2))


def is_private_style(letter: str, reference: str) -> bool:
    """Whether a reference is in a private sequence's style (RC-..., RP-...), which only numbering gives."""
    found = parse(letter, reference)
    return found is not None and found[0] != Visibility.SHARED


def next_number(model: type[Model], letter: str, arrangement_id: Any, visibility: str) -> int:
    """The next number of one visibility's sequence (call with the arrangement locked).

    The audit trail remembers numbers no live record holds any more (a private record since
    shared, a record deleted): a number is never given twice in a sequence. (Audit rows
    from before the sequences were separate hold other references, and are left out.)
    """
    top = 0
    history = getattr(model, "history", None)
    managers = [model._default_manager, *([history.model._default_manager] if history is not None else [])]
    for manager in managers:
        rows = manager.filter(arrangement_id=arrangement_id, visibility=visibility)
        found = rows.filter(reference__startswith=prefix(letter, visibility)).aggregate(top=Max("number"))
        top = max(top, found["top"] or 0)
    return top + 1


def renumber_private(
    model: type[Model], letter: str, arrangement_ids: Any = None, history_model: type[Model] | None = None
) -> int:
    """Give every private record not numbered in its side's sequence the next number there.

    For records written before the sequences were separate (the migrations) and for
    archives made then (the importer). Its audit rows from while it was private take the
    new reference too (`history_model`, for the migrations; the live model's own otherwise),
    so no earlier number survives to be read later. Returns how many records were renumbered.
    """
    if history_model is None and getattr(model, "history", None) is not None:
        history_model = model.history.model
    records = model._default_manager.exclude(visibility=Visibility.SHARED)
    if arrangement_ids is not None:
        records = records.filter(arrangement_id__in=list(arrangement_ids))
    changed = 0
    tops: dict[tuple[Any, str], int] = {}
    taken = set(
        model._default_manager.filter(arrangement_id__in=records.values("arrangement_id")).values_list(
            "arrangement_id", "reference"
        )
    )
    stale = []
    for record in records.order_by("arrangement_id", "created_at", "id"):
        found = parse(letter, record.reference)
        key = (record.arrangement_id, record.visibility)
        if found == (record.visibility, record.number):
            tops[key] = max(tops.get(key, 0), record.number)
        else:
            stale.append(record)
    for record in stale:
        key = (record.arrangement_id, record.visibility)
        tops[key] = tops.get(key, 0) + 1
        while (record.arrangement_id, format_reference(letter, record.visibility, tops[key])) in taken:
            tops[key] += 1  # a shared record given this reference by hand keeps it
        record.number = tops[key]
        record.reference = format_reference(letter, record.visibility, record.number)
        taken.add((record.arrangement_id, record.reference))
        record.save(update_fields=["reference", "number"])
        if history_model is not None:
            history_model._default_manager.filter(id=record.pk, visibility=record.visibility).update(
                reference=record.reference, number=record.number
            )
        changed += 1
    return changed
