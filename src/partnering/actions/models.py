"""The one action model: every feature that needs follow-up creates these."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.choices import Visibility
from partnering.core.models import TimeStampedModel, VersionedModel


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Action(TimeStampedModel, VersionedModel):
    """Something one named person will do by a date, linked to what prompted it."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_actions"
    )
    due_date = models.DateField("due date", null=True, blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.SHARED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # What prompted the action: an assessment question, a gap, a risk, a concern...
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_detail = models.CharField(max_length=200, blank=True, help_text="For example the question id.")

    history = audited()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["arrangement", "status", "due_date"]),
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


register(Action)
