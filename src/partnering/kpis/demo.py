"""Demo KPIs: ten service and relationship KPIs with agreed baselines, targets and a year of figures (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for
from partnering.kpis import services
from partnering.kpis.models import Kpi
from partnering.kpis.periods import previous_periods

User = get_user_model()

CUSTOMER = "helen.carter@northshire.example"
PROVIDER = "james.whitfield@brightwave.example"

# (name, kind, unit, direction, frequency, data source, baseline, target, proposer, first value, last value,
#  uncertainty of the baseline; None: baseline still waiting for agreement)
KPIS = [
    (
        "Calls answered within 60 seconds",
        "service",
        "%",
        "higher",
        "monthly",
        "Contact centre telephony reports",
        78,
        90,
        "provider",
        79,
        88,
        "Six months of telephony data before go-live.",
    ),
    (
        "Online forms completed without help",
        "service",
        "%",
        "higher",
        "monthly",
        "Web analytics",
        55,
        75,
        "customer",
        56,
        71,
        "Estimated from the old forms' abandonment rates.",
    ),
    (
        "Service desk first-time fix",
        "service",
        "%",
        "higher",
        "monthly",
        "Service desk tool",
        68,
        80,
        "provider",
        66,
        82,
        "",
    ),
    (
        "Days to process a new benefit claim",
        "service",
        "days",
        "lower",
        "monthly",
        "Benefits case management system",
        22,
        14,
        "customer",
        23,
        16,
        "The old system counted weekends differently.",
    ),
    (
        "Payments service availability",
        "service",
        "%",
        "higher",
        "monthly",
        "Hosting monitoring",
        99.5,
        99.9,
        "provider",
        99.6,
        99.95,
        "",
    ),
    (
        "Priority 1 incidents",
        "service",
        "incidents",
        "lower",
        "monthly",
        "Service desk tool",
        6,
        2,
        "provider",
        7,
        3,
        "",
    ),
    (
        "Resident satisfaction with online services",
        "service",
        "%",
        "higher",
        "quarterly",
        "Quarterly resident survey",
        64,
        80,
        "customer",
        63,
        74,
        "One survey only, with 212 replies.",
    ),
    (
        "Cost per transaction",
        "service",
        "£",
        "lower",
        "quarterly",
        "Open-book cost model",
        None,
        4.2,
        "provider",
        6.1,
        5.3,
        "Very uncertain: the council's back-office costs are not yet split by channel.",
    ),
    (
        "Joint board actions closed on time",
        "relationship",
        "%",
        "higher",
        "monthly",
        "Board action log",
        60,
        85,
        "customer",
        58,
        81,
        "",
    ),
]
ANNEX_B = ("Annex B: share of Fully or Largely answers", 55, 75, "customer")


@demo_hook
def demo_kpis(arrangement) -> None:  # noqa: ANN001
    if Kpi.objects.filter(arrangement=arrangement).exists():
        return
    people = {u.email: u for u in User.objects.filter(email__in=[CUSTOMER, PROVIDER])}
    if CUSTOMER not in people or PROVIDER not in people:
        return
    access = {
        side: access_for(user=people[email], arrangement_slug=arrangement.slug)
        for side, email in (("customer", CUSTOMER), ("provider", PROVIDER))
    }
    other = {"customer": "provider", "provider": "customer"}
    last_period = timezone.localdate().replace(day=1) - timedelta(days=1)
    for i, (name, kind, unit, direction, frequency, source, baseline, target, by, first, last, why) in enumerate(KPIS):
        kpi = services.kpi_create(
            access=access[by],
            name=name,
            kind=kind,
            unit=unit,
            direction=direction,
            frequency=frequency,
            data_source=source,
            description=f"{name}, as reported by the {source.lower()}.",
        )
        if baseline is None:
            # Proposed but not agreed: the list flags it, with how uncertain it is.
            services.proposal_make(
                access=access[by],
                kpi=kpi,
                what="baseline",
                value=Decimal("6.80"),
                uncertainty=why,
                note="From last year's open-book figures.",
            )
        else:
            b = services.proposal_make(
                access=access[by], kpi=kpi, what="baseline", value=Decimal(str(baseline)), uncertainty=why
            )
            services.proposal_agree(access=access[other[by]], proposal=b)
        # Targets come from the other side, so that both sides have proposed and agreed something.
        t = services.proposal_make(
            access=access[other[by]],
            kpi=kpi,
            what="target",
            value=Decimal(str(target)),
            note="In line with the service levels in the contract.",
        )
        services.proposal_agree(access=access[by], proposal=t)
        count = 12 if frequency == "monthly" else 4
        periods = previous_periods(frequency, last_period, count)
        for n, period in enumerate(periods):
            # A steady improvement with a wobble, so that trends and statuses vary.
            share = Decimal(n) / Decimal(max(count - 1, 1))
            wobble = Decimal((-1) ** (n + i)) * abs(Decimal(str(last)) - Decimal(str(first))) / 10
            value = Decimal(str(first)) + (Decimal(str(last)) - Decimal(str(first))) * share + wobble
            services.measurement_record(
                access=access["provider" if n % 3 else "customer"],
                kpi=kpi,
                period=period,
                value=value.quantize(Decimal("0.01")),
                note="Figures checked at the monthly service review." if n == count - 1 else "",
            )
    name, baseline, target, by = ANNEX_B
    kpi = services.kpi_create(
        access=access[by],
        name=name,
        kind="relationship",
        unit="%",
        direction="higher",
        source="annex_b",
        data_source="Annex B assessments (agreed answers of each side)",
        description="How much of the relationship each side sees as working well, from the annual Annex B.",
    )
    b = services.proposal_make(
        access=access[by],
        kpi=kpi,
        what="baseline",
        value=Decimal(baseline),
        uncertainty="One cycle only: last year's assessment.",
    )
    services.proposal_agree(access=access[other[by]], proposal=b)
    t = services.proposal_make(access=access[other[by]], kpi=kpi, what="target", value=Decimal(target))
    services.proposal_agree(access=access[by], proposal=t)
