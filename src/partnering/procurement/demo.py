"""Demo: the Northshire contract under the Procurement Act 2023, three published KPIs, one notice
published eleven and a half months ago and the next one due in a fortnight, its assessment shared
with the provider and answered (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for
from partnering.kpis import services as kpi_services
from partnering.kpis.models import Kpi, Measurement
from partnering.kpis.periods import period_start
from partnering.procurement import selectors, services
from partnering.procurement.due import add_months
from partnering.procurement.models import ContractFacts, PerformanceAssessment

User = get_user_model()

SRO = "helen.carter@northshire.example"
MANAGER = "daniel.okafor@northshire.example"
SRIE = "james.whitfield@brightwave.example"
PUBLISHED = ("Calls answered within 60 seconds", "Service desk first-time fix", "Payments service availability")
#: Made-up identifiers in the platform's formats (not real organisations' numbers).
FACTS = {
    "estimated_value": Decimal("38500000.00"),
    "regime": "pa2023",
    "exemption": "none",
    "ocid": "ocds-h6vhtk-0de3a1",
    "notice_identifier": "004217-2025",
    "buyer_scheme": "GB-PPON",
    "buyer_identifier": "PNQW-7341-DMXR",
    "supplier_scheme": "GB-COH",
    "supplier_identifier": "08412937",
}


@demo_hook
def demo_procurement(arrangement) -> None:  # noqa: ANN001
    if ContractFacts.objects.filter(arrangement=arrangement).exists() or arrangement.contract_start is None:
        return
    people = {u.email: u for u in User.objects.filter(email__in=[SRO, MANAGER, SRIE])}
    kpis = {k.name: k for k in Kpi.objects.filter(arrangement=arrangement, name__in=PUBLISHED)}
    if len(people) < 3 or len(kpis) < len(PUBLISHED):
        return
    sro, manager, srie = (access_for(user=people[e], arrangement_slug=arrangement.slug) for e in (SRO, MANAGER, SRIE))
    services.contract_facts_save(access=manager, expected_version=0, values=FACTS)
    for name in PUBLISHED:
        services.kpi_publish(access=manager, kpi=kpis[name])
    _earlier_figures(srie, arrangement, kpis)

    today = timezone.localdate()
    published_on = add_months(today, -12) + timedelta(days=14)  # so the next is due in 14 days
    past_end = published_on.replace(day=1) - timedelta(days=1)
    past = services.assessment_start(
        access=manager,
        period_start=arrangement.contract_start,
        period_end=past_end,
        summary="First assessment since the contract began: a good start on the telephony and payments KPIs.",
    )
    _rate(manager, past, "Measured every month of the period; see the figures.")
    past = services.assessment_share(access=manager, assessment=past)
    services.response_add(
        access=srie, assessment=past, text="We agree with the ratings. First-time fix improves with the new tool."
    )
    past = services.assessment_approve(access=sro, assessment=past)
    # As it happened: shared and approved in the days before publication.
    PerformanceAssessment.objects.filter(pk=past.pk).update(
        shared_at=timezone.now() - (today - published_on) - timedelta(days=10),
        approved_at=timezone.now() - (today - published_on) - timedelta(days=3),
    )
    past.refresh_from_db()
    services.assessment_record_publication(
        access=manager, assessment=past, published_on=published_on, platform_notice_id="031588-2025"
    )

    current = services.assessment_start(
        access=manager,
        period_start=past_end + timedelta(days=1),
        period_end=today.replace(day=1) - timedelta(days=1),
        summary="Second annual assessment: prepared with Brightwave before the SRO approves it.",
    )
    _rate(manager, current, "Proposed from this year's monthly figures, agreed at the service review.")
    current = services.assessment_share(access=manager, assessment=current)
    first_time_fix = current.ratings.get(kpi=kpis["Service desk first-time fix"])
    services.response_add(
        access=srie,
        assessment=current,
        rating=first_time_fix,
        stance="disagree",
        text="Two months were hit by the council's network change, outside our control: we ask for Good.",
    )


def _earlier_figures(access, arrangement, kpis) -> None:  # noqa: ANN001
    """Monthly figures from the contract's start up to the KPIs demo's first month, near each baseline."""
    agreed = {k.pk: k for k in selectors.published_kpis(access=access)}
    for kpi in kpis.values():
        first = Measurement.objects.filter(kpi=kpi).order_by("period").values_list("period", flat=True).first()
        baseline = agreed[kpi.pk].baseline_value  # type: ignore[attr-defined]
        target = agreed[kpi.pk].target_value  # type: ignore[attr-defined]
        if first is None or baseline is None or target is None:
            continue
        month, n = period_start("monthly", arrangement.contract_start), 0
        while month < first:
            share = Decimal("0.3") + Decimal(n % 4) / Decimal(10)
            value = (baseline + (target - baseline) * share).quantize(Decimal("0.01"))
            kpi_services.measurement_record(access=access, kpi=kpi, period=month, value=value)
            month, n = add_months(month, 1), n + 1


def _rate(access, assessment, reason: str) -> None:  # noqa: ANN001
    for rating in assessment.ratings.all():
        services.rating_set(access=access, rating=rating, value=rating.suggested, reason=reason)
