"""Records of the archive app: Gateway packs as issued, and what reminders were sent.

An export has no model: it is a file, made on demand from the records themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partnering.arrangements.models import Arrangement
from partnering.core.models import TimeStampedModel

GATES = (0, 1, 2, 3, 4, 5)


class GatewayPack(TimeStampedModel):
    """One issued version of a Gateway pack: the PDF exactly as generated, with its digest.

    A pack is evidence for a joint review, so it holds only what both sides see
    (shared records, revealed assessments): any member may download any version.
    """

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="gateway_packs")
    gate = models.PositiveSmallIntegerField(choices=[(g, f"Gate {g}") for g in GATES])
    number = models.PositiveIntegerField("version")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField()

    class Meta:
        ordering = ["gate", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "gate", "number"], name="gateway_pack_version_unique")
        ]

    def __str__(self) -> str:
        return f"Gate {self.gate} pack, version {self.number}"


class ReminderPreference(models.Model):
    """A person's choice about the daily reminder digest; no row means they get it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    opted_out = models.BooleanField("no reminder e-mails", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Reminders for {self.user}: {'off' if self.opted_out else 'on'}"


class ReminderLog(models.Model):
    """One event a person has been reminded of. The unique key is what makes sending idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event_key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="remind_once_per_event")]

    def __str__(self) -> str:
        return self.event_key
