"""Demo books: two years of monthly cost lines on both books, one gain-share
mechanism agreed by the SRO and the SRIE, with its shares computed (idempotent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for
from partnering.finance import services
from partnering.finance.models import CostLine

User = get_user_model()

SRO = "helen.carter@northshire.example"
SRIE = "james.whitfield@brightwave.example"
MONTHS = 24

# (category, description, planned per month, margin % for the provider's lines)
CUSTOMER_LINES = [
    ("staff", "Contract management and assurance team", Decimal("18500.00"), None),
    ("facilities", "Co-located delivery space", Decimal("4200.00"), None),
    ("service_charges", "Payments to the provider (monthly service charge)", Decimal("96000.00"), None),
]
PROVIDER_LINES = [
    ("staff", "Delivery and service teams", Decimal("61000.00"), Decimal("9.50")),
    ("hosting", "Cloud hosting and monitoring", Decimal("14500.00"), Decimal("6.00")),
    ("software", "Licences: identity verification and case management", Decimal("7800.00"), Decimal("5.00")),
    ("contractors", "Accessibility and security testing", Decimal("3200.00"), Decimal("8.00")),
]


def _months(end: date, count: int) -> list[date]:
    months, year, month = [], end.year, end.month
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _actual(planned: Decimal, i: int, j: int) -> Decimal:
    # A deterministic wobble of −4 % to +5 %, with savings growing over time on hosting.
    wobble = Decimal((i * 7 + j * 13) % 10 - 4) / Decimal(100)
    return (planned * (1 + wobble)).quantize(Decimal("0.01"))


@demo_hook
def demo_finance(arrangement) -> None:  # noqa: ANN001
    if CostLine.objects.filter(arrangement=arrangement).exists():
        return
    people = {u.email: u for u in User.objects.filter(email__in=[SRO, SRIE])}
    if SRO not in people or SRIE not in people:
        return
    customer = access_for(user=people[SRO], arrangement_slug=arrangement.slug)
    provider = access_for(user=people[SRIE], arrangement_slug=arrangement.slug)
    services.finance_profile_ensure(arrangement=arrangement)
    today = timezone.localdate()
    last = date(today.year, today.month, 1)
    months = _months(date(last.year - (last.month == 1), (last.month - 2) % 12 + 1, 1), MONTHS)
    provider_totals: dict[date, Decimal] = {}
    for i, month in enumerate(months):
        for access, lines in ((customer, CUSTOMER_LINES), (provider, PROVIDER_LINES)):
            for j, (category, description, planned, margin) in enumerate(lines):
                actual = _actual(planned, i, j)
                if category == "hosting":
                    actual -= Decimal(60 * i)  # efficiency gains on hosting, month by month
                services.cost_line_create(
                    access=access,
                    period=month,
                    category=category,
                    description=description,
                    planned=planned,
                    actual=actual,
                    margin_pct=margin,
                )
                if access is provider:
                    provider_totals[month] = provider_totals.get(month, Decimal(0)) + actual
    services.budget_constraint_add(
        access=customer,
        title="Revenue budget for digital services",
        description="Set by the council each February; no carry-forward between years.",
        amount=Decimal("1450000.00"),
        applies_from=date(months[-12].year, 4, 1),
    )
    measure = services.value_measure_add(
        access=customer, name="Cost per resident transaction", unit="transaction", side="provider"
    )
    for i, month in enumerate(months):
        services.measure_count_set(access=customer, measure=measure, period=month, units=Decimal(41000 + 650 * i))
    proposal = services.incentive_propose(
        access=customer,
        terms={
            "name": "Service cost gain share",
            "basis": "cost",
            "baseline": Decimal("86500.00"),
            "customer_gain_pct": Decimal(50),
            "provider_gain_pct": Decimal(50),
            "customer_pain_pct": Decimal(50),
            "provider_pain_pct": Decimal(50),
            "cap": Decimal("2500.00"),
            "floor": Decimal("-1500.00"),
            "efficiency_share": True,
            "efficiency_threshold_pct": Decimal(2),
            "efficiency_bonus_pct": Decimal(10),
        },
        reason="Share savings on the provider's monthly service cost against the agreed baseline.",
    )
    mechanism = services.incentive_agree(access=provider, proposal=proposal).mechanism
    for month in months:
        services.incentive_period_set(
            access=provider,
            mechanism=mechanism,
            period=month,
            outcome=provider_totals[month],
            note="From the provider's book",
        )
