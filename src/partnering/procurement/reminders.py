"""Contract performance notices coming due, for the daily reminder digest (archive.reminders).

Each notice due is one event per state, for example
"procurement-notice:<arrangement uuid>:annual:2026-12-15:due", then "...:overdue" once the date
has passed: the digest's log sends each event to a person once only, and publishing the notice
moves the due date on, which makes a new event.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from partnering.core.choices import Side
from partnering.core.policy import PERMISSIONS, Perm
from partnering.procurement.due import DUE_SOON_DAYS


def items(today: date) -> list[tuple[Any, Any]]:
    """(user id, reminder item) for each customer manager of an arrangement with a notice due soon or overdue."""
    from partnering.archive.reminders import Item, _link, _when
    from partnering.arrangements.models import Arrangement, RoleAssignment
    from partnering.procurement.selectors import duties_for

    soon = today + timedelta(days=DUE_SOON_DAYS)
    duties = {
        pk: d for pk, d in duties_for(Arrangement.objects.all(), today=today).items() if d.due and d.due.on <= soon
    }
    if not duties:
        return []
    # Those who prepare the notice: the customer side's managers (the SRO approves it).
    managers = PERMISSIONS[Perm.EDIT_ARRANGEMENT]
    people = RoleAssignment.objects.filter(
        arrangement_id__in=list(duties),
        role__in=managers,
        ended_at__isnull=True,
        membership__is_active=True,
        membership__side=Side.CUSTOMER,
    ).values_list("arrangement_id", "membership__user_id")
    by_arrangement: dict[int, set[int]] = defaultdict(set)
    for arrangement_id, user_id in people:
        by_arrangement[arrangement_id].add(user_id)
    out = []
    for pk, duty in duties.items():
        arrangement = duty.facts.arrangement
        due = duty.due
        when = _when(due.on, today)
        item = Item(
            f"procurement-notice:{arrangement.uuid}:{due.reason}:{due.on.isoformat()}:{when}",
            "Contract performance notice",
            "Publish the contract performance notice" + (" on termination" if due.reason == "termination" else ""),
            arrangement.title,
            due.on,
            due.on < today,
            _link("procurement:overview", slug=arrangement.slug),
        )
        out += [(user_id, item) for user_id in sorted(by_arrangement[pk])]
    return out
