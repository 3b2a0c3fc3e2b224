"""The Procurement Act 2023 beside the guide: contract facts, published KPIs, performance assessments.

The guide (2003) asks for "a constructive, collaborative approach to setting
targets and (in particular) baselines". The Act (in force since 24 February
2025) adds a legal duty on top: for a contract in scope, at least three KPIs
published before the contract is entered into (s.52), and a contract
performance notice at least every 12 months and on termination (s.71) rating
performance against them. This app keeps what the duty needs with the
arrangement and lets both sides prepare the assessment together; it never
publishes to the central digital platform itself.

The kpis app does not know this one: which KPIs are published is a link model
here (`PublishedKpi`), not a flag on the KPI.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.choices import Visibility
from partnering.core.models import TimeStampedModel, VersionedModel
from partnering.kpis.models import Kpi
from partnering.procurement.ratings import Rating


class Regime(models.TextChoices):
    ACT_2023 = "pa2023", "Procurement Act 2023"
    PCR_2015 = "pcr2015", "Earlier regime (Public Contracts Regulations 2015)"


class Exemption(models.TextChoices):
    """s.52(2) as we read it: contracts for which the KPI duty does not apply."""

    NONE = "none", "None: the KPI and performance notice duties apply"
    FRAMEWORK = "framework", "A framework"
    CONCESSION = "concession", "A concession contract"
    LIGHT_TOUCH = "light_touch", "A light touch contract"
    NOT_APPROPRIATE = "not_appropriate", "Performance cannot appropriately be assessed by KPIs"
    OTHER = "other", "Another exemption (name it in the reason)"


class ContractFacts(TimeStampedModel, VersionedModel):
    """What the Act's duties need to know about the arrangement's contract (one per arrangement)."""

    arrangement = models.OneToOneField(Arrangement, on_delete=models.CASCADE, related_name="contract_facts")
    estimated_value = models.DecimalField(
        "estimated contract value (£)", max_digits=15, decimal_places=2, null=True, blank=True
    )
    regime = models.CharField("procurement regime", max_length=20, choices=Regime.choices, default=Regime.ACT_2023)
    exemption = models.CharField(
        "exemption relied on", max_length=30, choices=Exemption.choices, default=Exemption.NONE
    )
    exemption_reason = models.TextField("reason for the exemption", blank=True)
    ocid = models.CharField("open contracting ID (OCID)", max_length=100, blank=True)
    notice_identifier = models.CharField("contract details notice identifier", max_length=100, blank=True)
    buyer_scheme = models.CharField("customer identifier scheme", max_length=40, blank=True)
    buyer_identifier = models.CharField("customer identifier", max_length=100, blank=True)
    supplier_scheme = models.CharField("provider identifier scheme", max_length=40, blank=True)
    supplier_identifier = models.CharField("provider identifier", max_length=100, blank=True)
    terminated_on = models.DateField("contract terminated on", null=True, blank=True)

    history = audited()

    class Meta:
        verbose_name = "contract facts"
        verbose_name_plural = "contract facts"
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="contract_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Contract facts of {self.arrangement_id}"

    @property
    def act_applies(self) -> bool:
        return self.regime == Regime.ACT_2023

    @property
    def exempt(self) -> bool:
        return self.exemption != Exemption.NONE


class PublishedKpi(TimeStampedModel):
    """A KPI set and published for the contract under s.52 (it appears in the contract details notice)."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="published_kpis")
    kpi = models.OneToOneField(Kpi, on_delete=models.CASCADE, related_name="publication")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["kpi__name"]
        verbose_name = "published KPI"

    def __str__(self) -> str:
        return f"Published KPI {self.kpi_id}"


class AssessmentKind(models.TextChoices):
    ANNUAL = "annual", "Annual (at least once every 12 months)"
    TERMINATION = "termination", "On termination"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft (customer only)"
    SHARED = "shared", "Shared with the provider"
    APPROVED = "approved", "Approved by the SRO"
    PUBLISHED = "published", "Published"


