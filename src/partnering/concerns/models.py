"""The concern log: problems raised early, explained from the other party's side, escalated in steps.

The guide: "one of the key benefits of effective partnering is being able to
raise issues or areas of concern at an earlier stage, thereby making them
easier to resolve", and "when a problem occurs each party could be required to
explain the issues from the perspective of the other party". A concern climbs
the governance ladder (working level, relationship managers, SRO and SRIE,
joint board) one recorded step at a time, and is closed with a no-blame
summary that the lessons feature can publish.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.choices import Side, Visibility
from partnering.core.models import TimeStampedModel, VersionedModel


class Level(models.IntegerChoices):
    """The escalation ladder, lowest first: the numbers order it."""

    WORKING = 1, "Working level"
    RELATIONSHIP_MANAGERS = 2, "Relationship managers"
    SRO_AND_SRIE = 3, "SRO and SRIE"
    JOINT_BOARD = 4, "Joint board"


#: From this level up a concern is shared with both sides whatever the openness.
SHARED_FROM_LEVEL = Level.SRO_AND_SRIE


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Concern(TimeStampedModel, VersionedModel):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="concerns")
    reference = models.CharField(max_length=20)
    number = models.PositiveIntegerField(default=0, editable=False)
    title = models.CharField(max_length=300)
    description = models.TextField("what the concern is")
    impact = models.TextField("impact if it is not resolved")
    other_side_view = models.TextField(
        "how the other party sees the issue",
        help_text="The raising side explains the issue from the other party's perspective.",
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_by_side = models.CharField("raised by side", max_length=20, choices=Side.choices)
    level = models.PositiveSmallIntegerField("escalation level", choices=Level.choices, default=Level.WORKING)
    level_since = models.DateTimeField("at this level since")
    status = models.CharField(max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.SHARED)
    shared_at = models.DateTimeField("shared with the other side at", null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_summary = models.TextField("no-blame resolution summary", blank=True)
    # Kept for the lessons feature: it publishes what is marked publishable.
    publishable_as_lesson = models.BooleanField("may be published as a lesson", default=False)
    lesson_text = models.TextField("lesson learned", blank=True)

    history = audited()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "reference"], name="concern_reference_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="concern_level_on_ladder"),
        ]
        indexes = [models.Index(fields=["arrangement", "visibility", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_private(self) -> bool:
        return self.visibility != Visibility.SHARED

    @property
    def is_open(self) -> bool:
        return self.status == ConcernStatus.OPEN


class ConcernStatement(TimeStampedModel, VersionedModel):
    """The other side's own statement of the concern: one per side, edited with optimistic locking."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="statements")
    side = models.CharField(max_length=20, choices=Side.choices)
    text = models.TextField("statement", max_length=5000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["side"]
        constraints = [models.UniqueConstraint(fields=["concern", "side"], name="one_statement_per_side")]

    def __str__(self) -> str:
        return self.text[:60]


class EscalationEvent(TimeStampedModel):
    """A step on the ladder, up or down, with the reason: the record of how the concern travelled."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="escalations")
    from_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    to_level = models.PositiveSmallIntegerField(choices=Level.choices)
    reason = models.TextField(max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_level_display() or 'Raised'} → {self.get_to_level_display()}"

    @property
    def is_escalation(self) -> bool:
        return self.from_level is None or self.to_level > self.from_level


class ConcernComment(TimeStampedModel):
    """The discussion of a concern: comments from either side, seen by whoever sees the concern."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("comment", max_length=5000)

    history = audited()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


# Statements, steps and comments carry no visibility of their own, so they stay
# off the arrangement history page (which filters on `visibility`); their
# history is still kept. The concern itself follows its visibility there.
register(Concern)
