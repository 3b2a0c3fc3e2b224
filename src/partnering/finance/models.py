"""Open-book accounting and incentives.

"Open book accounting: there could be open book accounting for both parties,
together with other measures that continually evaluate and demonstrate value
for money, not lowest price. Actual costs and agreed profit margins are made
visible, while also creating an understanding of the customer's budgetary
restrictions."

Each side keeps its own book of cost lines (the `side` of a line). Who else
may read a book is the arrangement's openness profile, applied by
`Access.sees_book_of` in core.policy: never here.

Money is `Decimal` to the penny, in the arrangement's currency (see money.py
for the rounding rules).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from partnering.arrangements.models import Arrangement, ProposalStatus
from partnering.core.audit import audited, register
from partnering.core.models import TimeStampedModel, VersionedModel
from partnering.finance import gainshare
from partnering.finance.money import CURRENCIES, DEFAULT_CURRENCY


class Book(models.TextChoices):
    CUSTOMER = "customer", "Customer's book"
    PROVIDER = "provider", "Provider's book"


class CostCategory(models.TextChoices):
    STAFF = "staff", "Staff"
    CONTRACTORS = "contractors", "Contractors and subcontractors"
    HOSTING = "hosting", "Hosting and infrastructure"
    SOFTWARE = "software", "Software and licences"
    FACILITIES = "facilities", "Facilities"
    SERVICE_CHARGES = "service_charges", "Service charges"
    OTHER = "other", "Other"


class Basis(models.TextChoices):
    COST = gainshare.COST, "Cost baseline (the gain is the saving)"
    BENEFIT = gainshare.BENEFIT, "Benefits baseline (the gain is the extra benefit)"


def _money_field(label: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kwargs)  # type: ignore[arg-type]


_PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class FinanceProfile(TimeStampedModel, VersionedModel):
    """The books' currency and, under a single project budget, the joint budget."""

    arrangement = models.OneToOneField(Arrangement, on_delete=models.CASCADE, related_name="finance")
    currency = models.CharField(max_length=3, choices=[(c, c) for c in CURRENCIES], default=DEFAULT_CURRENCY)
    joint_budget = _money_field(
        "single project budget",
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The one budget both sides manage together, when the openness profile says so.",
    )

    history = audited()

    def __str__(self) -> str:
        return f"Finance of {self.arrangement_id}"


class CostLine(TimeStampedModel, VersionedModel):
    """One line of a side's book for one period: planned against actual."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="cost_lines")
    side = models.CharField("book", max_length=20, choices=Book.choices)
    period = models.DateField(help_text="The first day of the month.")
    category = models.CharField(max_length=30, choices=CostCategory.choices)
    description = models.CharField(max_length=300)
    planned = _money_field("planned")
    actual = _money_field("actual", default=Decimal("0.00"))
    margin_pct = models.DecimalField(
        "agreed profit margin (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_PERCENT,
        help_text="Provider's book only: the margin agreed on this cost.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["period", "side", "category", "description"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "side", "period", "category", "description"],
                name="cost_line_unique_in_book",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="cost_line_period_first_of_month"),
            models.CheckConstraint(
                condition=Q(margin_pct__isnull=True) | Q(side="provider"), name="cost_line_margin_on_provider_book"
            ),
        ]
        indexes = [models.Index(fields=["arrangement", "side", "period"])]

    def __str__(self) -> str:
        return f"{self.period:%b %Y} {self.get_category_display()}: {self.description}"


class BudgetConstraint(TimeStampedModel, VersionedModel):
    """The customer's budgetary restrictions, in its book ("an understanding of
    the customer's budgetary restrictions")."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="budget_constraints")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    amount = _money_field("amount", null=True, blank=True)
    applies_from = models.DateField(null=True, blank=True)
    applies_to = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["applies_from", "title"]

    def __str__(self) -> str:
        return self.title