class PerformanceAssessment(TimeStampedModel, VersionedModel):
    """One contract performance assessment: the content of one contract performance notice.

    The customer drafts it (visible to the customer only), shares it with the
    provider, who may comment or disagree, and the customer's SRO approves it.
    Publication on the platform is done by a person; the date is recorded here.
    """

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="performance_assessments")
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices, default=AssessmentKind.ANNUAL)
    period_start = models.DateField("period from")
    period_end = models.DateField("period to")
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    #: Customer-only while a draft, shared from the moment it is shared (history follows it).
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.CUSTOMER_ONLY)
    summary = models.TextField("overall comments", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_on = models.DateField("published on the platform on", null=True, blank=True)
    platform_notice_id = models.CharField("notice identifier on the platform", max_length=100, blank=True)
    published_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = audited()

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = "contract performance assessment"
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="assessment_period"),
        ]

    def __str__(self) -> str:
        return f"Contract performance assessment {self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"

    @property
    def title(self) -> str:
        return str(self)

    @property
    def is_editable(self) -> bool:
        return self.status in (AssessmentStatus.DRAFT, AssessmentStatus.SHARED)


class KpiRating(TimeStampedModel):
    """The rating of one published KPI in one assessment: the suggestion, the customer's rating and reasons."""

    assessment = models.ForeignKey(PerformanceAssessment, on_delete=models.CASCADE, related_name="ratings")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="+")
    suggested = models.CharField("suggested rating", max_length=30, choices=Rating.choices)
    suggestion_reason = models.CharField("why suggested", max_length=300, blank=True)
    rating = models.CharField("rating", max_length=30, choices=Rating.choices, blank=True)
    reason = models.TextField("reasons", blank=True)
    #: As the assessment: customer-only while a draft, so a draft rating never reaches the provider's history.
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.CUSTOMER_ONLY)
    #: The period's measurements as approved: [[period, value], ...], frozen at approval.
    evidence = models.JSONField(default=list, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = audited()

    class Meta:
        ordering = ["kpi__name"]
        verbose_name = "KPI rating"
        constraints = [models.UniqueConstraint(fields=["assessment", "kpi"], name="one_rating_per_kpi")]

    def __str__(self) -> str:
        return f"Rating of {self.kpi_id}"


class Stance(models.TextChoices):
    COMMENT = "comment", "Comment"
    DISAGREE = "disagree", "Disagree"


class ProviderResponse(TimeStampedModel):
    """The provider's view of a shared assessment, kept as the concerns log keeps the other side's view."""

    assessment = models.ForeignKey(PerformanceAssessment, on_delete=models.CASCADE, related_name="responses")
    rating = models.ForeignKey(KpiRating, null=True, blank=True, on_delete=models.CASCADE, related_name="responses")
    stance = models.CharField(max_length=20, choices=Stance.choices, default=Stance.COMMENT)
    text = models.TextField("response")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "provider's response"

    def __str__(self) -> str:
        return self.text[:60]


class IssueKind(models.TextChoices):
    """s.71 (our reading): what a contract performance notice may carry besides the KPI ratings."""

    BREACH_TERMINATION = "breach_termination", "Breach of contract resulting in termination"
    BREACH_DAMAGES = "breach_damages", "Breach of contract resulting in damages"
    BREACH_SETTLEMENT = "breach_settlement", "Breach of contract resulting in a settlement agreement"
    POOR_PERFORMANCE = "poor_performance", "Failure to perform after notice to improve"


class PerformanceIssue(TimeStampedModel):
    """Breach or poor-performance information a notice may carry; the provider is told before anyone else."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="performance_issues")
    assessment = models.ForeignKey(
        PerformanceAssessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    kind = models.CharField(max_length=30, choices=IssueKind.choices)
    description = models.TextField()
    occurred_on = models.DateField("happened on")
    #: Customer-only until the provider is told; shared from then on.
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.CUSTOMER_ONLY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    provider_told_at = models.DateTimeField(null=True, blank=True)
    provider_told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = audited()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = "breach or performance failure"

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def text(self) -> str:
        return self.description


register(ContractFacts)
register(PublishedKpi)
register(PerformanceAssessment)
register(KpiRating, "assessment__arrangement_id")
register(ProviderResponse, "assessment__arrangement_id")
register(PerformanceIssue)
