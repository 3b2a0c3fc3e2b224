"""Reads of the books and incentives, always through the access policy.

Which books a member reads is `Access.sees_book_of` (the openness profile),
applied as a filter on the line's own `side` column, so a closed book never
leaves the database. Totals are summed in Python from one query of Decimals:
SQLite sums decimals as floats, and money is never float here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from partnering.arrangements.models import ProposalStatus
from partnering.core.policy import Access
from partnering.finance import gainshare
from partnering.finance.models import (
    Book,
    BudgetConstraint,
    CostCategory,
    CostLine,
    FinanceProfile,
    IncentiveMechanism,
    IncentivePeriod,
    IncentiveProposal,
    MeasureCount,
    ValueMeasure,
)
from partnering.finance.money import ZERO, percent_of, ratio_percent, to_pennies

MONTH, QUARTER = "month", "quarter"


def books_visible(*, access: Access) -> list[str]:
    """The books this member may read: their own side's and any the openness profile opens."""
    return [side for side in Book.values if access.sees_book_of(side)]


def finance_profile(*, access: Access) -> FinanceProfile:
    """The arrangement's finance profile, or the defaults (GBP, no joint budget) before one is saved."""
    return FinanceProfile.objects.filter(arrangement=access.arrangement).first() or FinanceProfile(
        arrangement=access.arrangement
    )


def cost_lines(*, access: Access, book: str = "") -> QuerySet[CostLine]:
    sides = books_visible(access=access)
    if book:
        sides = [s for s in sides if s == book]
    return CostLine.objects.filter(arrangement=access.arrangement, side__in=sides).order_by(
        "period", "side", "category", "description"
    )


def cost_line_get(*, access: Access, line_uuid: Any) -> CostLine:
    """One line of a book the member may read; otherwise 404, as if it did not exist."""
    return get_object_or_404(cost_lines(access=access), uuid=line_uuid)


def budget_constraints(*, access: Access) -> QuerySet[BudgetConstraint]:
    if not access.sees_book_of(Book.CUSTOMER):
        return BudgetConstraint.objects.none()
    return BudgetConstraint.objects.filter(arrangement=access.arrangement)


# -- totals --------------------------------------------------------------------------


