"""The partnering charter: the 'partnering agreement' that complements the contract.

The guide: "A partnering facilitator leads a workshop that helps both parties
together to set out the principles, attitudes and ideals that will
characterise the arrangement", followed by "a series of team building and
charter development meetings, starting with the active involvement of the SRO
and SRIE".

The charter is kept in numbered versions. A version is agreed when both the
SRO and the SRIE have signed it; an edit after agreement starts a new draft
that needs both signatures again (see services).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnering.arrangements.models import Arrangement
from partnering.core.audit import audited, register
from partnering.core.models import TimeStampedModel, VersionedModel

#: A review falls due this many days before its date.
REVIEW_DUE_WITHIN_DAYS = 30

#: The charter's standard sections, in the guide's words: (field name, heading, hint).
SECTIONS: list[tuple[str, str, str]] = [
    ("principles", "Principles, attitudes and ideals", "What will characterise the arrangement."),
    ("openness", "Degree of openness", "What each side shares with the other, and when."),
    ("problem_handling", "The spirit in which problems will be handled", "For example no blame, raised early."),
    ("tone", "The tone of the relationship", "How the relationship should feel to those in it."),
    ("communication", "Principles for communication", "Formal and informal, focused on exceptions."),
    ("behaviours", "Behaviours of staff", "What staff on both sides commit to do."),
]
SECTION_FIELDS = [name for name, _heading, _hint in SECTIONS]


class Charter(TimeStampedModel, VersionedModel):
    """One charter per arrangement: its versions and its review date."""

    arrangement = models.OneToOneField(Arrangement, on_delete=models.CASCADE, related_name="charter")
    review_date = models.DateField("next review date", null=True, blank=True)

    history = audited()

    def __str__(self) -> str:
        return f"Partnering charter of {self.arrangement}"

    @property
    def is_review_overdue(self) -> bool:
        return self.review_date is not None and self.review_date < timezone.localdate()

    @property
    def is_review_due(self) -> bool:
        """Due within the next REVIEW_DUE_WITHIN_DAYS days, not yet overdue."""
        if self.review_date is None or self.is_review_overdue:
            return False
        return self.review_date <= timezone.localdate() + timedelta(days=REVIEW_DUE_WITHIN_DAYS)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    SUPERSEDED = "superseded", "Superseded"


class CharterVersion(TimeStampedModel, VersionedModel):
    """One numbered text of the charter, with the SRO's and the SRIE's signatures."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="charter_versions")
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    principles = models.TextField("principles, attitudes and ideals", blank=True)
    openness = models.TextField("degree of openness", blank=True)
    problem_handling = models.TextField("the spirit in which problems will be handled", blank=True)
    tone = models.TextField("the tone of the relationship", blank=True)
    communication = models.TextField("principles for communication", blank=True)
    behaviours = models.TextField("behaviours of staff", blank=True)
    #: Sections the parties add: [{"heading": ..., "text": ...}, ...].
    extra_sections = models.JSONField("other sections", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sro_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sro_signed_at = models.DateTimeField("signed by the SRO at", null=True, blank=True)
    srie_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    srie_signed_at = models.DateTimeField("signed by the SRIE at", null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)

    history = audited()

    class Meta:
        ordering = ["charter", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "number"], name="charter_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Charter version {self.number}"

    @property
    def title(self) -> str:
        return f"Version {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) of every section, standard ones first, in order."""
        out = [(heading, getattr(self, name)) for name, heading, _hint in SECTIONS]
        out += [(s.get("heading", ""), s.get("text", "")) for s in self.extra_sections or []]
        return out


class CharterComment(TimeStampedModel):
    """The discussion of a charter version, from either side; every member sees it, as the charter."""

    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("comment", max_length=5000)

    history = audited()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class WorkshopKind(models.TextChoices):
    CHARTER_WORKSHOP = "charter_workshop", "Facilitated charter workshop"
    TEAM_BUILDING = "team_building", "Team-building meeting"
    CHARTER_DEVELOPMENT = "charter_development", "Charter development meeting"


class Workshop(TimeStampedModel, VersionedModel):
    """A facilitated charter workshop, or a follow-up team-building or development meeting."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="charter_workshops")
    kind = models.CharField(max_length=30, choices=WorkshopKind.choices, default=WorkshopKind.CHARTER_WORKSHOP)
    title = models.CharField(max_length=300)
    held_on = models.DateField("date")
    facilitator = models.CharField(max_length=200, blank=True, help_text="The person who led it.")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    other_attendees = models.TextField(
        "other attendees", blank=True, help_text="People who are not members of the arrangement, one a line."
    )
    outputs = models.TextField(blank=True, help_text="What the workshop produced or agreed.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited(excluded=[])

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["arrangement", "held_on"])]

    def __str__(self) -> str:
        return self.title


register(Charter)
register(CharterVersion)
register(Workshop)
register(CharterComment, "version__arrangement_id")
