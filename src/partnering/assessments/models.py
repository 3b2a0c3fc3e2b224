"""Self-assessments: the guide's checklists answered blind by both sides, then revealed.

A `QuestionBank` row stores one version of a bank as data (the loader's
`BankSpec.as_dict()`); an `Assessment` points at the exact version it was
answered on, so a later edit of a bank never changes past results.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from partnering.accounts.models import Organisation
from partnering.arrangements.models import Arrangement
from partnering.assessments.bank_loader import BankSpec
from partnering.core.audit import audited, register
from partnering.core.choices import Side
from partnering.core.models import TimeStampedModel


class QuestionBank(TimeStampedModel):
    key = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    spec = models.JSONField(help_text="The validated bank, as BankSpec.as_dict().")
    source_text = models.TextField(blank=True, help_text="The YAML it was loaded from.")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="question_banks",
        help_text="Empty for the guide's built-in banks.",
    )
    is_current = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key", "-version"]
        # A bank key is an organisation's own name: unique within it (another organisation
        # may use the same key), and among the product's built-in banks.
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key", "version"], name="bank_key_version_unique_in_organisation"
            ),
            models.UniqueConstraint(
                fields=["key", "version"],
                condition=models.Q(organisation__isnull=True),
                name="builtin_bank_key_version_unique",
            ),
        ]
        indexes = [models.Index(fields=["key", "is_current"])]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @functools.cached_property
    def bank(self) -> BankSpec:
        return BankSpec.from_dict(self.spec)

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None


class AssessmentStatus(models.TextChoices):
    COLLECTING = "collecting", "Collecting answers"
    REVEALED = "revealed", "Revealed"
    CLOSED = "closed", "Closed"


class Participation(models.TextChoices):
    BOTH = "both", "Both sides"
    CUSTOMER = "customer", "Customer side only"
    PROVIDER = "provider", "Provider side only"


class Assessment(TimeStampedModel):
    """One run of a bank in an arrangement: answered blind, then revealed at once."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="assessments")
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=300)
    subject = models.CharField(
        max_length=200, blank=True, help_text="For partner suitability: the organisation being assessed."
    )
    participation = models.CharField(max_length=20, choices=Participation.choices, default=Participation.BOTH)
    # Ours, not the guide's: where a bank offers "how we see the other party" beside "how we see
    # ourselves" (Annex B, the health check), it is asked only when the starter chooses it.
    asks_other_view = models.BooleanField(
        "also asks how each side sees the other",
        default=False,
        help_text="Where the bank offers it: each side also answers how it sees the other party.",
    )
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.COLLECTING)
    due_date = models.DateField("due date", null=True, blank=True)
    cycle = models.PositiveIntegerField(
        null=True, blank=True, help_text="For recurring banks: the contract year this cycle covers (1, 2, ...)."
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_cycles",
        help_text="The cycle whose agreed answers this one started from.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    customer_submitted_at = models.DateTimeField(null=True, blank=True)
    customer_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_submitted_at = models.DateTimeField(null=True, blank=True)
    provider_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revealed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["arrangement", "status"])]

    def __str__(self) -> str:
        return self.title

    @functools.cached_property
    def spec(self) -> BankSpec:
        """The bank as this assessment asks it: "how we see the other party" only when chosen."""
        spec = self.bank.bank
        if self.asks_other_view or len(spec.perspectives) == 1:
            return spec
        return dataclasses.replace(spec, perspectives=(Perspective.SELF.value,))

    @property
    def sides(self) -> tuple[str, ...]:
        if self.participation == Participation.CUSTOMER:
            return (Side.CUSTOMER,)
        if self.participation == Participation.PROVIDER:
            return (Side.PROVIDER,)
        return (Side.CUSTOMER, Side.PROVIDER)

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None

    def submitted_at(self, side: str):  # noqa: ANN201
        return {Side.CUSTOMER: self.customer_submitted_at, Side.PROVIDER: self.provider_submitted_at}.get(side)


