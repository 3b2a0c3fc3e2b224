"""Exit and recompetition: "Even at the outset of the arrangement, you should
consider how it will end. Exit strategies and plans for recompetition should be
developed at an early stage, so both parties understand what will happen at the
end of the contract."

One strategy per arrangement, agreed by both sides (the SRO and the SRIE, as
for openness); any change after agreement clears both agreements, because each
side agreed to the old plan, not the new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.models import TimeStampedModel, VersionedModel


class ExitStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed by both sides"


class ExitStrategy(TimeStampedModel, VersionedModel):
    arrangement = models.OneToOneField(Arrangement, on_delete=models.CASCADE, related_name="exit_strategy")
    triggers = models.TextField("what would trigger exit or recompetition", blank=True)
    timeline = models.TextField("timeline to the end of the contract or recompetition", blank=True)
    continuity = models.TextField("business-continuity measures", blank=True)
    decision_by = models.DateField("decide between extension, exit and recompetition by", null=True, blank=True)
    recompetition_starts = models.DateField("recompetition starts", null=True, blank=True)
    handover_by = models.DateField("handover complete by", null=True, blank=True)
    status = models.CharField(max_length=10, choices=ExitStatus.choices, default=ExitStatus.DRAFT)
    sro_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sro_agreed_at = models.DateTimeField(null=True, blank=True)
    srie_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    srie_agreed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        verbose_name = "exit strategy"
        verbose_name_plural = "exit strategies"
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Exit strategy of {self.arrangement}"

    @property
    def is_agreed(self) -> bool:
        return self.status == ExitStatus.AGREED


class HandoverKind(models.TextChoices):
    KNOWLEDGE = "knowledge", "Knowledge"
    DATA = "data", "Data"
    ASSET = "asset", "Asset or service"


class HandoverItem(TimeStampedModel, VersionedModel):
    """One line of the knowledge and data handover checklist, with its owner."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="handover_items")
    strategy = models.ForeignKey(ExitStrategy, on_delete=models.CASCADE, related_name="handover_items")
    kind = models.CharField(max_length=20, choices=HandoverKind.choices, default=HandoverKind.KNOWLEDGE)
    title = models.CharField("item", max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="handover_items"
    )
    due_date = models.DateField("due date", null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["done", "due_date", "id"]
        indexes = [models.Index(fields=["strategy", "done", "due_date"])]

    def __str__(self) -> str:
        return self.title


register(ExitStrategy)
register(HandoverItem)