class ValueMeasure(TimeStampedModel):
    """A value-for-money measure: one book's actual cost per unit of service."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="value_measures")
    name = models.CharField(max_length=200, help_text="For example, cost per resident transaction.")
    unit = models.CharField(max_length=100, help_text="What is counted, for example ‘transactions’.")
    side = models.CharField("costs from", max_length=20, choices=Book.choices, default=Book.PROVIDER)

    history = audited()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["arrangement", "name"], name="value_measure_name_unique")]

    def __str__(self) -> str:
        return self.name


class MeasureCount(TimeStampedModel):
    """The units of service delivered in one period."""

    measure = models.ForeignKey(ValueMeasure, on_delete=models.CASCADE, related_name="counts")
    period = models.DateField()
    units = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["period"]
        constraints = [models.UniqueConstraint(fields=["measure", "period"], name="measure_count_once_per_period")]

    def __str__(self) -> str:
        return f"{self.measure}: {self.units} in {self.period:%b %Y}"


class IncentiveMechanism(TimeStampedModel, VersionedModel):
    """A gain-share (and pain-share) mechanism in force on the arrangement.

    Its terms change only through an `IncentiveProposal` that both the SRO and
    the SRIE agree; the audit trail keeps every set of terms it has had.
    """

    TERMS = (
        "name",
        "basis",
        "baseline",
        "customer_gain_pct",
        "provider_gain_pct",
        "customer_pain_pct",
        "provider_pain_pct",
        "cap",
        "floor",
        "efficiency_share",
        "efficiency_threshold_pct",
        "efficiency_bonus_pct",
    )

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="incentives")
    name = models.CharField(max_length=200)
    basis = models.CharField(max_length=20, choices=Basis.choices, default=Basis.COST)
    baseline = _money_field("baseline per period")
    customer_gain_pct = models.DecimalField("customer's gain share (%)", max_digits=5, decimal_places=2)
    provider_gain_pct = models.DecimalField("provider's gain share (%)", max_digits=5, decimal_places=2)
    customer_pain_pct = models.DecimalField("customer's pain share (%)", max_digits=5, decimal_places=2)
    provider_pain_pct = models.DecimalField("provider's pain share (%)", max_digits=5, decimal_places=2)
    cap = _money_field("cap on the provider's gain per period", null=True, blank=True)
    floor = _money_field("floor on the provider's loss per period", null=True, blank=True)
    efficiency_share = models.BooleanField("profit share for efficiency", default=False)
    efficiency_threshold_pct = models.DecimalField(
        "efficiency threshold (% of baseline)", max_digits=5, decimal_places=2, default=Decimal(0)
    )
    efficiency_bonus_pct = models.DecimalField(
        "efficiency bonus (percentage points)", max_digits=5, decimal_places=2, default=Decimal(0)
    )
    agreed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def terms(self) -> gainshare.Terms:
        return terms_from(self.terms_dict())

    def terms_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.TERMS}


def terms_from(values: dict[str, object]) -> gainshare.Terms:
    def dec(name: str) -> Decimal | None:
        value = values.get(name)
        return None if value in (None, "") else Decimal(str(value))

    return gainshare.Terms(
        baseline=dec("baseline") or Decimal(0),
        basis=str(values.get("basis") or gainshare.COST),
        customer_gain_pct=dec("customer_gain_pct") or Decimal(0),
        provider_gain_pct=dec("provider_gain_pct") or Decimal(0),
        customer_pain_pct=dec("customer_pain_pct") or Decimal(0),
        provider_pain_pct=dec("provider_pain_pct") or Decimal(0),
        cap=dec("cap"),
        floor=dec("floor"),
        efficiency_share=bool(values.get("efficiency_share")),
        efficiency_threshold_pct=dec("efficiency_threshold_pct") or Decimal(0),
        efficiency_bonus_pct=dec("efficiency_bonus_pct") or Decimal(0),
    )


class IncentiveProposal(TimeStampedModel):
    """New terms for a mechanism (or a new mechanism): in force once the SRO and the SRIE agree."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="incentive_proposals")
    mechanism = models.ForeignKey(
        IncentiveMechanism, null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    proposed_terms = models.JSONField("proposed terms")
    reason = models.CharField(max_length=500, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    sro_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sro_agreed_at = models.DateTimeField(null=True, blank=True)
    srie_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    srie_agreed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Incentive proposal: {self.proposed_terms.get('name', '')}"


class IncentivePeriod(TimeStampedModel, VersionedModel):
    """The measured outcome of one period (a cost or a benefit, by the mechanism's basis)."""

    mechanism = models.ForeignKey(IncentiveMechanism, on_delete=models.CASCADE, related_name="periods")
    period = models.DateField(help_text="The first day of the month.")
    outcome = _money_field("measured outcome")
    note = models.CharField(max_length=300, blank=True)

    history = audited()

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "period"], name="incentive_period_once"),
            models.CheckConstraint(condition=Q(period__day=1), name="incentive_period_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.mechanism}: {self.period:%b %Y}"


# The books (cost lines, budget constraints, value measures) stay off the
# arrangement history page: who reads them follows the open-book setting, which
# that page does not know. Their history is still recorded.
for _model in (FinanceProfile, IncentiveMechanism, IncentiveProposal):
    register(_model)
register(IncentivePeriod, "mechanism__arrangement_id")
