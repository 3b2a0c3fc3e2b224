"""Demo board: three joint board meetings with decisions and actions (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.board import services
from partnering.board.models import Meeting
from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for

User = get_user_model()

SRO = "helen.carter@northshire.example"
BOARD = [
    SRO,
    "margaret.ellis@northshire.example",
    "daniel.okafor@northshire.example",
    "james.whitfield@brightwave.example",
    "gareth.lloyd@brightwave.example",
    "sophie.turner@brightwave.example",
]

# (title, days from today, agenda, minutes, decisions, actions: (title, owner, due in days))
MEETINGS = [
    (
        "Joint board: quarter 1 review",
        -150,
        "1. Service performance\n2. Release 2 scope\n3. Shared risk register",
        "The board reviewed the first quarter. Performance met the targets except call handling at month end.",
        [
            ("Release 2 includes council tax discounts", "Residents ask for it most; the provider can deliver it."),
            ("Month-end call handling gets a joint task group", "Both sides' staff are involved."),
        ],
        [("Set up the call handling task group", "daniel.okafor@northshire.example", -120)],
    ),
    (
        "Joint board: quarter 2 review",
        -60,
        "1. Open-book review\n2. Benefits realisation\n3. Charter development",
        "Open-book figures agreed; savings on back office behind plan. Charter escalation to be shortened.",
        [
            ("Savings baseline restated from the audited figures", "The original figures were unreliable."),
            ("Charter escalation shortened to three working days", "Proposed at the development meeting."),
        ],
        [
            ("Restate the savings baseline", "margaret.ellis@northshire.example", -5),
            ("Draft charter version 2", "sophie.turner@brightwave.example", 10),
        ],
    ),
    (
        "Joint board: quarter 3 review",
        14,
        "1. Red risks\n2. Actions due\n3. Latest health check verdicts\n4. Recompetition planning",
        "",
        [("Recompetition planning starts in the next contract year", "The guide: plan the exit from the start.")],
        [("Prepare the exit plan outline", "james.whitfield@brightwave.example", 25)],
    ),
]


@demo_hook
def demo_board(arrangement) -> None:  # noqa: ANN001
    if Meeting.objects.filter(arrangement=arrangement).exists() or not arrangement.openness.joint_project_board:
        return
    people = {u.email: u for u in User.objects.filter(email__in=BOARD)}
    if SRO not in people:
        return
    access = access_for(user=people[SRO], arrangement_slug=arrangement.slug)
    today = timezone.localdate()
    for title, days, agenda, minutes, decisions, actions in MEETINGS:
        meeting = services.meeting_create(
            access=access,
            title=title,
            held_on=today + timedelta(days=days),
            location="Northshire County Hall",
            attendees=[people[e] for e in BOARD if e in people],
            agenda=agenda,
            minutes=minutes,
        )
        for decision, why in decisions:
            services.decision_add(access=access, meeting=meeting, title=decision, rationale=why)
        for action, owner, due in actions:
            services.meeting_action_add(
                access=access,
                meeting=meeting,
                title=action,
                owner=people.get(owner),
                due_date=today + timedelta(days=due),
            )
