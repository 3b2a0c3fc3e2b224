"""Reads for the peer map and key-person changes, scoped by the access policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from partnering.arrangements.models import Membership, RoleAssignment
from partnering.core.choices import Role, Side
from partnering.core.policy import Access
from partnering.relationships.models import ActionComment, PeerPair

#: Each role's counterpart on the other side: the guide's SRO mirrors the SRIE;
#: the other roles mirror themselves. Facilitators and observers have no peer.
COUNTERPARTS: list[tuple[str, str]] = [
    (Role.SRO, Role.SRIE),
    (Role.RELATIONSHIP_MANAGER, Role.RELATIONSHIP_MANAGER),
    (Role.CONTRACT_MANAGER, Role.CONTRACT_MANAGER),
    (Role.SERVICE_DELIVERY_MANAGER, Role.SERVICE_DELIVERY_MANAGER),
    (Role.BOARD_MEMBER, Role.BOARD_MEMBER),
]
PEERED_ROLES = frozenset(r for pair in COUNTERPARTS for r in pair)


def default_label(customer_role: str, provider_role: str) -> str:
    """ "SRO–SRIE", "contract manager–contract manager"."""
    short = {Role.SRO: "SRO", Role.SRIE: "SRIE"}

    def name(role: str) -> str:
        return short.get(role) or Role(role).label.lower()

    return f"{name(customer_role)}–{name(provider_role)}"


@dataclass
class RoleRow:
    customer_role: str
    provider_role: str
    customer_holders: list[Membership]
    provider_holders: list[Membership]

    @property
    def label(self) -> str:
        if self.customer_role == self.provider_role:
            return Role(self.customer_role).label
        return f"{Role(self.customer_role).label} and {Role(self.provider_role).label}"

    @property
    def gap(self) -> str:
        """The side that lacks a peer for a role the other side holds, or ""."""
        if self.customer_holders and not self.provider_holders:
            return Side.PROVIDER
        if self.provider_holders and not self.customer_holders:
            return Side.CUSTOMER
        return ""

    @property
    def held(self) -> bool:
        return bool(self.customer_holders or self.provider_holders)


@dataclass
class PeerMap:
    rows: list[RoleRow]
    pairs: list[PeerPair]
    unpaired: list[Membership]
    facilitators: list[Membership] = field(default_factory=list)

    @property
    def gaps(self) -> list[RoleRow]:
        return [r for r in self.rows if r.gap]


def _members(access: Access) -> list[Membership]:
    current = RoleAssignment.objects.filter(ended_at__isnull=True).only("id", "membership_id", "role")
    return list(
        Membership.objects.filter(arrangement=access.arrangement, is_active=True)
        .select_related("user")
        .prefetch_related(Prefetch("role_assignments", queryset=current, to_attr="current_roles"))
        .order_by("user__full_name")
    )


def peer_pairs(*, access: Access) -> QuerySet[PeerPair]:
    return PeerPair.objects.filter(arrangement=access.arrangement).select_related(
        "customer_member__user", "provider_member__user"
    )


def peer_map(*, access: Access) -> PeerMap:
    """Every peered role with its holders on each side, the recorded pairs, and the gaps.

    Three queries whatever the size: members, their current roles, the pairs.
    A gap is a role held on one side whose counterpart nobody holds on the
    other; an unpaired person holds a peered role but has no recorded peer.
    """
    members = _members(access)
    by_role: dict[tuple[str, str], list[Membership]] = {}
    for m in members:
        for ra in m.current_roles:
            by_role.setdefault((m.side, ra.role), []).append(m)
    rows = [
        RoleRow(c, p, by_role.get((Side.CUSTOMER, c), []), by_role.get((Side.PROVIDER, p), [])) for c, p in COUNTERPARTS
    ]
    pairs = list(peer_pairs(access=access))
    paired = {p.customer_member_id for p in pairs} | {p.provider_member_id for p in pairs}
    unpaired = [
        m
        for m in members
        if m.side in (Side.CUSTOMER, Side.PROVIDER)
        and m.pk not in paired
        and any(ra.role in PEERED_ROLES for ra in m.current_roles)
    ]
    facilitators = [m for m in members if m.side == Side.NEUTRAL]
    return PeerMap(rows=rows, pairs=pairs, unpaired=unpaired, facilitators=facilitators)


def peer_pair_get(*, access: Access, peer_uuid: Any) -> PeerPair:
    return get_object_or_404(peer_pairs(access=access), uuid=peer_uuid)


def side_members(*, access: Access, side: str) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(arrangement=access.arrangement, is_active=True, side=side)
        .select_related("user")
        .order_by("user__full_name")
    )


@dataclass
class KeyPersonChange:
    ended: RoleAssignment
    successor: RoleAssignment | None


def key_person_changes(*, access: Access) -> list[KeyPersonChange]:
    """Ended role assignments with their handover notes, newest first, and who took the role on.

    The successor is the next person on the same side to start the same role
    at or after the end (one query for all assignments, matched in memory).
    """
    assignments = list(
        RoleAssignment.objects.filter(arrangement=access.arrangement)
        .exclude(role=Role.OBSERVER)
        .select_related("membership__user", "assigned_by")
        .order_by("started_at", "id")
    )
    changes = []
    for ra in assignments:
        if ra.ended_at is None:
            continue
        successor = next(
            (
                other
                for other in assignments
                if other.role == ra.role
                and other.membership.side == ra.membership.side
                and other.membership_id != ra.membership_id
                and other.started_at >= ra.ended_at
            ),
            None,
        )
        changes.append(KeyPersonChange(ended=ra, successor=successor))
    changes.sort(key=lambda c: c.ended.ended_at, reverse=True)
    return changes


def action_comments(*, action: Any) -> QuerySet[ActionComment]:
    return ActionComment.objects.filter(action=action).select_related("author").order_by("created_at", "id")
