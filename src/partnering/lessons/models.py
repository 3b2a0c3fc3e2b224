"""Lessons learned: "it is important to ensure that lessons learned stay
learned, and are passed on to others".

A lesson belongs to the arrangement it was learned in and follows the policy's
side visibility there. An organisation may publish one to its future
arrangements (`published_to_organisation`): it is then readable in every
arrangement where that organisation is the customer or the provider.

`search_text` is the lesson's words, normalised once by the services: the
portable full-text search reads it (PostgreSQL through a GIN expression index,
SQLite by substring per term).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from partnering.accounts.models import Organisation
from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.choices import Stage, Visibility
from partnering.core.models import TimeStampedModel, VersionedModel


class Source(models.TextChoices):
    DIRECT = "direct", "Recorded directly"
    CONCERN = "concern", "A resolved concern"
    ASSESSMENT = "assessment", "An assessment"
    BOARD_MEETING = "board_meeting", "A board meeting"


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
    published_to_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_lessons",
        verbose_name="published to the future arrangements of",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    search_text = models.TextField(editable=False, default="")

    history = audited(excluded=["search_text"])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["arrangement", "visibility"]),
            models.Index(fields=["published_to_organisation", "visibility"]),
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
        return self.published_to_organisation_id is not None


register(Lesson)
