"""Reads of KPIs, always through the access policy.

The KPI list runs the same number of queries whatever the number of KPIs and
measurements: the agreed and pending baseline and target, the latest
measurement and the count of measurements are subqueries on the KPI row, and
the Annex B figures (for relationship KPIs drawn from assessments) are read
once for the whole list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from partnering.core.policy import Access
from partnering.kpis import rag
from partnering.kpis.models import BaselineProposal, Kpi, Measurement, Source, TargetProposal
from partnering.kpis.periods import period_label

ANNEX_B = "annex-b"
#: The Annex B answers that count as the relationship working.
POSITIVE_ANSWERS = frozenset({"fully", "largely"})


def kpis_visible(*, access: Access) -> QuerySet[Kpi]:
    """Every KPI of the arrangement: KPIs are shared by both sides (the point is to agree them)."""
    return Kpi.objects.filter(arrangement=access.arrangement)


def _agreed(model: type, column: str) -> Subquery:
    rows = model.objects.filter(kpi=OuterRef("pk"), agreed_at__isnull=False).order_by("-agreed_at", "-id")
    return Subquery(rows.values(column)[:1])


def _pending(model: type, column: str) -> Subquery:
    rows = model.objects.filter(kpi=OuterRef("pk"), agreed_at__isnull=True, superseded_at__isnull=True)
    return Subquery(rows.order_by("-created_at", "-id").values(column)[:1])


def _latest(column: str) -> Subquery:
    return Subquery(Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period").values(column)[:1])


def _count() -> Any:
    rows = Measurement.objects.filter(kpi=OuterRef("pk")).order_by().values("kpi").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def kpi_list(*, access: Access) -> QuerySet[Kpi]:
    """The KPIs with what a row of the list needs, in one query."""
    return kpis_visible(access=access).annotate(
        baseline_value=_agreed(BaselineProposal, "value"),
        baseline_uncertainty=_agreed(BaselineProposal, "uncertainty"),
        target_value=_agreed(TargetProposal, "value"),
        pending_baseline=_pending(BaselineProposal, "value"),
        pending_baseline_side=_pending(BaselineProposal, "proposed_side"),
        pending_baseline_uncertainty=_pending(BaselineProposal, "uncertainty"),
        pending_target=_pending(TargetProposal, "value"),
        pending_target_side=_pending(TargetProposal, "proposed_side"),
        latest_value=_latest("value"),
        latest_period=_latest("period"),
        measurement_count=_count(),
    )


# -- Annex B: the relationship as each side sees it ------------------------------------


@dataclass(frozen=True)
class AnnexBPoint:
    """One revealed Annex B cycle: each side's percentage of Fully or Largely answers."""

    label: str
    when: date | None
    customer: Decimal | None
    provider: Decimal | None
    customer_verdict: str
    provider_verdict: str

    @property
    def lower(self) -> Decimal | None:
        """The less satisfied side: the relationship is as healthy as its weaker view of itself."""
        values = [v for v in (self.customer, self.provider) if v is not None]
        return min(values) if values else None


def _percent_positive(answers: dict[str, str]) -> Decimal | None:
    answered = [v for v in answers.values() if v]
    if not answered:
        return None
    share = Decimal(sum(1 for v in answered if v in POSITIVE_ANSWERS) * 100) / Decimal(len(answered))
    return share.quantize(Decimal("0.1"))


def annex_b_series(*, access: Access) -> list[AnnexBPoint]:
    """Each side's Annex B result per revealed cycle, oldest first (read only, from the assessments).

    Annex B: "these questions help to highlight aspects that are perceived to
    be working well and those that require attention"; the share of Fully or
    Largely answers is the part working well. Blind answers never count: the
    assessments' `trend` reads revealed cycles only.
    """
    from partnering.assessments.selectors import trend

    _spec, points = trend(access=access, bank_key=ANNEX_B)
    series = []
    for p in points:
        when = p.assessment.revealed_at
        series.append(
            AnnexBPoint(
                label=f"Year {p.assessment.cycle}" if p.assessment.cycle else f"{when:%b %Y}",
                when=when.date() if when else None,
                customer=_percent_positive(p.customer),
                provider=_percent_positive(p.provider),
                customer_verdict=getattr(p.customer_verdict, "label", "") or "",
                provider_verdict=getattr(p.provider_verdict, "label", "") or "",
            )
        )
    return series


