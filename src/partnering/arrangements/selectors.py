"""Reads of arrangements and their members, scoped by the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from partnering.arrangements.models import Arrangement, Membership, OpennessProposal, ProposalStatus, RoleAssignment
from partnering.core.choices import Role
from partnering.core.policy import Access, arrangements_for


def arrangement_list(*, user: Any) -> QuerySet[Arrangement]:
    """The person's arrangements with what the list shows, in a constant number of queries."""
    current = RoleAssignment.objects.filter(ended_at__isnull=True, role__in=[Role.SRO, Role.SRIE]).select_related(
        "membership__user"
    )
    return (
        arrangements_for(user)
        .select_related("customer", "provider")
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True))
        .prefetch_related(Prefetch("role_assignments", queryset=current, to_attr="leaders"))
        .order_by("title")
    )


def members_of(*, access: Access) -> list[Membership]:
    """Active members with their current roles (two queries, whatever the size)."""
    current = RoleAssignment.objects.filter(ended_at__isnull=True)
    return list(
        Membership.objects.filter(arrangement=access.arrangement, is_active=True)
        .select_related("user", "user__organisation")
        .prefetch_related(Prefetch("role_assignments", queryset=current, to_attr="current_roles"))
        .order_by("side", "user__full_name")
    )


def role_history(*, access: Access) -> QuerySet[RoleAssignment]:
    """Who held each role and when, including people who have left."""
    return (
        RoleAssignment.objects.filter(arrangement=access.arrangement)
        .select_related("membership__user", "assigned_by")
        .order_by("role", "-started_at")
    )


def leaders(*, access: Access) -> dict[str, Membership | None]:
    found = {
        ra.role: ra.membership
        for ra in RoleAssignment.objects.filter(
            arrangement=access.arrangement, ended_at__isnull=True, role__in=[Role.SRO, Role.SRIE]
        ).select_related("membership__user")
    }
    return {"sro": found.get(Role.SRO), "srie": found.get(Role.SRIE)}


def membership_get(*, access: Access, membership_uuid: Any) -> Membership:
    """A membership of this arrangement only; anything else is a 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Membership.objects.select_related("user"), arrangement=access.arrangement, uuid=membership_uuid, is_active=True
    )


def pending_openness_proposal(*, access: Access) -> OpennessProposal | None:
    return (
        OpennessProposal.objects.filter(arrangement=access.arrangement, status=ProposalStatus.PENDING)
        .select_related("proposed_by", "sro_agreed_by", "srie_agreed_by")
        .first()
    )
