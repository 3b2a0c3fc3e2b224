"""Demo concerns at every rung of the escalation ladder, one resolved as a lesson (idempotent).

Steps are back-dated after they are recorded, so that the time spent at each
level reads like a real log rather than "less than an hour" everywhere.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.concerns import services
from partnering.concerns.models import Concern, EscalationEvent, Level
from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for

User = get_user_model()

# (raiser, title, description, impact, other side's view, steps as (level, days ago, reason, by), statement)
CONCERNS = [
    (
        "tom.reilly@northshire.example",
        "Test environment refreshes overwrite council test data",
        "Twice this month the weekly refresh wiped the test cases our caseworkers prepared.",
        "User acceptance testing of the council tax forms loses a week each time.",
        "Brightwave refreshes on a fixed schedule agreed in the service design and may not know which data we rely on.",
        [(Level.WORKING, 6, "Raised.", "tom.reilly@northshire.example")],
        ("aisha.khan@brightwave.example", "We can keep a protected data set if the council tells us which one."),
    ),
    (
        "sophie.turner@brightwave.example",
        "Change requests wait weeks for a decision",
        "Fourteen change requests have waited more than 15 working days for the council's decision.",
        "Release 2 scope is uncertain and our team is idle on two workstreams.",
        "The council sees requests arriving without priorities or costs, so it cannot decide quickly.",
        [
            (Level.WORKING, 30, "Raised.", "sophie.turner@brightwave.example"),
            (
                Level.RELATIONSHIP_MANAGERS,
                12,
                "No movement at working level after two weeks.",
                "aisha.khan@brightwave.example",
            ),
        ],
        ("daniel.okafor@northshire.example", "Requests arrive in batches with no cost; we need a priority for each."),
    ),
    (
        "priya.shah@northshire.example",
        "Release 2 acceptance criteria disputed",
        "The two sides read the acceptance criteria for the payments journey differently.",
        "Payment for the milestone is held; the release date is at risk.",
        "Brightwave sees the criteria as met by the tested journeys and the extra cases as new scope.",
        [
            (Level.WORKING, 40, "Raised.", "priya.shah@northshire.example"),
            (
                Level.RELATIONSHIP_MANAGERS,
                25,
                "Contract managers could not agree the reading.",
                "priya.shah@northshire.example",
            ),
            (
                Level.SRO_AND_SRIE,
                8,
                "The milestone payment is now held; needs the SRO and SRIE.",
                "daniel.okafor@northshire.example",
            ),
        ],
        ("ravi.patel@brightwave.example", "We tested what the criteria say; the extra cases were never written down."),
    ),
    (
        "ravi.patel@brightwave.example",
        "Open-book baseline for hosting costs not agreed",
        "The hosting cost baseline in the open book has been disputed since the annual review.",
        "Gain-share for year one cannot be calculated; trust in the open book suffers.",
        "The council sees hosting costs rising faster than usage and wants the baseline re-stated.",
        [
            (Level.WORKING, 70, "Raised.", "ravi.patel@brightwave.example"),
            (
                Level.RELATIONSHIP_MANAGERS,
                55,
                "Accountants on both sides could not agree.",
                "sophie.turner@brightwave.example",
            ),
            (Level.SRO_AND_SRIE, 35, "Affects the gain-share in the contract.", "james.whitfield@brightwave.example"),
            (
                Level.JOINT_BOARD,
                10,
                "The SRO and SRIE asked the joint board to decide.",
                "helen.carter@northshire.example",
            ),
        ],
        ("priya.shah@northshire.example", "We accept the baseline method; we question two cost lines only."),
    ),
    (
        "daniel.okafor@northshire.example",
        "Out-of-hours service desk cover unclear",
        "Residents calling after 6pm reached a recorded message although the contract promises cover.",
        "Complaints to elected members; reputational damage to both organisations.",
        "Brightwave understood cover to start at go-live of release 2, as the transition plan says.",
        [
            (Level.WORKING, 90, "Raised.", "daniel.okafor@northshire.example"),
            (
                Level.RELATIONSHIP_MANAGERS,
                80,
                "Needs a decision on the transition plan.",
                "daniel.okafor@northshire.example",
            ),
            (
                Level.WORKING,
                74,
                "Agreed interim cover; the service desk leads finish the detail.",
                "sophie.turner@brightwave.example",
            ),
        ],
        None,
    ),
]


@demo_hook
def demo_concerns(arrangement) -> None:  # noqa: ANN001
    if Concern.objects.filter(arrangement=arrangement).exists():
        return
    emails = {c[0] for c in CONCERNS} | {s[3] for c in CONCERNS for s in c[5]}
    emails |= {c[6][0] for c in CONCERNS if c[6]}
    people = {u.email: u for u in User.objects.filter(email__in=emails)}
    if len(people) != len(emails):
        return
    now = timezone.now()

    def access(email: str):  # noqa: ANN202
        return access_for(user=people[email], arrangement_slug=arrangement.slug)

    for raiser, title, description, impact, other_view, steps, statement in CONCERNS:
        concern = services.concern_raise(
            access=access(raiser), title=title, description=description, impact=impact, other_side_view=other_view
        )
        for level, _days, reason, by in steps[1:]:
            services.concern_escalate(access=access(by), concern=concern, to_level=level, reason=reason)
        if statement:
            services.concern_statement_save(access=access(statement[0]), concern=concern, text=statement[1])
        # Back-date each step, so that the ladder shows realistic times.
        events = list(EscalationEvent.objects.filter(concern=concern).order_by("id"))
        for event, (_level, days, _reason, _by) in zip(events, steps, strict=True):
            EscalationEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=days))
        Concern.objects.filter(pk=concern.pk).update(
            created_at=now - timedelta(days=steps[0][1]), level_since=now - timedelta(days=steps[-1][1])
        )
        if title.startswith("Out-of-hours"):
            concern.refresh_from_db()
            services.concern_comment_add(
                access=access("sophie.turner@brightwave.example"),
                concern=concern,
                text="Interim cover is in place from tonight; we will confirm the rota by Friday.",
            )
            services.concern_resolve(
                access=access(raiser),
                concern=concern,
                expected_version=concern.version,
                summary=(
                    "The transition plan and the contract described the start of out-of-hours cover differently. "
                    "Interim cover started within a week; the transition plan now cites the contract schedule."
                ),
                publishable_as_lesson=True,
                lesson_text="Check transition plans against the contract's service schedules before signing them off.",
            )
            Concern.objects.filter(pk=concern.pk).update(resolved_at=now - timedelta(days=70))
