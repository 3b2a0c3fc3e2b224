"""Writes to the joint project board: seats, meetings, decisions and meeting actions.

Every write first checks that the arrangement's agreed openness has a joint
project board ("single/joint project board" in the openness profile).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from partnering.actions.models import Action
from partnering.actions.services import action_create
from partnering.arrangements.models import Arrangement, Membership
from partnering.board.models import Board, BoardRole, BoardSeat, Decision, Meeting
from partnering.core.choices import Role, Side
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm

MEETING_FIELDS = ("title", "held_on", "location", "agenda", "minutes")
DECISION_FIELDS = ("title", "rationale")

NO_BOARD = "This arrangement's agreed openness has no joint project board."


def board_in_use(access: Access) -> bool:
    return bool(access.openness.joint_project_board)


def _require_board(access: Access, perm: Perm = Perm.CONTRIBUTE) -> None:
    access.require(perm)
    if not board_in_use(access):
        raise PermissionDenied(NO_BOARD)


def _stamp(record: Any, access: Access) -> None:
    record._history_user = access.user


def _own(access: Access, record: Any) -> None:
    if record.arrangement_id != access.arrangement.pk:
        raise PermissionDenied


# -- seats -------------------------------------------------------------------------


def allowed_roles(roles: set[str], side: str) -> list[str]:
    """The guide: the SRO chairs; the SRIE is technical adviser or even senior supplier."""
    if Role.SRO in roles:
        return [BoardRole.CHAIR]
    if Role.SRIE in roles:
        return [BoardRole.TECHNICAL_ADVISER, BoardRole.SENIOR_SUPPLIER]
    if side == Side.PROVIDER:
        return [BoardRole.MEMBER, BoardRole.TECHNICAL_ADVISER, BoardRole.SENIOR_SUPPLIER]
    return [BoardRole.MEMBER, BoardRole.TECHNICAL_ADVISER]


@transaction.atomic
def board_roles_update(*, access: Access, expected_version: int, roles: dict[Any, str]) -> Board:
    """Set the board role of members by membership id; the whole set is saved under the board's version."""
    _require_board(access, Perm.MANAGE_MEMBERS)
    from partnering.board.selectors import board_members

    board, _created = Board.objects.get_or_create(arrangement=access.arrangement)
    members = {m.membership.pk: m for m in board_members(access=access)}
    for membership_id, role in roles.items():
        member = members.get(membership_id)
        if member is None:
            raise ValidationError("Only board members have a board role.")
        # Sovereign sides: each side seats its own people; the other side's seats stay as they are.
        if member.membership.side != access.side and member.board_role != role:
            raise PermissionDenied(f"{member.membership.user}'s board role is set by their own side.")
        if role not in member.allowed:
            raise ValidationError(
                {"roles": f"{member.membership.user} cannot be {BoardRole(role).label.lower()} of the board."}
            )
    _stamp(board, access)
    save_versioned(board, expected_version=expected_version, fields=[])
    for membership_id, role in roles.items():
        seat = BoardSeat.objects.filter(board=board, membership_id=membership_id).first()
        if seat is None:
            seat = BoardSeat(board=board, membership_id=membership_id, board_role=role)
        elif seat.board_role == role:
            continue
        seat.board_role = role
        _stamp(seat, access)
        seat.save()
    return board


# -- meetings ----------------------------------------------------------------------


def _check_attendees(access: Access, attendees: list[Any]) -> None:
    ids = {u.pk for u in attendees}
    found = Membership.objects.filter(arrangement=access.arrangement, user_id__in=ids, is_active=True).count()
    if found != len(ids):
        raise ValidationError({"attendees": "Every attendee must be a member of this arrangement."})


@transaction.atomic
def meeting_create(
    *,
    access: Access,
    title: str,
    held_on: date,
    attendees: list[Any] | None = None,
    location: str = "",
    agenda: str = "",
    minutes: str = "",
) -> Meeting:
    """Record a board meeting: date, attendees, agenda and (later) minutes."""
    _require_board(access)
    attendees = list(attendees or [])
    _check_attendees(access, attendees)
    meeting = Meeting(
        arrangement=access.arrangement,
        title=title.strip(),
        held_on=held_on,
        location=location.strip(),
        agenda=agenda.strip(),
        minutes=minutes.strip(),
        created_by=access.user,
    )
    meeting.full_clean()
    _stamp(meeting, access)
    meeting.save()
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def meeting_update(*, access: Access, meeting: Meeting, expected_version: int, changes: dict[str, Any]) -> Meeting:
    """Edit a meeting; a save based on an old version is refused (EditConflict)."""
    _require_board(access)
    _own(access, meeting)
    attendees = changes.pop("attendees", None)
    for name, value in changes.items():
        if name not in MEETING_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    if attendees is not None:
        _check_attendees(access, list(attendees))
    _stamp(meeting, access)
    save_versioned(meeting, expected_version=expected_version, fields=list(MEETING_FIELDS))
    if attendees is not None:
        meeting.attendees.set(attendees)
    return meeting


# -- decisions ---------------------------------------------------------------------


@transaction.atomic
def decision_add(*, access: Access, meeting: Meeting, title: str, rationale: str = "") -> Decision:
    """A decision taken at a meeting, numbered D-001, D-002... across the arrangement."""
    _require_board(access)
    _own(access, meeting)
    # Lock the arrangement so that two decisions recorded at once get different numbers.
    Arrangement.objects.select_for_update().filter(pk=access.arrangement.pk).first()
    number = (Decision.objects.filter(arrangement=access.arrangement).aggregate(top=Max("number"))["top"] or 0) + 1
    decision = Decision(
        arrangement=access.arrangement,
        meeting=meeting,
        reference=f"D-{number:03d}",
        number=number,
        title=title.strip(),
        rationale=rationale.strip(),
        created_by=access.user,
    )
    decision.full_clean()
    _stamp(decision, access)
    decision.save()
    return decision


def decision_update(*, access: Access, decision: Decision, expected_version: int, changes: dict[str, Any]) -> Decision:
    """Correct a decision's record (EditConflict on a stale save)."""
    _require_board(access)
    _own(access, decision)
    for name, value in changes.items():
        if name not in DECISION_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        setattr(decision, name, value.strip() if isinstance(value, str) else value)
    _stamp(decision, access)
    return save_versioned(decision, expected_version=expected_version, fields=list(DECISION_FIELDS))


# -- actions -----------------------------------------------------------------------


def meeting_action_add(
    *,
    access: Access,
    meeting: Meeting,
    title: str,
    owner: Any = None,
    due_date: date | None = None,
    description: str = "",
) -> Action:
    """An action from the meeting: the one action model, linked to the meeting, shared with both sides."""
    _require_board(access)
    _own(access, meeting)
    return action_create(
        access=access,
        title=title,
        owner=owner,
        due_date=due_date,
        description=description,
        source=meeting,
        source_detail=f"board meeting of {meeting.held_on:%-d %B %Y}",
    )
