"""One record of every kind a member can write, all carrying the same text.

The XSS test seeds a script payload into every free-text field; the
schemathesis test seeds plain text so that detail endpoints have real records
to answer for. Every record is made with the apps' own services, as a member
would make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from partnering.testing import World


@dataclass
class Seeded:
    outcome: Any
    action: Any
    risk: Any
    concern: Any
    charter_version: Any
    lesson: Any
    kpi: Any
    meeting: Any
    decision: Any
    assessment: Any
    peer_pair: Any
    handover_item: Any
    cost_line: Any
    member: Any  # carol's membership, whose full name carries the text


def seed(world: World, text: str) -> Seeded:
    """Write `text` into every free-text field reachable with the services."""
    from partnering.actions.services import action_create
    from partnering.arrangements.models import Membership
    from partnering.arrangements.services import arrangement_update, outcome_add
    from partnering.assessments.models import QuestionBank
    from partnering.assessments.services import answer_save, assessment_start, banks_sync_builtin, respondents_invite
    from partnering.board.services import decision_add, meeting_create
    from partnering.charter.services import charter_comment_add, charter_edit
    from partnering.concerns.services import concern_comment_add, concern_raise, concern_statement_save
    from partnering.exit.services import exit_strategy_save, handover_item_add
    from partnering.finance.services import cost_line_create
    from partnering.kpis.services import kpi_create
    from partnering.lessons.services import lesson_create
    from partnering.relationships.services import peer_pair_create
    from partnering.risks.services import risk_comment_add, risk_create

    alice, bob = world.access(world.alice), world.access(world.bob)
    arrangement = world.arrangement

    # A member's name is theirs to set (their account), not an arrangement write.
    world.carol.full_name = f"Carol {text}"
    world.carol.save(update_fields=["full_name"])
    arrangement_update(
        access=alice,
        expected_version=arrangement.version,
        changes={"title": f"Digital {text}", "description": text},
    )
    world.arrangement.refresh_from_db()
    alice = world.access(world.alice)
    outcome = outcome_add(access=alice, text=text)
    action = action_create(access=alice, title=f"Action {text}", description=text, owner=world.alice)
    risk = risk_create(
        access=alice,
        title=f"Risk {text}",
        description=text,
        owning_side="customer",
        likelihood=3,
        impact=4,
        owner_rationale=text,
    )
    risk_comment_add(access=alice, risk=risk, text=text)
    concern = concern_raise(access=alice, title=f"Concern {text}", description=text, impact=text, other_side_view=text)
    concern_comment_add(access=alice, concern=concern, text=text)
    charter_version = charter_edit(
        access=alice,
        expected_number=0,
        expected_version=0,
        values={"principles": text, "tone": text, "extra_sections": [{"heading": f"Extra {text}", "text": text}]},
    )
    charter_comment_add(access=alice, version=charter_version, text=text)
    lesson = lesson_create(
        access=alice, title=f"Lesson {text}", what_happened=text, lesson=text, recommendation=text, tags="xss"
    )
    kpi = kpi_create(access=alice, name=f"KPI {text}", unit="%", description=text, data_source=text)
    meeting = meeting_create(
        access=alice,
        title=f"Board {text}",
        held_on=date(2026, 1, 15),
        attendees=[world.alice, world.bob],
        location=text,
        agenda=text,
        minutes=text,
    )
    decision = decision_add(access=alice, meeting=meeting, title=f"Decision {text}", rationale=text)
    banks_sync_builtin()
    bank = QuestionBank.objects.filter(key="annex-b", is_current=True, organisation__isnull=True).get()
    assessment = assessment_start(access=alice, bank=bank, title=f"Assessment {text}", subject=text)
    respondents_invite(access=alice, assessment=assessment, users=[world.alice])
    answer_save(
        access=alice,
        assessment=assessment,
        question_id=bank.bank.question_ids[0],
        value="partly",
        comment=text,
        evidence=text,
    )
    member = Membership.objects.get(arrangement=arrangement, user=world.carol)
    peer_pair = peer_pair_create(
        access=alice,
        customer_member=member,
        provider_member=Membership.objects.get(arrangement=arrangement, user=world.peter),
        label=f"Pair {text}",
    )
    exit_strategy_save(
        access=alice, expected_version=0, values={"triggers": text, "timeline": text, "continuity": text}
    )
    handover_item = handover_item_add(access=alice, title=f"Handover {text}", description=text)
    cost_line = cost_line_create(
        access=alice, period=date(2026, 1, 1), category="staff", description=text, planned=Decimal("100.00")
    )
    concern_statement_save(access=bob, concern=concern, text=text)
    return Seeded(
        outcome=outcome,
        action=action,
        risk=risk,
        concern=concern,
        charter_version=charter_version,
        lesson=lesson,
        kpi=kpi,
        meeting=meeting,
        decision=decision,
        assessment=assessment,
        peer_pair=peer_pair,
        handover_item=handover_item,
        cost_line=cost_line,
        member=member,
    )
