"""Demo lessons: what the demo arrangement has learned, a couple published (idempotent)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from partnering.core.choices import Stage
from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for
from partnering.lessons import services
from partnering.lessons.models import Lesson

User = get_user_model()

CUSTOMER = "helen.carter@northshire.example"
PROVIDER = "james.whitfield@brightwave.example"

# (title, what happened, lesson, recommendation, tags, stage, author side, published by its author)
LESSONS = [
    (
        "Agree data migration acceptance criteria before the contract is let",
        "Migration of the legacy revenues data slipped six weeks while both sides debated what 'clean' meant.",
        "Acceptance criteria for migrated data are a joint decision that belongs in the contract, not after it.",
        "Write data quality thresholds and reconciliation reports into the statement of requirements.",
        "data, migration, contract",
        Stage.INVESTMENT_DECISION,
        "customer",
        True,
    ),
    (
        "Name peers on both sides in the first month",
        "Service desk escalations bounced between teams because nobody knew their opposite number.",
        "Peer-to-peer contacts at every level resolve most issues before they become concerns.",
        "Publish a peer map at contract start and review it at every board.",
        "relationship, peers, escalation",
        Stage.CONTRACT_LET,
        "provider",
        False,
    ),
    (
        "Share the risk register from day one",
        "Each side kept its own risk log; the same supplier risk was scored twice, differently.",
        "A single register with named owners avoids duplicated effort and surprises.",
        "Agree the openness profile, including a single risk register, before service starts.",
        "risk, openness",
        Stage.CONTRACT_LET,
        "customer",
        True,
    ),
    (
        "Bring user research into the procurement timetable",
        "Residents' needs were researched after the specification was fixed, forcing change requests.",
        "Early research with residents shapes better outcomes than later change control.",
        "Fund discovery before Gate 2 and share findings with bidders.",
        "users, research, procurement",
        Stage.PROCUREMENT_STRATEGY,
        "customer",
        False,
    ),
    (
        "Open-book reviews need a calendar",
        "Quarterly open-book reviews were skipped twice because no dates were set.",
        "Openness commitments lapse without a fixed rhythm.",
        "Put open-book reviews in the board's forward plan.",
        "finance, open book",
        Stage.IN_SERVICE,
        "provider",
        False,
    ),
    (
        "Escalate concerns with both sides' view written down",
        "A dispute about change request priorities escalated to the SROs with only one side's account.",
        "Stating the problem from the other party's perspective calmed the discussion and sped resolution.",
        "Require the other side's view on every concern before escalation.",
        "concerns, no blame, escalation",
        Stage.IN_SERVICE,
        "customer",
        False,
    ),
    (
        "Plan the knowledge handover before year one ends",
        "Key provider staff moved on; undocumented integration knowledge left with them.",
        "Knowledge handover is continuous, not an exit-time activity.",
        "Keep a handover checklist with owners in the exit plan from contract award.",
        "exit, knowledge, handover",
        Stage.IN_SERVICE,
        "provider",
        False,
    ),
    (
        "Test the business continuity plan jointly",
        "The first joint continuity exercise found that the council's out-of-hours contacts were out of date.",
        "Continuity plans only work when both sides rehearse them together.",
        "Run a joint continuity exercise every year and before any exit or recompetition.",
        "continuity, exit",
        Stage.EXIT,
        "customer",
        False,
    ),
]


@demo_hook
def demo_lessons(arrangement) -> None:  # noqa: ANN001
    if Lesson.objects.filter(arrangement=arrangement).exists():
        return
    people = {u.email: u for u in User.objects.filter(email__in=[CUSTOMER, PROVIDER])}
    if CUSTOMER not in people or PROVIDER not in people:
        return
    access = {
        side: access_for(user=people[email], arrangement_slug=arrangement.slug)
        for side, email in (("customer", CUSTOMER), ("provider", PROVIDER))
    }
    for title, happened, lesson, recommendation, tags, stage, side, published in LESSONS:
        record = services.lesson_create(
            access=access[side],
            title=title,
            what_happened=happened,
            lesson=lesson,
            recommendation=recommendation,
            tags=tags,
            stage=stage,
        )
        if published:
            services.lesson_publish(access=access[side], lesson=record)
