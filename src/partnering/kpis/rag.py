"""Status against target (RAG), the rule kept as data so that pages can show it.

The rule, for a KPI whose baseline and target are both agreed: green when the
latest measurement meets the target, amber when it lies between the baseline
and the target, red when it is worse than the baseline. "Meets" and "worse"
follow the KPI's direction: values are turned round for "lower is better" so
that one comparison serves both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NONE = "none", "Not assessed"


@dataclass(frozen=True)
class Rule:
    status: Rag
    meaning: str
    #: Whether the rule applies, given (value, baseline, target) already oriented so higher is better.
    applies: Callable[[Decimal, Decimal, Decimal], bool]


#: Checked in order; the first that applies gives the status.
RULES: tuple[Rule, ...] = (
    Rule(Rag.GREEN, "Meeting the agreed target (or better).", lambda v, b, t: v >= t),
    Rule(Rag.RED, "Worse than the agreed baseline.", lambda v, b, t: v < b),
    Rule(Rag.AMBER, "Between the agreed baseline and the agreed target.", lambda v, b, t: True),
)

NOT_ASSESSED = "Without a measurement, an agreed baseline and an agreed target there is no status."


def status(value: Decimal | float | None, *, baseline: Decimal | None, target: Decimal | None, direction: str) -> Rag:
    """The RAG status of `value` (see RULES). NONE when anything needed is missing."""
    if value is None or baseline is None or target is None:
        return Rag.NONE
    sign = Decimal(-1) if direction == "lower" else Decimal(1)
    v, b, t = (sign * Decimal(str(x)) for x in (value, baseline, target))
    for rule in RULES:
        if rule.applies(v, b, t):
            return rule.status
    return Rag.NONE  # pragma: no cover - the last rule always applies


def explained() -> list[tuple[str, str, str]]:
    """The rule for the page: (status code, label, meaning)."""
    return [(r.status.value, str(r.status.label), r.meaning) for r in RULES]
