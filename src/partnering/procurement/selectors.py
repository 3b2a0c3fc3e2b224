"""Reads of the Procurement Act records, always through the access policy.

A draft assessment, its ratings and a breach not yet told to the provider are
customer-only records (`visibility`): the provider and the facilitator see them
only once shared, through `Access.visible_q`, as every private record of the
project. An assessment they may not see is a 404, as if it did not exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnering.core.choices import Stage
from partnering.core.policy import Access
from partnering.kpis.models import Kpi, Measurement
from partnering.kpis.selectors import kpi_list
from partnering.procurement import due
from partnering.procurement.models import (
    AssessmentKind,
    AssessmentStatus,
    ContractFacts,
    KpiRating,
    PerformanceAssessment,
    PerformanceIssue,
    ProviderResponse,
    PublishedKpi,
)

#: Stages before the contract is entered into: s.52's "before award".
BEFORE_AWARD = frozenset(
    {Stage.STRATEGIC_ASSESSMENT, Stage.BUSINESS_JUSTIFICATION, Stage.PROCUREMENT_STRATEGY, Stage.INVESTMENT_DECISION}
)
FINISHED = (AssessmentStatus.PUBLISHED,)


def facts_get(*, access: Access) -> ContractFacts | None:
    return ContractFacts.objects.filter(arrangement=access.arrangement).first()


def published_kpis(*, access: Access) -> QuerySet[Kpi]:
    """The contract's published KPIs, with the agreed baseline and target the kpis app annotates."""
    return kpi_list(access=access).filter(Exists(PublishedKpi.objects.filter(kpi=OuterRef("pk"))))


def kpi_choices(*, access: Access) -> list[tuple[Kpi, bool]]:
    """Every KPI of the arrangement and whether it is published: one query."""
    rows = Kpi.objects.filter(arrangement=access.arrangement).annotate(
        published=Exists(PublishedKpi.objects.filter(kpi=OuterRef("pk")))
    )
    return [(k, k.published) for k in rows]  # type: ignore[attr-defined]


def period_values(*, assessment: PerformanceAssessment, kpis: list[Kpi]) -> dict[int, list[tuple[date, Decimal]]]:
    """Each KPI's measurements in the assessment's period, oldest first: one query."""
    rows = (
        Measurement.objects.filter(
            kpi__in=[k.pk for k in kpis], period__gte=assessment.period_start, period__lte=assessment.period_end
        )
        .order_by("kpi_id", "period")
        .values_list("kpi_id", "period", "value")
    )
    out: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for kpi_id, period, value in rows:
        out[kpi_id].append((period, value))
    return out


def assessments_visible(*, access: Access) -> QuerySet[PerformanceAssessment]:
    """Every assessment this member may see: drafts are the customer's alone."""
    return PerformanceAssessment.objects.filter(arrangement=access.arrangement).filter(access.visible_q())


def assessment_list(*, access: Access) -> QuerySet[PerformanceAssessment]:
    return assessments_visible(access=access).select_related("approved_by", "created_by")


def assessment_get(*, access: Access, assessment_uuid: Any) -> PerformanceAssessment:
    """One assessment this member may see, or 404 (never 403: a draft's existence is not told)."""
    return get_object_or_404(
        assessments_visible(access=access).select_related(
            "arrangement", "created_by", "shared_by", "approved_by", "published_recorded_by"
        ),
        uuid=assessment_uuid,
    )


def ratings_for(*, access: Access, assessment: PerformanceAssessment) -> list[KpiRating]:
    """The assessment's ratings with their KPI and the provider's responses to each: three queries."""
    return list(
        KpiRating.objects.filter(assessment=assessment)
        .filter(access.visible_q())
        .select_related("kpi", "rated_by")
        .prefetch_related(
            Prefetch("responses", queryset=ProviderResponse.objects.select_related("author").order_by("created_at"))
        )
    )


def rating_get(*, access: Access, assessment: PerformanceAssessment, rating_uuid: Any) -> KpiRating:
    return get_object_or_404(
        KpiRating.objects.filter(access.visible_q()).select_related("kpi"), assessment=assessment, uuid=rating_uuid
    )


def responses_general(*, assessment: PerformanceAssessment) -> list[ProviderResponse]:
    """The provider's responses to the assessment as a whole (not to one KPI)."""
    return list(assessment.responses.filter(rating__isnull=True).select_related("author"))