def period_key(period: date, grain: str) -> date:
    if grain == QUARTER:
        return period.replace(month=(period.month - 1) // 3 * 3 + 1, day=1)
    return period


def period_label(period: date, grain: str) -> str:
    if grain == QUARTER:
        return f"Q{(period.month - 1) // 3 + 1} {period.year}"
    return f"{period:%b %Y}"


@dataclass
class Totals:
    planned: Decimal = ZERO
    actual: Decimal = ZERO

    def add(self, planned: Decimal, actual: Decimal) -> None:
        self.planned += planned
        self.actual += actual

    @property
    def variance(self) -> Decimal:
        """Planned minus actual: positive is under plan, negative is an overspend."""
        return self.planned - self.actual

    @property
    def variance_pct(self) -> Decimal | None:
        return ratio_percent(self.variance, self.planned)


@dataclass
class Margin:
    """The provider's agreed margin against the margin earned.

    Each line's price is its planned cost plus the agreed margin on it; the
    margin earned is that price less the actual cost, so an overspend eats
    into the margin and an underspend adds to it.
    """

    cost_with_margin_planned: Decimal = ZERO
    agreed: Decimal = ZERO
    actual_cost: Decimal = ZERO

    @property
    def earned(self) -> Decimal:
        return self.cost_with_margin_planned + self.agreed - self.actual_cost

    @property
    def agreed_pct(self) -> Decimal | None:
        return ratio_percent(self.agreed, self.cost_with_margin_planned)

    @property
    def earned_pct(self) -> Decimal | None:
        return ratio_percent(self.earned, self.actual_cost)


@dataclass
class BookSummary:
    side: str
    label: str
    lines: int = 0
    total: Totals = field(default_factory=Totals)
    by_period: dict[date, Totals] = field(default_factory=lambda: defaultdict(Totals))
    by_category: dict[str, Totals] = field(default_factory=lambda: defaultdict(Totals))
    margin: Margin | None = None
    #: The grain `by_period` was summed at (month or quarter).
    grain: str = MONTH

    def period_rows(self, grain: str) -> list[tuple[str, Totals]]:
        return [(period_label(p, grain), t) for p, t in sorted(self.by_period.items())]

    @property
    def rows_by_period(self) -> list[tuple[str, Totals]]:
        """The period table's rows at the grain the book was summed at (what templates read)."""
        return self.period_rows(self.grain)

    def category_rows(self) -> list[tuple[str, Totals]]:
        labels = dict(CostCategory.choices)
        return [(labels.get(c, c), t) for c, t in sorted(self.by_category.items(), key=lambda kv: str(labels[kv[0]]))]


@dataclass
class JointBudget:
    budget: Decimal | None
    combined_actual: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.combined_actual

    @property
    def used_pct(self) -> Decimal | None:
        return None if self.budget is None else ratio_percent(self.combined_actual, self.budget)


@dataclass
class Books:
    grain: str
    currency: str
    books: list[BookSummary]
    joint: JointBudget | None
    periods: list[date]


def books_summary(*, access: Access, grain: str = MONTH) -> Books:
    """Totals of every book the member may read, by period and by category, with margins.

    Two queries: the finance profile and the lines' figures. Under a single
    project budget the combined actuals of both books are shown against the
    joint budget to both sides, who agreed to manage that budget together;
    a closed book's lines stay closed.
    """
    grain = grain if grain in (MONTH, QUARTER) else MONTH
    profile = finance_profile(access=access)
    visible = books_visible(access=access)
    joint_on = bool(access.openness.single_project_budget) and not access.is_neutral
    sides = list(Book.values) if joint_on else visible
    labels = dict(Book.choices)
    summaries = {side: BookSummary(side=side, label=str(labels[side]), grain=grain) for side in visible}
    if Book.PROVIDER in summaries:
        summaries[Book.PROVIDER].margin = Margin()
    combined = ZERO
    periods: set[date] = set()
    rows = CostLine.objects.filter(arrangement=access.arrangement, side__in=sides).values_list(
        "side", "period", "category", "planned", "actual", "margin_pct"
    )
    for side, period, category, planned, actual, margin_pct in rows:
        combined += actual
        book = summaries.get(side)
        if book is None:
            continue
        key = period_key(period, grain)
        periods.add(key)
        book.lines += 1
        book.total.add(planned, actual)
        book.by_period[key].add(planned, actual)
        book.by_category[category].add(planned, actual)
        if book.margin is not None and margin_pct is not None:
            book.margin.cost_with_margin_planned += planned
            book.margin.agreed += percent_of(planned, margin_pct)
            book.margin.actual_cost += actual
    joint = JointBudget(budget=profile.joint_budget, combined_actual=combined) if joint_on else None
    return Books(
        grain=grain,
        currency=profile.currency,
        books=[summaries[s] for s in visible],
        joint=joint,
        periods=sorted(periods),
    )


# -- value for money ---------------------------------------------------------------------


@dataclass
class MeasureRow:
    period: date
    units: Decimal
    cost: Decimal

    @property
    def cost_per_unit(self) -> Decimal | None:
        return to_pennies(self.cost / self.units) if self.units else None


@dataclass
class MeasureView:
    measure: ValueMeasure
    rows: list[MeasureRow]

    @property
    def overall(self) -> Decimal | None:
        units = sum((r.units for r in self.rows), ZERO)
        cost = sum((r.cost for r in self.rows), ZERO)
        return to_pennies(cost / units) if units else None


def value_measures(*, access: Access) -> list[MeasureView]:
    """Each measure on a book the member reads: that book's actual cost per unit, period by period.

    Three queries whatever the number of measures: measures with their counts, and the
    actual cost of the visible books by period.
    """
    visible = books_visible(access=access)
    measures = list(
        ValueMeasure.objects.filter(arrangement=access.arrangement, side__in=visible).prefetch_related(
            Prefetch("counts", queryset=MeasureCount.objects.order_by("period"))
        )
    )
    if not measures:
        return []
    cost: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    for side, period, actual in CostLine.objects.filter(
        arrangement=access.arrangement, side__in={m.side for m in measures}
    ).values_list("side", "period", "actual"):
        cost[(side, period)] += actual
    return [
        MeasureView(m, [MeasureRow(c.period, c.units, cost[(m.side, c.period)]) for c in m.counts.all()])
        for m in measures
    ]


# -- incentives --------------------------------------------------------------------------


def mechanisms(*, access: Access) -> QuerySet[IncentiveMechanism]:
    """Mechanisms in force: shared with both sides (and the facilitator), like the terms they agreed."""
    return IncentiveMechanism.objects.filter(arrangement=access.arrangement)


def mechanism_get(*, access: Access, mechanism_uuid: Any) -> IncentiveMechanism:
    return get_object_or_404(mechanisms(access=access), uuid=mechanism_uuid)


def proposals(*, access: Access, pending_only: bool = False) -> QuerySet[IncentiveProposal]:
    qs = IncentiveProposal.objects.filter(arrangement=access.arrangement).select_related(
        "proposed_by", "sro_agreed_by", "srie_agreed_by", "mechanism"
    )
    return qs.filter(status=ProposalStatus.PENDING) if pending_only else qs


def proposal_get(*, access: Access, proposal_uuid: Any) -> IncentiveProposal:
    return get_object_or_404(proposals(access=access), uuid=proposal_uuid)


@dataclass
class PeriodShares:
    period: IncentivePeriod
    shares: gainshare.Shares


def mechanism_periods(*, mechanism: IncentiveMechanism) -> list[PeriodShares]:
    """Every recorded period with each party's share, computed step by step (one query)."""
    terms = mechanism.terms()
    return [PeriodShares(p, gainshare.compute(terms, p.outcome)) for p in mechanism.periods.order_by("period")]


def mechanism_totals(rows: list[PeriodShares]) -> tuple[Decimal, Decimal, Decimal]:
    total = sum((r.shares.total for r in rows), ZERO)
    customer = sum((r.shares.customer for r in rows), ZERO)
    provider = sum((r.shares.provider for r in rows), ZERO)
    return total, customer, provider


def mechanism_history(*, mechanism: IncentiveMechanism) -> list[Any]:
    """The terms the mechanism has had, newest first, from its audit trail."""
    return list(mechanism.history.order_by("-history_date", "-history_id"))  # type: ignore[attr-defined]
