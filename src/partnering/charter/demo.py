"""Demo charter: two agreed versions and the workshops that made them (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.charter import services
from partnering.charter.models import Charter
from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for

User = get_user_model()

SRO = "helen.carter@northshire.example"
SRIE = "james.whitfield@brightwave.example"
FACILITATOR = "claire.morgan@meridian.example"
WORKSHOP_PEOPLE = [
    SRO,
    "daniel.okafor@northshire.example",
    "tom.reilly@northshire.example",
    SRIE,
    "sophie.turner@brightwave.example",
    "aisha.khan@brightwave.example",
    FACILITATOR,
]

FIRST = {
    "principles": (
        "We succeed or fail together. Residents come first in every decision.\n"
        "We treat each other's money as carefully as our own."
    ),
    "openness": "Open books on both sides. Risks, issues and forecasts are shared as soon as they are known.",
    "problem_handling": (
        "No blame: problems are raised early, at the lowest level that can solve them, and escalated "
        "within five working days if they are not."
    ),
    "tone": "Candid, courteous and constructive. We disagree in the room, not in writing.",
    "communication": (
        "A weekly stand-up between service managers; a monthly relationship review; the joint board quarterly. "
        "When a problem occurs each side explains it from the other's perspective."
    ),
    "behaviours": "Staff on both sides keep their commitments, share what they know and ask for help early.",
    "extra_sections": [],
}
SECOND_CHANGES = {
    "problem_handling": (
        "No blame: problems are raised early, at the lowest level that can solve them, and escalated "
        "within three working days if they are not. Every escalation names a joint owner."
    ),
    "extra_sections": [
        {
            "heading": "Innovation",
            "text": "Either side may bring an idea to the joint board; good ideas are piloted jointly and the "
            "savings shared as the contract sets out.",
        }
    ],
}


@demo_hook
def demo_charter(arrangement) -> None:  # noqa: ANN001
    if Charter.objects.filter(arrangement=arrangement).exists():
        return
    people = {u.email: u for u in User.objects.filter(email__in=WORKSHOP_PEOPLE)}
    if SRO not in people or SRIE not in people:
        return
    sro = access_for(user=people[SRO], arrangement_slug=arrangement.slug)
    srie = access_for(user=people[SRIE], arrangement_slug=arrangement.slug)
    today = timezone.localdate()

    first = services.charter_edit(access=sro, expected_number=0, expected_version=0, values=FIRST)
    services.charter_comment_add(
        access=srie, version=first, text="Five days feels long for escalation; can we try three at the next review?"
    )
    first = services.charter_sign(access=sro, version=first, expected_version=first.version)
    first = services.charter_sign(access=srie, version=first, expected_version=first.version)
    second = services.charter_edit(
        access=srie, expected_number=first.number, expected_version=first.version, values=SECOND_CHANGES
    )
    services.charter_comment_add(access=sro, version=second, text="Agreed, and the innovation section is welcome.")
    second = services.charter_sign(access=srie, version=second, expected_version=second.version)
    services.charter_sign(access=sro, version=second, expected_version=second.version)
    charter = Charter.objects.get(arrangement=arrangement)
    services.charter_set_review_date(
        access=sro, charter=charter, expected_version=charter.version, review_date=today + timedelta(days=20)
    )

    attendees = [people[e] for e in WORKSHOP_PEOPLE if e in people]
    for kind, title, days_ago, outputs in (
        (
            "charter_workshop",
            "Partnering charter workshop",
            300,
            "First draft of the charter: principles, openness, escalation within five days.",
        ),
        ("team_building", "Joint team-building day", 200, "Shared induction for new staff on both sides."),
        (
            "charter_development",
            "Charter development meeting",
            40,
            "Escalation shortened to three days; innovation section added (version 2).",
        ),
    ):
        services.workshop_create(
            access=sro,
            kind=kind,
            title=title,
            held_on=today - timedelta(days=days_ago),
            facilitator="Claire Morgan (Meridian Facilitation)",
            attendees=attendees,
            outputs=outputs,
        )