# -- rows of the list and the detail page --------------------------------------------


@dataclass
class KpiRow:
    kpi: Kpi
    latest: Decimal | None
    latest_label: str
    status: rag.Rag

    @property
    def baseline_agreed(self) -> bool:
        return self.kpi.baseline_value is not None  # type: ignore[attr-defined]


def _row(kpi: Kpi, annex_b: list[AnnexBPoint]) -> KpiRow:
    if kpi.source == Source.ANNEX_B:
        last = annex_b[-1] if annex_b else None
        latest = last.lower if last else None
        label = last.label if last else ""
    else:
        latest = kpi.latest_value  # type: ignore[attr-defined]
        period = kpi.latest_period  # type: ignore[attr-defined]
        label = period_label(kpi.frequency, period) if period else ""
    status = rag.status(
        latest,
        baseline=kpi.baseline_value,  # type: ignore[attr-defined]
        target=kpi.target_value,  # type: ignore[attr-defined]
        direction=kpi.direction,
    )
    return KpiRow(kpi=kpi, latest=latest, latest_label=label, status=status)


def kpi_rows(*, access: Access) -> list[KpiRow]:
    """The list page: every KPI with its status. One query, plus two when a KPI draws on Annex B."""
    kpis = list(kpi_list(access=access))
    annex_b = annex_b_series(access=access) if any(k.source == Source.ANNEX_B for k in kpis) else []
    return [_row(k, annex_b) for k in kpis]


def kpi_get(*, access: Access, kpi_uuid: Any) -> Kpi:
    """One KPI of this arrangement (with its list annotations), or 404."""
    return get_object_or_404(kpi_list(access=access).select_related("created_by"), uuid=kpi_uuid)


def kpi_row(*, access: Access, kpi: Kpi) -> KpiRow:
    annex_b = annex_b_series(access=access) if kpi.source == Source.ANNEX_B else []
    return _row(kpi, annex_b)


def proposals(*, kpi: Kpi, what: str) -> list[Any]:
    """Every baseline (or target) proposal of the KPI, newest first: the agreed values' history."""
    model = BaselineProposal if what == "baseline" else TargetProposal
    return list(model.objects.filter(kpi=kpi).select_related("proposed_by", "agreed_by").order_by("-created_at", "-id"))


def proposal_get(*, access: Access, kpi: Kpi, what: str, proposal_uuid: Any) -> Any:
    model = BaselineProposal if what == "baseline" else TargetProposal
    return get_object_or_404(
        model.objects.select_related("kpi"), kpi=kpi, kpi__arrangement=access.arrangement, uuid=proposal_uuid
    )


def measurements(*, kpi: Kpi) -> QuerySet[Measurement]:
    return Measurement.objects.filter(kpi=kpi).select_related("entered_by").order_by("period")


def measurement_get(*, access: Access, kpi: Kpi, measurement_uuid: Any) -> Measurement:
    return get_object_or_404(
        Measurement.objects.select_related("kpi", "entered_by"),
        kpi=kpi,
        kpi__arrangement=access.arrangement,
        uuid=measurement_uuid,
    )


@dataclass(frozen=True)
class SeriesPoint:
    label: str
    values: tuple[Decimal | None, ...]
    status: rag.Rag


@dataclass(frozen=True)
class Series:
    """What the chart and its table show: one line per side for Annex B, one line otherwise."""

    names: tuple[str, ...]
    points: list[SeriesPoint]


def series(*, access: Access, kpi: Kpi, rows: list[Measurement] | None = None) -> Series:
    baseline, target = kpi.baseline_value, kpi.target_value  # type: ignore[attr-defined]

    def judged(value: Decimal | None) -> rag.Rag:
        return rag.status(value, baseline=baseline, target=target, direction=kpi.direction)

    if kpi.source == Source.ANNEX_B:
        points = [
            SeriesPoint(p.label, (p.customer, p.provider), judged(p.lower)) for p in annex_b_series(access=access)
        ]
        return Series(("Customer", "Provider"), points)
    rows = rows if rows is not None else list(measurements(kpi=kpi))
    return Series(
        (kpi.name,),
        [SeriesPoint(period_label(kpi.frequency, m.period), (m.value,), judged(m.value)) for m in rows],
    )
