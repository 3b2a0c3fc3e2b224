"""Lessons learned: "it is important to ensure that lessons learned stay
learned, and are passed on to others".

A lesson belongs to the arrangement it was learned in and follows the policy's
side visibility there. It records who wrote it (`author_side`): the customer,
the provider, or both jointly. Only its authors publish it to the future
arrangements of their own organisation: a one-side lesson when that side
agrees, a joint lesson once both sides' leads agree (each consent is recorded
with the person who gave it). A published lesson is readable in every
arrangement where a publishing organisation is the customer or the provider;
an author withdrawing its consent takes it out of every library at once.

`search_text` is the lesson's words, normalised once by the services: the
portable full-text search reads it (PostgreSQL through a GIN expression index,
SQLite by substring per term).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from partnering.accounts.models import Organisation
from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.choices import Side, Stage, Visibility
from partnering.core.models import TimeStampedModel, VersionedModel


class Source(models.TextChoices):
    DIRECT = "direct", "Recorded directly"
    CONCERN = "concern", "A resolved concern"
    ASSESSMENT = "assessment", "An assessment"
    BOARD_MEETING = "board_meeting", "A board meeting"


class Authorship(models.TextChoices):
    CUSTOMER = "customer", "The customer"
    PROVIDER = "provider", "The provider"
    JOINT = "joint", "Both sides, jointly"


class Lesson(TimeStampedModel, VersionedModel):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=300)
    what_happened = models.TextField("what happened")
    lesson = models.TextField("the lesson")
    recommendation = models.TextField("recommendation for future arrangements", blank=True)
    tags = models.CharField(max_length=500, blank=True, help_text="Normalised: lower case, comma separated.")
    stage = models.CharField("lifecycle stage", max_length=40, choices=Stage.choices)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DIRECT)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField("learned from", max_length=300, blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.SHARED)
    author_side = models.CharField("written by", max_length=20, choices=Authorship.choices, default=Authorship.JOINT)
    # Each side's consent to publication, given by a member of that side's own organisation.
    customer_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="publication agreed for the customer by",
    )
    customer_consent_at = models.DateTimeField("customer agreed to publish at", null=True, blank=True)
    provider_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="publication agreed for the provider by",
    )
    provider_consent_at = models.DateTimeField("provider agreed to publish at", null=True, blank=True)
    # Set once every author side has agreed; cleared when any of them withdraws.
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    search_text = models.TextField(editable=False, default="")

    history = audited(excluded=["search_text"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["arrangement", "visibility"]),
            models.Index(fields=["published_at", "author_side"]),
            models.Index(fields=["stage"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(", ") if t]

    @property
    def is_private(self) -> bool:
        return self.visibility != Visibility.SHARED

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_joint(self) -> bool:
        return self.author_side == Authorship.JOINT

    @property
    def author_sides(self) -> tuple[str, ...]:
        """The sides whose consent publication needs: its authors."""
        if self.author_side == Authorship.JOINT:
            return (Side.CUSTOMER, Side.PROVIDER)
        return (self.author_side,)

    def consent_at(self, side: str) -> Any:
        return getattr(self, f"{side}_consent_at", None) if side in (Side.CUSTOMER, Side.PROVIDER) else None

    @property
    def published_to(self) -> list[Organisation]:
        """The organisations whose libraries hold it: every author side's (empty until published)."""
        if not self.is_published:
            return []
        arrangement = self.arrangement
        return [arrangement.customer if side == Side.CUSTOMER else arrangement.provider for side in self.author_sides]

    @property
    def published_to_names(self) -> str:
        return " and ".join(str(org) for org in self.published_to)


register(Lesson)
