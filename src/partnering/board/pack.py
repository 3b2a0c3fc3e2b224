"""The board pack for a meeting, as a PDF: what the joint board needs in front of it.

Open high (red) risks, actions due in the next 30 days or overdue, open
concerns, and the latest verdict of every question bank. Everything is read
through the same selectors and policy as the pages, so the pack shows its
reader exactly what they may see: a side's private risks only to that side,
assessment results only once revealed (the blind rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.template.loader import render_to_string
from django.utils import timezone

from partnering.actions.selectors import actions_for_arrangement
from partnering.assessments import selectors as assessment_selectors
from partnering.assessments.models import Assessment
from partnering.board import selectors
from partnering.board.models import Meeting
from partnering.core.pdf import html_to_pdf
from partnering.core.policy import Access
from partnering.risks.models import RiskStatus
from partnering.risks.scoring import Rating
from partnering.risks.selectors import risks_visible

ACTIONS_DUE_WITHIN_DAYS = 30


@dataclass
class VerdictLine:
    bank_title: str
    assessment: Assessment
    verdicts: list[tuple[str, Any]]  # (whose, Verdict)


@dataclass
class Pack:
    access: Access
    meeting: Meeting
    generated_on: date
    risks: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    concerns: list[Any] | None = None  # None: the concerns log is not in use
    verdicts: list[VerdictLine] = field(default_factory=list)
    decisions: list[Any] = field(default_factory=list)
    members: list[Any] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.access.arrangement.slug}-board-pack-{self.meeting.held_on.isoformat()}.pdf"


def open_concerns(access: Access) -> list[Any] | None:
    """Open concerns the reader may see, or None when the concerns log is not installed.

    Looked up through the app registry, so that the board does not depend on
    the concerns app being there.
    """
    if not apps.is_installed("partnering.concerns"):
        return None
    concern = apps.get_model("concerns", "Concern")
    return list(
        concern.objects.filter(arrangement=access.arrangement, status="open")
        .filter(access.visible_q())
        .order_by("-level", "number")
    )


def latest_verdicts(access: Access) -> list[VerdictLine]:
    """For each question bank, the verdicts of its latest revealed assessment, through the blind rule."""
    latest: dict[str, Assessment] = {}
    revealed = (
        Assessment.objects.filter(arrangement=access.arrangement, revealed_at__isnull=False)
        .select_related("bank")
        .order_by("-revealed_at")
    )
    for assessment in revealed:
        latest.setdefault(assessment.bank.key, assessment)
    lines = []
    for assessment in latest.values():
        if not assessment_selectors.sides_visible(access, assessment):
            continue  # a one-sided assessment of the other side
        res = assessment_selectors.results(access=access, assessment=assessment)
        verdicts = []
        if res.joint is not None:
            verdicts.append(("Joint", res.joint))
        for whose, verdict in (("Customer", res.customer_verdict), ("Provider", res.provider_verdict)):
            if verdict is not None:
                verdicts.append((whose, verdict))
        lines.append(VerdictLine(res.bank.title, assessment, verdicts))
    return sorted(lines, key=lambda line: line.bank_title)


def build(*, access: Access, meeting: Meeting) -> Pack:
    today = timezone.localdate()
    return Pack(
        access=access,
        meeting=meeting,
        generated_on=today,
        risks=list(
            risks_visible(access=access)
            .filter(status=RiskStatus.OPEN, rating=Rating.RED)
            .select_related("owner")
            .order_by("-score", "number")
        ),
        actions=list(
            actions_for_arrangement(access=access, open_only=True).filter(
                due_date__lte=today + timedelta(days=ACTIONS_DUE_WITHIN_DAYS)
            )
        ),
        concerns=open_concerns(access),
        verdicts=latest_verdicts(access),
        decisions=list(selectors.meeting_decisions(meeting=meeting)),
        members=selectors.board_members(access=access),
    )


def pack_html(pack: Pack) -> str:
    """The PDF's HTML: everything the PDF says is in here, so tests can read it without a PDF reader."""
    return render_to_string(
        "board/pack_pdf.html",
        {
            "pack": pack,
            "meeting": pack.meeting,
            "arrangement": pack.access.arrangement,
            "attendees": list(pack.meeting.attendees.order_by("full_name")),
            "today": pack.generated_on,
            "days": ACTIONS_DUE_WITHIN_DAYS,
        },
    )


def render_pdf(pack: Pack) -> bytes:
    return html_to_pdf(pack_html(pack))
