"""A partnering arrangement: two organisations, one relationship.

Names follow the guide: the customer is led by its SRO, the provider by its
SRIE; the arrangement has shared business outcomes, a lifecycle stage on the
OGC Gateway path, and an agreed degree of openness.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from partnering.accounts.models import Organisation
from partnering.core.audit import audited, register
from partnering.core.choices import OpenBook, Role, Side, Stage
from partnering.core.models import TimeStampedModel, VersionedModel


def new_slug(title: str) -> str:
    """A readable, non-guessable URL key: never a sequential id."""
    return f"{slugify(title)[:48].strip('-') or 'arrangement'}-{secrets.token_hex(3)}"


class Arrangement(TimeStampedModel, VersionedModel):
    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    customer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="arrangements_as_customer")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="arrangements_as_provider")
    contract_start = models.DateField("contract start date", null=True, blank=True)
    contract_end = models.DateField("contract end date", null=True, blank=True)
    stage = models.CharField(
        "lifecycle stage", max_length=40, choices=Stage.choices, default=Stage.STRATEGIC_ASSESSMENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = audited()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True)
                | Q(contract_start__isnull=True)
                | Q(contract_end__gte=models.F("contract_start")),
                name="arrangement_end_after_start",
            ),
            models.CheckConstraint(condition=~Q(customer=models.F("provider")), name="arrangement_two_organisations"),
        ]

    def __str__(self) -> str:
        return self.title


class SharedOutcome(TimeStampedModel):
    """A shared business outcome: the guide's aims "expressed in terms of business outcomes".

    Each side's agreement is recorded; editing the text clears both, because
    the other side agreed to the old words, not the new ones.
    """

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="outcomes")
    text = models.CharField("outcome", max_length=500)
    position = models.PositiveIntegerField(default=0)
    customer_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_agreed_at = models.DateTimeField(null=True, blank=True)
    provider_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_agreed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_agreed(self) -> bool:
        return self.customer_agreed_at is not None and self.provider_agreed_at is not None


class StageChange(TimeStampedModel):
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=40, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=40, choices=Stage.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display() or 'Start'} → {self.get_to_stage_display()}"


class OpennessProfile(TimeStampedModel, VersionedModel):
    """The six questions of "How open should the relationship be?", as settings.

    Later features obey these: the board, the risk register, the concern log,
    the open books and staff reporting.
    """

    arrangement = models.OneToOneField(Arrangement, on_delete=models.CASCADE, related_name="openness")
    joint_project_board = models.BooleanField("single/joint project board", default=True)
    single_risk_register = models.BooleanField("single risk register", default=True)
    problems_visible = models.BooleanField("potential problems visible to both sides", default=True)
    open_book = models.CharField("open-book accounting", max_length=20, choices=OpenBook.choices, default=OpenBook.BOTH)
    single_project_budget = models.BooleanField("single project budget managed together", default=False)
    staff_360_reporting = models.BooleanField("360° staff reporting on both sides", default=False)
    facilitator_sees_blind_answers = models.BooleanField(
        "partnering facilitator sees each side's answers before they are revealed", default=False
    )

    history = audited()

    SETTINGS = (
        "joint_project_board",
        "single_risk_register",
        "problems_visible",
        "open_book",
        "single_project_budget",
        "staff_360_reporting",
        "facilitator_sees_blind_answers",
    )

    def __str__(self) -> str:
        return f"Openness of {self.arrangement_id}"

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.SETTINGS}


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for agreement"
    AGREED = "agreed", "Agreed and in force"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPERSEDED = "superseded", "Superseded"


class OpennessProposal(TimeStampedModel):
    """A change to the degree of openness: in force once both the SRO and the SRIE agree."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="openness_proposals")
    proposed_settings = models.JSONField("proposed settings")
    reason = models.CharField(max_length=500, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    sro_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sro_agreed_at = models.DateTimeField(null=True, blank=True)
    srie_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    srie_agreed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Openness proposal {self.uuid}"


class Membership(TimeStampedModel):
    """A person's place in an arrangement: their side, and (through roles) what they do."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    side = models.CharField(max_length=20, choices=Side.choices)
    is_active = models.BooleanField(default=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    left_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["side", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "user"], name="one_membership_per_person"),
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_side_display()})"


class RoleAssignment(TimeStampedModel):
    """Who held which role, and when: the guide values continuity, so history is kept."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="role_assignments")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handover_note = models.TextField(blank=True)

    history = audited()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "role"],
                condition=Q(ended_at__isnull=True, role__in=["sro", "srie"]),
                name="one_current_sro_or_srie",
            ),
            models.UniqueConstraint(
                fields=["membership", "role"],
                condition=Q(ended_at__isnull=True),
                name="role_held_once_at_a_time",
            ),
        ]
        indexes = [models.Index(fields=["arrangement", "role", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.membership.user}"


class InvitationKind(models.TextChoices):
    PROVIDER_LEAD = "provider_lead", "Lead of the provider side (SRIE)"
    FACILITATOR = "facilitator", "Partnering facilitator"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Invitation(TimeStampedModel):
    """How a person of another organisation joins (sovereign sides, issue 13).

    - The provider's lead: invited once by the customer's SRO, while the provider
      side has nobody; the person accepts, and from then on the provider side is
      the provider's own to manage.
    - A neutral partnering facilitator: proposed by one lead and agreed by the
      other; the membership starts when both have agreed.
    """

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=20, choices=InvitationKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    status = models.CharField(max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=500, blank=True)
    sro_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sro_agreed_at = models.DateTimeField(null=True, blank=True)
    srie_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    srie_agreed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "kind"],
                condition=Q(status="pending", kind="provider_lead"),
                name="one_pending_provider_lead_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"


for _model in (Arrangement, SharedOutcome, OpennessProfile, OpennessProposal, Membership, RoleAssignment, Invitation):
    register(_model)
