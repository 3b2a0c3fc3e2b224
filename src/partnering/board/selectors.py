"""Reads of the joint project board, always through the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from partnering.actions.models import OPEN_STATUSES, Action
from partnering.arrangements.models import Membership, RoleAssignment
from partnering.board.models import Board, BoardRole, BoardSeat, Decision, Meeting
from partnering.board.services import allowed_roles
from partnering.core.choices import Role
from partnering.core.policy import Access

#: Holding one of these roles puts a member on the board.
BOARD_ROLES = (Role.BOARD_MEMBER, Role.SRO, Role.SRIE)


def board_of(*, access: Access) -> Board | None:
    return Board.objects.filter(arrangement=access.arrangement).first()


@dataclass
class BoardMember:
    membership: Membership
    roles: set[str]
    board_role: str
    allowed: list[str]

    @property
    def board_role_label(self) -> str:
        return BoardRole(self.board_role).label

    @property
    def user(self) -> Any:
        return self.membership.user


_ORDER = {BoardRole.CHAIR: 0, BoardRole.TECHNICAL_ADVISER: 1, BoardRole.SENIOR_SUPPLIER: 2, BoardRole.MEMBER: 3}


def board_members(*, access: Access) -> list[BoardMember]:
    """Active members holding the board member, SRO or SRIE role, with their board role.

    A stored seat gives the role; without one the SRO chairs, the SRIE is
    technical adviser and everyone else is a member. Two queries.
    """
    memberships = (
        Membership.objects.filter(
            arrangement=access.arrangement,
            is_active=True,
            role_assignments__role__in=BOARD_ROLES,
            role_assignments__ended_at__isnull=True,
        )
        .distinct()
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.filter(ended_at__isnull=True).only("id", "membership_id", "role"),
                to_attr="current_roles",
            ),
            Prefetch(
                "board_seats",
                queryset=BoardSeat.objects.filter(board__arrangement=access.arrangement),
                to_attr="seats",
            ),
        )
    )
    out = []
    for m in memberships:
        roles = {ra.role for ra in m.current_roles}
        allowed = allowed_roles(roles, m.side)
        stored = m.seats[0].board_role if m.seats else ""
        out.append(BoardMember(m, roles, stored if stored in allowed else allowed[0], allowed))
    out.sort(key=lambda b: (_ORDER[b.board_role], b.membership.side, b.user.full_name))
    return out


def meetings(*, access: Access) -> QuerySet[Meeting]:
    """Meetings, newest first, with their number of decisions and of open actions (subqueries)."""
    actions = (
        Action.objects.filter(
            source_type=ContentType.objects.get_for_model(Meeting), source_id=OuterRef("pk"), status__in=OPEN_STATUSES
        )
        .filter(access.visible_q())
        .order_by()
        .values("source_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Meeting.objects.filter(arrangement=access.arrangement)
        .annotate(
            decision_count=Count("decisions", distinct=True),
            open_actions=Coalesce(Subquery(actions, output_field=IntegerField()), Value(0)),
        )
        .order_by("-held_on", "-id")
    )


def meeting_get(*, access: Access, meeting_uuid: Any) -> Meeting:
    return get_object_or_404(Meeting.objects.filter(arrangement=access.arrangement), uuid=meeting_uuid)


def meeting_actions(*, access: Access, meeting: Meeting) -> QuerySet[Action]:
    return (
        Action.objects.filter(
            arrangement=access.arrangement,
            source_type=ContentType.objects.get_for_model(Meeting),
            source_id=meeting.pk,
        )
        .filter(access.visible_q())
        .select_related("owner", "arrangement")
        .order_by("due_date", "id")
    )


def meeting_decisions(*, meeting: Meeting) -> QuerySet[Decision]:
    return meeting.decisions.order_by("number")


def decisions_log(*, access: Access, q: str = "") -> QuerySet[Decision]:
    """Every decision of the board across meetings, newest first, with its meeting (one query)."""
    qs = Decision.objects.filter(arrangement=access.arrangement).select_related("meeting")
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(rationale__icontains=q)
    return qs.order_by("-meeting__held_on", "-number")


def decision_get(*, access: Access, decision_uuid: Any) -> Decision:
    return get_object_or_404(
        Decision.objects.filter(arrangement=access.arrangement).select_related("meeting"), uuid=decision_uuid
    )
