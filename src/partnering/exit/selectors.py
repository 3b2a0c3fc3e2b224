"""Reads of exit strategies, and the portfolio's early-warning status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from partnering.arrangements.models import Membership
from partnering.core.choices import Stage
from partnering.core.policy import Access
from partnering.exit.models import ExitStatus, ExitStrategy, HandoverItem

NONE = "none"

#: Stages before contract award: the strategy is expected by the end of these.
BEFORE_AWARD = (
    Stage.STRATEGIC_ASSESSMENT,
    Stage.BUSINESS_JUSTIFICATION,
    Stage.PROCUREMENT_STRATEGY,
    Stage.INVESTMENT_DECISION,
)


def exit_strategy_status(arrangement_ids: Iterable[Any]) -> dict[Any, str]:
    """Each arrangement's exit strategy status: "none", "draft" or "agreed". One query.

    For the portfolio's early-warning rule "no exit strategy by contract award".
    """
    ids = list(arrangement_ids)
    found = dict(ExitStrategy.objects.filter(arrangement_id__in=ids).values_list("arrangement_id", "status"))
    return {pk: found.get(pk, NONE) for pk in ids}


def arrangements_with_exit_strategy(arrangements: QuerySet) -> QuerySet:
    """Those of `arrangements` whose exit strategy both sides have agreed.

    The portfolio's early-warning rule "no exit strategy by contract award"
    calls this for a whole batch: one query, filtered in the database.
    """
    return arrangements.filter(exit_strategy__status=ExitStatus.AGREED).values_list("pk", flat=True)


def exit_warning(*, stage: str, status: str) -> str:
    """ "Plans should be in place right from the start for the end of the contract":
    a strategy agreed by both sides is expected before contract award.

    "" when all is well; "due" at the investment decision (award is next) without
    an agreed strategy; "overdue" once the contract is let without one.
    """
    if status == "agreed":
        return ""
    if stage == Stage.INVESTMENT_DECISION:
        return "due"
    if stage not in BEFORE_AWARD:
        return "overdue"
    return ""


def exit_strategy_for(*, access: Access) -> ExitStrategy | None:
    return (
        ExitStrategy.objects.filter(arrangement=access.arrangement)
        .select_related("sro_agreed_by", "srie_agreed_by")
        .first()
    )


def handover_items(*, strategy: ExitStrategy | None) -> QuerySet[HandoverItem]:
    if strategy is None:
        return HandoverItem.objects.none()
    return strategy.handover_items.select_related("owner").order_by("done", "due_date", "id")


def handover_item_get(*, access: Access, item_uuid: Any) -> HandoverItem:
    return get_object_or_404(
        HandoverItem.objects.filter(arrangement=access.arrangement).select_related("strategy", "owner"),
        uuid=item_uuid,
    )


def owner_sides(*, access: Access) -> dict[int, str]:
    return dict(
        Membership.objects.filter(arrangement=access.arrangement, is_active=True).values_list("user_id", "side")
    )
