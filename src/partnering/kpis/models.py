"""Collaborative performance management: KPIs, their agreed baselines and targets, measurements.

The guide: "a constructive, collaborative approach to setting targets and (in
particular) baselines can help to build awareness of what can and cannot be
achieved". So a baseline or target is never simply entered: one side proposes
it and the other side agrees it, and both are recorded. Every proposal is kept,
so the history of agreed values stays readable after a re-baselining.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.models import TimeStampedModel, VersionedModel


class KpiKind(models.TextChoices):
    SERVICE = "service", "Service KPI"
    RELATIONSHIP = "relationship", "Relationship KPI"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"


class Source(models.TextChoices):
    """Where the measurements come from."""

    MEASURED = "measured", "Measurements entered or imported by either side"
    ANNEX_B = "annex_b", "Annex B assessments: each side's share of Fully or Largely answers"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the other side"
    AGREED = "agreed", "Agreed"
    SUPERSEDED = "superseded", "Superseded by a later proposal"


class Kpi(TimeStampedModel, VersionedModel):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=KpiKind.choices, default=KpiKind.SERVICE)
    unit = models.CharField(max_length=40, help_text="For example %, days, calls or £.")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    data_source = models.CharField("data source", max_length=300, blank=True)
    source = models.CharField("measured from", max_length=20, choices=Source.choices, default=Source.MEASURED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "name"], name="kpi_name_unique_in_arrangement"),
            # Only relationship KPIs can be drawn from the Annex B assessments.
            models.CheckConstraint(
                condition=~Q(source="annex_b") | Q(kind="relationship"), name="kpi_annex_b_is_a_relationship_kpi"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.source != Source.MEASURED


class Proposal(TimeStampedModel):
    """A value one side proposes and the other side agrees (abstract)."""

    value = models.DecimalField(max_digits=16, decimal_places=4)
    note = models.TextField("reasoning", blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_side = models.CharField(max_length=20)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_side = models.CharField(max_length=20, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    @property
    def status(self) -> str:
        if self.agreed_at is not None:
            return ProposalStatus.AGREED
        if self.superseded_at is not None:
            return ProposalStatus.SUPERSEDED
        return ProposalStatus.PENDING

    def get_status_display(self) -> str:
        return str(ProposalStatus(self.status).label)


class BaselineProposal(Proposal):
    """The level at which the service is provided now, from which improvement is measured."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="baselines")
    # "The baseline ... can be very difficult to establish at the outset": say how sure it is.
    uncertainty = models.TextField("how uncertain the baseline is", blank=True)

    history = audited()

    class Meta(Proposal.Meta):
        verbose_name = "baseline proposal"
        constraints = [
            models.CheckConstraint(
                condition=~Q(agreed_side="") | Q(agreed_at__isnull=True), name="baseline_agreement_names_a_side"
            ),
        ]

    def __str__(self) -> str:
        return f"Baseline {self.value} for {self.kpi_id}"


class TargetProposal(Proposal):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")

    history = audited()

    class Meta(Proposal.Meta):
        verbose_name = "target proposal"
        constraints = [
            models.CheckConstraint(
                condition=~Q(agreed_side="") | Q(agreed_at__isnull=True), name="target_agreement_names_a_side"
            ),
        ]

    def __str__(self) -> str:
        return f"Target {self.value} for {self.kpi_id}"


class Measurement(TimeStampedModel, VersionedModel):
    """One period's value, entered by either side or imported."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField(help_text="The first day of the period measured.")
    value = models.DecimalField(max_digits=16, decimal_places=4)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_side = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    history = audited()

    class Meta:
        ordering = ["period"]
        constraints = [models.UniqueConstraint(fields=["kpi", "period"], name="measurement_one_per_kpi_period")]

    def __str__(self) -> str:
        return f"{self.period}: {self.value}"


register(Kpi)
register(BaselineProposal, "kpi__arrangement_id")
register(TargetProposal, "kpi__arrangement_id")
register(Measurement, "kpi__arrangement_id")
