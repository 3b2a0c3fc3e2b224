"""Writes to the exit strategy and its handover checklist.

The guide: "Plans should be in place right from the start for the end of the
contract and/or recompetition, to avoid any misunderstanding or disagreement as
the time approaches", and the annual health check asks: "Will the chosen exit
strategy allow you to disengage ... while preserving business continuity and
minimising risk?" Both sides agree the strategy, like the degree of openness.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnering.arrangements.models import Membership
from partnering.core.choices import Side
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm, require_two_parties
from partnering.exit.models import ExitStatus, ExitStrategy, HandoverItem

STRATEGY_FIELDS = ("triggers", "timeline", "continuity", "decision_by", "recompetition_starts", "handover_by")
ITEM_FIELDS = ("kind", "title", "description", "owner", "due_date")
REQUIRED_TO_AGREE = ("triggers", "timeline", "continuity")


def _stamp(record: Any, access: Access) -> None:
    record._history_user = access.user


def _clear_agreement(strategy: ExitStrategy) -> None:
    """Each side agreed to the old plan, not the new one."""
    strategy.status = ExitStatus.DRAFT
    strategy.sro_agreed_by = strategy.sro_agreed_at = None
    strategy.srie_agreed_by = strategy.srie_agreed_at = None


def _check_dates(strategy: ExitStrategy) -> None:
    order = [(n, getattr(strategy, n)) for n in ("decision_by", "recompetition_starts", "handover_by")]
    known = [(n, d) for n, d in order if d is not None]
    for (_first, a), (second, b) in zip(known, known[1:], strict=False):
        if b < a:
            label = ExitStrategy._meta.get_field(second).verbose_name
            raise ValidationError({second: f"The date for “{label}” comes before an earlier step."})


def exit_strategy_save(*, access: Access, expected_version: int, values: dict[str, Any]) -> ExitStrategy:
    """Create the strategy (expected_version 0) or edit it; an edit clears both sides' agreement."""
    access.require(Perm.CONTRIBUTE)
    unknown = set(values) - set(STRATEGY_FIELDS)
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        strategy = ExitStrategy.objects.filter(arrangement=access.arrangement).first()
        if strategy is None:
            strategy = ExitStrategy(arrangement=access.arrangement, created_by=access.user)
            for name, value in values.items():
                setattr(strategy, name, value.strip() if isinstance(value, str) else value)
            _check_dates(strategy)
            strategy.full_clean()
            _stamp(strategy, access)
            strategy.save()
            return strategy
        changed = False
        for name, value in values.items():
            value = value.strip() if isinstance(value, str) else value
            if getattr(strategy, name) != value:
                setattr(strategy, name, value)
                changed = True
        if not changed:
            return strategy
        _check_dates(strategy)
        _clear_agreement(strategy)
        _stamp(strategy, access)
        return save_versioned(strategy, expected_version=expected_version, fields=list(STRATEGY_FIELDS))


@transaction.atomic
def exit_strategy_agree(*, access: Access) -> ExitStrategy:
    """Record the SRO's or SRIE's agreement; with both, the strategy is agreed."""
    access.require(Perm.AGREE_OUTCOMES)
    strategy = ExitStrategy.objects.select_for_update().filter(arrangement=access.arrangement).first()
    if strategy is None:
        raise ValidationError("Write the exit strategy before agreeing it.")
    missing = [str(ExitStrategy._meta.get_field(n).verbose_name) for n in REQUIRED_TO_AGREE if not getattr(strategy, n)]
    if missing:
        raise ValidationError(f"Complete the strategy before agreeing it: {', '.join(missing)}.")
    side = access.require_lead()
    now = timezone.now()
    if side == Side.CUSTOMER and strategy.sro_agreed_at is None:
        strategy.sro_agreed_by, strategy.sro_agreed_at = access.user, now
    if side == Side.PROVIDER and strategy.srie_agreed_at is None:
        strategy.srie_agreed_by, strategy.srie_agreed_at = access.user, now
    if strategy.sro_agreed_at and strategy.srie_agreed_at:
        require_two_parties(
            access.arrangement, customer_half=strategy.sro_agreed_by, provider_half=strategy.srie_agreed_by
        )
        strategy.status = ExitStatus.AGREED
    strategy.version += 1
    _stamp(strategy, access)
    strategy.save()
    return strategy


def _check_owner(access: Access, owner: Any) -> None:
    if (
        owner is not None
        and not Membership.objects.filter(arrangement=access.arrangement, user=owner, is_active=True).exists()
    ):
        raise ValidationError({"owner": "The owner must be a member of this arrangement."})


def _reopen(strategy: ExitStrategy, access: Access) -> None:
    """The checklist is part of the agreed plan: changing it needs agreement again."""
    if strategy.sro_agreed_at or strategy.srie_agreed_at or strategy.status == ExitStatus.AGREED:
        _clear_agreement(strategy)
        strategy.version += 1
        _stamp(strategy, access)
        strategy.save()


@transaction.atomic
def handover_item_add(
    *,
    access: Access,
    title: str,
    kind: str = "knowledge",
    description: str = "",
    owner: Any = None,
    due_date: date | None = None,
) -> HandoverItem:
    """Add a knowledge or data item to the handover checklist (creating a draft strategy if needed)."""
    access.require(Perm.CONTRIBUTE)
    strategy = ExitStrategy.objects.select_for_update().filter(arrangement=access.arrangement).first()
    if strategy is None:
        strategy = exit_strategy_save(access=access, expected_version=0, values={})
    _check_owner(access, owner)
    item = HandoverItem(
        arrangement=access.arrangement,
        strategy=strategy,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        due_date=due_date,
    )
    item.full_clean()
    _stamp(item, access)
    item.save()
    _reopen(strategy, access)
    return item


def _require_item(access: Access, item: HandoverItem) -> None:
    access.require(Perm.CONTRIBUTE)
    if item.arrangement_id != access.arrangement.pk:
        raise PermissionDenied


def handover_item_update(
    *, access: Access, item: HandoverItem, expected_version: int, changes: dict[str, Any]
) -> HandoverItem:
    """Edit a checklist item; a change to what is handed over, by whom or when reopens agreement."""
    _require_item(access, item)
    with transaction.atomic():
        changed = False
        for name, value in changes.items():
            if name not in ITEM_FIELDS:
                raise ValidationError(f"Cannot change {name}.")
            value = value.strip() if isinstance(value, str) else value
            if getattr(item, name) != value:
                setattr(item, name, value)
                changed = True
        _check_owner(access, item.owner)
        _stamp(item, access)
        item = save_versioned(item, expected_version=expected_version, fields=list(ITEM_FIELDS))
        if changed:
            _reopen(ExitStrategy.objects.select_for_update().get(pk=item.strategy_id), access)
    return item


@transaction.atomic
def handover_item_mark(*, access: Access, item: HandoverItem, done: bool) -> HandoverItem:
    """Tick an item off (or back on). Carrying out the plan does not change it, so agreement stands."""
    _require_item(access, item)
    item.done = done
    item.done_at = timezone.now() if done else None
    item.version += 1
    _stamp(item, access)
    item.save(update_fields=["done", "done_at", "version", "updated_at"])
    return item
