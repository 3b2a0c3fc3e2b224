"""The shared risk register: "a joint approach to managing risks", with clarity
of who is responsible for and manages which risks.

Score and rating are stored, computed once by the services from likelihood and
impact (`scoring.py` holds the matrix), so that the register can filter and
sort on them in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.choices import Visibility
from partnering.core.models import TimeStampedModel, VersionedModel
from partnering.risks.scoring import Rating


class Category(models.TextChoices):
    IMPLEMENTATION = "implementation", "Implementation"
    SERVICE_DELIVERY = "service_delivery", "Ongoing service delivery"
    COMMERCIAL = "commercial", "Commercial"
    RELATIONSHIP = "relationship", "Relationship"
    OTHER = "other", "Other"


class OwningSide(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PROVIDER = "provider", "Provider"
    JOINT = "joint", "Joint"


class Proximity(models.TextChoices):
    """When the risk could happen: how soon the response must be in place."""

    IMMINENT = "imminent", "Imminent (within a month)"
    SOON = "soon", "Within three months"
    THIS_YEAR = "this_year", "Within a year"
    LATER = "later", "More than a year away"


class Response(models.TextChoices):
    AVOID = "avoid", "Avoid"
    REDUCE = "reduce", "Reduce"
    TRANSFER = "transfer", "Transfer"
    ACCEPT = "accept", "Accept"
    SHARE = "share", "Share"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


_ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Risk(TimeStampedModel, VersionedModel):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="risks")
    reference = models.CharField(max_length=20, help_text="For example R-001.")
    # The number behind an automatic reference, to find the next one.
    number = models.PositiveIntegerField(default=0, editable=False)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.OTHER)
    owning_side = models.CharField("owning side", max_length=20, choices=OwningSide.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    owner_rationale = models.TextField("why this party is best placed to manage it", blank=True)
    likelihood = models.PositiveSmallIntegerField(validators=_ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(validators=_ONE_TO_FIVE)
    score = models.PositiveSmallIntegerField(editable=False)
    rating = models.CharField(max_length=10, choices=Rating.choices, editable=False)
    proximity = models.CharField(max_length=20, choices=Proximity.choices, blank=True)
    response = models.CharField(max_length=20, choices=Response.choices, blank=True)
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    next_review_date = models.DateField("next review date", null=True, blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.SHARED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField("shared with the other side at", null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["number", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "reference"], name="risk_reference_unique_in_arrangement"),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risk_likelihood_and_impact_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["arrangement", "visibility", "status"]),
            models.Index(fields=["arrangement", "number"]),
            models.Index(fields=["arrangement", "score"]),
            models.Index(fields=["arrangement", "next_review_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_private(self) -> bool:
        return self.visibility != Visibility.SHARED

    @property
    def is_review_overdue(self) -> bool:
        return (
            self.status == RiskStatus.OPEN
            and self.next_review_date is not None
            and self.next_review_date < timezone.localdate()
        )


class RiskComment(TimeStampedModel):
    """The discussion of a risk: comments from either side, seen by whoever sees the risk."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("comment", max_length=5000)

    history = audited()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


# Comments carry no visibility of their own, so they stay off the arrangement
# history page (which filters on `visibility`); their history is still kept.
register(Risk)