def issues_visible(*, access: Access) -> QuerySet[PerformanceIssue]:
    return (
        PerformanceIssue.objects.filter(arrangement=access.arrangement)
        .filter(access.visible_q())
        .select_related("assessment", "created_by", "provider_told_by")
    )


def issue_get(*, access: Access, issue_uuid: Any) -> PerformanceIssue:
    return get_object_or_404(issues_visible(access=access), uuid=issue_uuid)


# -- the duty, as a summary --------------------------------------------------------------


@dataclass
class Duty:
    """Where the arrangement stands against s.52 and s.71: what the page and the rules show."""

    facts: ContractFacts | None
    in_scope: bool
    before_award: bool
    published: int
    due: due.Due | None
    last_published: date | None
    warnings: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due.overdue(timezone.localdate())


def _warnings(duty: Duty, today: date) -> list[str]:
    if not duty.in_scope:
        return []
    out = []
    if duty.published < due.MINIMUM_KPIS:
        when = "before the contract is entered into" if duty.before_award else "for this contract"
        out.append(
            f"The Procurement Act 2023 (s.52) asks for at least {due.MINIMUM_KPIS} published KPIs {when}; "
            f"{duty.published} {'is' if duty.published == 1 else 'are'} marked."
        )
    if duty.due is not None and duty.due.overdue(today):
        out.append(f"A contract performance notice was due by {duty.due.on:%-d %B %Y} (s.71) and is not published.")
    return out


def duty_from(
    *,
    facts: ContractFacts | None,
    stage: str,
    contract_start: date | None,
    published: int,
    last_published: date | None,
    termination_published: bool,
    today: date,
) -> Duty:
    in_scope = facts is not None and due.in_scope(
        act_applies=facts.act_applies, value=facts.estimated_value, exempt=facts.exempt
    )
    before_award = stage in BEFORE_AWARD
    next_due = None
    if in_scope and not before_award and facts is not None:
        next_due = due.next_due(
            contract_start=contract_start,
            last_published=last_published,
            terminated_on=facts.terminated_on,
            termination_notice_published=termination_published,
        )
    duty = Duty(facts, in_scope, before_award, published, next_due, last_published)
    duty.warnings = _warnings(duty, today)
    return duty


def duty(*, access: Access) -> Duty:
    """The arrangement's standing against the Act's duties: three queries."""
    arrangement = access.arrangement
    done = PerformanceAssessment.objects.filter(arrangement=arrangement, status__in=FINISHED).aggregate(
        last=Max("published_on")
    )
    termination = PerformanceAssessment.objects.filter(
        arrangement=arrangement, status__in=FINISHED, kind=AssessmentKind.TERMINATION
    ).exists()
    return duty_from(
        facts=facts_get(access=access),
        stage=arrangement.stage,
        contract_start=arrangement.contract_start,
        published=PublishedKpi.objects.filter(arrangement=arrangement).count(),
        last_published=done["last"],
        termination_published=termination,
        today=timezone.localdate(),
    )


def duties_for(arrangements: QuerySet, *, today: date) -> dict[int, Duty]:
    """The same for a batch of arrangements (the portfolio): three queries whatever the batch's size.

    Nothing here is private to one side: the facts, the published KPIs and the
    publication dates of approved notices are both sides' to see.
    """
    from django.db.models import Count, Q

    scope = arrangements.order_by().values("pk")
    rows = {
        f.arrangement_id: f for f in ContractFacts.objects.filter(arrangement__in=scope).select_related("arrangement")
    }
    if not rows:
        return {}
    counts = dict(
        PublishedKpi.objects.filter(arrangement__in=scope)
        .order_by()
        .values("arrangement_id")
        .annotate(n=Count("id"))
        .values_list("arrangement_id", "n")
    )
    finished = {
        row["arrangement_id"]: row
        for row in PerformanceAssessment.objects.filter(arrangement__in=scope, status__in=FINISHED)
        .order_by()
        .values("arrangement_id")
        .annotate(last=Max("published_on"), terminations=Count("id", filter=Q(kind=AssessmentKind.TERMINATION)))
    }
    out = {}
    for pk, facts in rows.items():
        a = facts.arrangement
        done = finished.get(pk, {})
        out[pk] = duty_from(
            facts=facts,
            stage=a.stage,
            contract_start=a.contract_start,
            published=counts.get(a.pk, 0),
            last_published=done.get("last"),
            termination_published=bool(done.get("terminations")),
            today=today,
        )
    return out
