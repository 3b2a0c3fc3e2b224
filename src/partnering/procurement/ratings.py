"""The Act's five ratings, and the rating the product suggests from a KPI's figures.

Procurement Act 2023, s.71, and the Procurement Regulations 2024, reg. 39-40
(as we read them): a contract performance notice rates performance against each
published KPI as Good, Approaching target, Requires improvement, Inadequate or
Other. The Act does not say how figures turn into a rating: the rule below is
ours, kept as data so that the page can show it, and it only ever *suggests* a
rating. The customer proposes the rating with its reasons and the customer's
SRO approves it; the suggestion never decides.

The rule reads the KPI's agreed baseline (the threshold below which performance
is worse than where the contract started) and agreed target, and the
measurements of the period, each judged by `kpis.rag` (green: meets the target;
amber: between baseline and target; red: worse than the baseline).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from partnering.kpis import rag


class Rating(models.TextChoices):
    GOOD = "good", "Good"
    APPROACHING = "approaching_target", "Approaching target"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    OTHER = "other", "Other"


@dataclass(frozen=True)
class PeriodSummary:
    """What the rule reads: the RAG status of each measurement of the period, oldest first."""

    statuses: tuple[rag.Rag, ...]

    @property
    def latest(self) -> rag.Rag:
        return self.statuses[-1] if self.statuses else rag.Rag.NONE

    @property
    def share_red(self) -> Decimal:
        if not self.statuses:
            return Decimal(0)
        return Decimal(sum(1 for s in self.statuses if s == rag.Rag.RED)) / Decimal(len(self.statuses))

    @property
    def any_red(self) -> bool:
        return rag.Rag.RED in self.statuses


@dataclass(frozen=True)
class Rule:
    rating: Rating
    meaning: str
    applies: Callable[[PeriodSummary], bool]


#: Checked in order; the first that applies is the suggestion. Ours, not the Act's.
RULES: tuple[Rule, ...] = (
    Rule(
        Rating.OTHER,
        "No measurement in the period, or no agreed baseline and target: the figures cannot suggest a rating.",
        lambda s: not s.statuses or s.latest == rag.Rag.NONE,
    ),
    Rule(
        Rating.INADEQUATE,
        "The latest measurement and more than half of the period's are worse than the agreed baseline.",
        lambda s: s.latest == rag.Rag.RED and s.share_red > Decimal("0.5"),
    ),
    Rule(
        Rating.REQUIRES_IMPROVEMENT,
        "The latest measurement is worse than the agreed baseline.",
        lambda s: s.latest == rag.Rag.RED,
    ),
    Rule(
        Rating.GOOD,
        "The latest measurement meets the agreed target and none in the period fell below the baseline.",
        lambda s: s.latest == rag.Rag.GREEN and not s.any_red,
    ),
    Rule(
        Rating.APPROACHING,
        "Otherwise: between the baseline and the target, or at target after a fall below the baseline.",
        lambda s: True,
    ),
)


def summarise(
    values: Sequence[Decimal], *, baseline: Decimal | None, target: Decimal | None, direction: str
) -> PeriodSummary:
    return PeriodSummary(tuple(rag.status(v, baseline=baseline, target=target, direction=direction) for v in values))


def suggest(values: Sequence[Decimal], *, baseline: Decimal | None, target: Decimal | None, direction: str) -> Rule:
    """The suggested rating for a KPI's measurements of the period (oldest first), with the rule that gave it."""
    summary = summarise(values, baseline=baseline, target=target, direction=direction)
    for r in RULES:
        if r.applies(summary):
            return r
    raise AssertionError("the last rule always applies")  # pragma: no cover


def explained() -> list[tuple[str, str]]:
    """The rule for the page: (rating label, meaning), in the order checked."""
    return [(str(r.rating.label), r.meaning) for r in RULES]