class Respondent(TimeStampedModel):
    """A person invited to answer. Their name is copied so that answers stay
    attributed after the account is deleted."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="respondents"
    )
    name = models.CharField(max_length=300)
    side = models.CharField(max_length=20, choices=Side.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["side", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "user"], condition=Q(user__isnull=False), name="one_respondent_per_person"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Perspective(models.TextChoices):
    SELF = "self", "How we see ourselves"
    OTHER = "other", "How we see the other party"


class Answer(TimeStampedModel):
    """One answer to one question.

    Individual answers belong to a respondent; a side's agreed answers have
    no respondent. Both are subject to the blind rule until the reveal.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    respondent = models.ForeignKey(Respondent, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    side = models.CharField(max_length=20, choices=Side.choices)
    question_id = models.CharField(max_length=40)
    perspective = models.CharField(max_length=10, choices=Perspective.choices, default=Perspective.SELF)
    value = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    evidence = models.CharField(max_length=500, blank=True, help_text="A link or a short note.")
    carried_from = models.CharField(
        max_length=40, blank=True, help_text="The value carried over from the previous cycle, if any."
    )

    history = audited()

    class Meta:
        ordering = ["question_id", "perspective"]
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "question_id", "perspective"],
                condition=Q(respondent__isnull=False),
                name="one_individual_answer",
            ),
            models.UniqueConstraint(
                fields=["assessment", "side", "question_id", "perspective"],
                condition=Q(respondent__isnull=True),
                name="one_agreed_answer",
            ),
        ]
        indexes = [models.Index(fields=["assessment", "side", "respondent"])]

    def __str__(self) -> str:
        return f"{self.question_id} {self.perspective}: {self.value}"

    @property
    def is_agreed(self) -> bool:
        return self.respondent_id is None


class PulseSurvey(TimeStampedModel):
    """360° staff reporting: an anonymous pulse survey of both organisations' staff.

    Answered through single-use links, one per invited person (`PulseInvitation`), without an
    account. Responses store no identity; results only once the survey is closed.
    """

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="pulse_surveys")
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    teams = models.JSONField(default=list, blank=True, help_text="The teams people are invited in.")
    is_open = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class PulseInvitation(models.Model):
    """One person's single-use link to a survey, in the group (side and team) they were invited in.

    Only the SHA-256 of the link's token is kept (like personal access tokens), and nothing of
    the person: no user, no address, no time. Deliberately not a TimeStampedModel and not
    audited: when a link was used, next to the responses, could tell whose answers they are.
    The response made through it does not point back at it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    side = models.CharField(max_length=20, choices=[(Side.CUSTOMER, "Customer"), (Side.PROVIDER, "Provider")])
    team = models.CharField(max_length=100, blank=True)
    used = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["survey", "side", "team", "used"])]

    def __str__(self) -> str:
        return f"Invitation to {self.survey_id}"


class PulseInvitee(models.Model):
    """That an address was invited to a survey by a side, as a keyed digest: one link per person.

    Kept apart from the invitations (nothing joins the two), so who was invited never tells
    whose link was used.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="invitees")
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "digest"], name="one_pulse_link_per_person")]

    def __str__(self) -> str:
        return f"Invitee of {self.survey_id}"


class PulseResponse(models.Model):
    """An anonymous response: no user, no address, no time at all, no link to its invitation.

    Deliberately not a TimeStampedModel and not audited: a timestamp (even a day) or a history
    row with an actor could be joined to a person, for example to the day their link was sent.
    The side and team are copied from the invitation it came through.
    """

    # A random key, so not even the order of insertion is kept in the ids.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="responses")
    side = models.CharField(max_length=20, choices=[(Side.CUSTOMER, "Customer"), (Side.PROVIDER, "Provider")])
    team = models.CharField(max_length=100, blank=True)
    answers = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["survey", "side", "team"])]

    def __str__(self) -> str:
        return f"Response to {self.survey_id}"


# Answers are audited but not listed on the shared history page: before the
# reveal they are blind to the other side.
register(Assessment)
register(PulseSurvey)
register(Respondent, "assessment__arrangement_id")
