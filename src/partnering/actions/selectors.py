"""Reads of actions, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from partnering.actions.models import OPEN_STATUSES, Action
from partnering.core.choices import Side, Visibility
from partnering.core.policy import Access, member_q


def actions_for_arrangement(*, access: Access, open_only: bool = False) -> QuerySet[Action]:
    qs = (
        Action.objects.filter(arrangement=access.arrangement)
        .filter(access.visible_q())
        .select_related("owner", "source_type", "arrangement")
        .order_by("due_date", "id")
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs


def actions_for_user(*, user: Any, open_only: bool = True) -> QuerySet[Action]:
    """The person's own actions across every arrangement they are still a member of.

    Private actions only appear where the person's side may see them.
    """
    from partnering.arrangements.models import Membership

    sides = Membership.objects.filter(user=user, is_active=True)
    side_visible = (
        Q(visibility=Visibility.SHARED)
        | Q(visibility=Side.CUSTOMER, arrangement__memberships__in=sides.filter(side=Side.CUSTOMER))
        | Q(visibility=Side.PROVIDER, arrangement__memberships__in=sides.filter(side=Side.PROVIDER))
    )
    qs = (
        Action.objects.filter(owner=user)
        .filter(member_q(user, prefix="arrangement__"))
        .filter(side_visible)
        .select_related("arrangement")
        .distinct()
        .order_by("due_date", "id")
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs


def action_get(*, access: Access, action_uuid: Any) -> Action:
    """One action of this arrangement that the member's side may see; otherwise 404."""
    return get_object_or_404(
        Action.objects.filter(access.visible_q()).select_related("owner"),
        arrangement=access.arrangement,
        uuid=action_uuid,
    )
