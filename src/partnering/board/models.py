"""The joint project board: "chaired by the SRO, with the active involvement of
the SRIE as technical adviser or even Senior Supplier".

The board exists only when the arrangement's agreed openness has a joint
project board. Its members are the arrangement's members holding the board
member, SRO or SRIE role; each seat's board role is stored only where it
differs from the default (see selectors.board_members).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partnering.arrangements.models import Arrangement, Membership
from partnering.core.audit import audited, register
from partnering.core.models import TimeStampedModel, VersionedModel


class BoardRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    TECHNICAL_ADVISER = "technical_adviser", "Technical adviser"
    SENIOR_SUPPLIER = "senior_supplier", "Senior supplier"
    MEMBER = "member", "Member"


class Board(TimeStampedModel, VersionedModel):
    """The board's own record: its seats are edited together, under one version."""

    arrangement = models.OneToOneField(Arrangement, on_delete=models.CASCADE, related_name="board")

    history = audited()

    def __str__(self) -> str:
        return f"Joint project board of {self.arrangement}"


class BoardSeat(TimeStampedModel):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="seats")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="board_seats")
    board_role = models.CharField("board role", max_length=30, choices=BoardRole.choices)

    history = audited()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "membership"], name="one_seat_per_member")]

    def __str__(self) -> str:
        return f"{self.get_board_role_display()}: {self.membership}"


class Meeting(TimeStampedModel, VersionedModel):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="board_meetings")
    title = models.CharField(max_length=300)
    held_on = models.DateField("date")
    location = models.CharField(max_length=200, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["arrangement", "held_on"])]

    def __str__(self) -> str:
        return self.title


class Decision(TimeStampedModel, VersionedModel):
    """One decision of the board, in the decisions log across meetings."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="board_decisions")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    reference = models.CharField(max_length=20)
    number = models.PositiveIntegerField(default=0, editable=False)
    title = models.CharField("decision", max_length=300)
    rationale = models.TextField("why", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "reference"], name="decision_reference_unique"),
        ]
        indexes = [models.Index(fields=["arrangement", "number"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


register(Board)
register(BoardSeat, "board__arrangement_id")
register(Meeting)
register(Decision)
