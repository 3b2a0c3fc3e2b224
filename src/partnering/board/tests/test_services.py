"""Board rules: members and roles from the guide, decisions numbered, actions from meetings, locking."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partnering.arrangements.models import OpennessProfile
from partnering.board import selectors, services
from partnering.board.models import Meeting
from partnering.core.choices import Role, Side
from partnering.core.concurrency import EditConflict
from partnering.testing import add_member


def _meeting(world, **extra):
    return services.meeting_create(
        access=world.access(world.alice), held_on=timezone.localdate(), **({"title": "Quarter 1"} | extra)
    )


def test_the_sro_chairs_and_the_srie_advises_by_default(world):
    add_member(world.arrangement, world.peter, Side.PROVIDER, Role.BOARD_MEMBER)

    members = {m.user: m.board_role for m in selectors.board_members(access=world.access(world.alice))}

    assert members == {world.alice: "chair", world.bob: "technical_adviser", world.peter: "member"}


def test_the_srie_may_be_senior_supplier_but_never_chair(world):
    bob = world.arrangement.memberships.get(user=world.bob)
    services.board_roles_update(access=world.access(world.bob), expected_version=1, roles={bob.pk: "senior_supplier"})

    roles = {m.user: m.board_role for m in selectors.board_members(access=world.access(world.bob))}
    assert roles[world.bob] == "senior_supplier"
    with pytest.raises(ValidationError):
        services.board_roles_update(access=world.access(world.bob), expected_version=2, roles={bob.pk: "chair"})


def test_each_side_seats_its_own_people_on_the_board(world):
    """Sovereign sides: the customer cannot change the provider's board seats, nor the other way round."""
    bob = world.arrangement.memberships.get(user=world.bob)
    alice = world.arrangement.memberships.get(user=world.alice)

    with pytest.raises(PermissionDenied):
        services.board_roles_update(
            access=world.access(world.alice), expected_version=1, roles={bob.pk: "senior_supplier"}
        )
    # Posting the other side's seats as they are (the whole board form) is fine.
    services.board_roles_update(
        access=world.access(world.alice), expected_version=1, roles={alice.pk: "chair", bob.pk: "technical_adviser"}
    )


def test_board_roles_are_saved_under_one_version(world):
    bob = world.arrangement.memberships.get(user=world.bob)
    services.board_roles_update(access=world.access(world.bob), expected_version=1, roles={bob.pk: "senior_supplier"})

    with pytest.raises(EditConflict):
        services.board_roles_update(
            access=world.access(world.bob), expected_version=1, roles={bob.pk: "technical_adviser"}
        )


def test_decisions_are_numbered_across_meetings(world):
    first, second = _meeting(world), _meeting(world, title="Quarter 2")
    access = world.access(world.bob)

    refs = [
        services.decision_add(access=access, meeting=first, title="A").reference,
        services.decision_add(access=access, meeting=second, title="B").reference,
    ]

    assert refs == ["D-001", "D-002"]
    assert [d.reference for d in selectors.decisions_log(access=access)] == ["D-002", "D-001"]


def test_meeting_actions_are_the_one_action_model_linked_to_the_meeting(world):
    meeting = _meeting(world)

    action = services.meeting_action_add(
        access=world.access(world.bob), meeting=meeting, title="Do it", owner=world.peter
    )

    assert action.source == meeting and action.visibility == "shared"
    assert list(selectors.meeting_actions(access=world.access(world.alice), meeting=meeting)) == [action]


def test_a_stale_meeting_edit_is_refused(world):
    meeting = _meeting(world)
    services.meeting_update(
        access=world.access(world.alice), meeting=meeting, expected_version=1, changes={"minutes": "A"}
    )

    with pytest.raises(EditConflict) as exc:
        services.meeting_update(
            access=world.access(world.bob), meeting=Meeting.objects.get(), expected_version=1, changes={"minutes": "B"}
        )
    assert {c.field for c in exc.value.changes} == {"minutes"}


def test_attendees_are_members(world):
    with pytest.raises(ValidationError):
        _meeting(world, attendees=[world.alice, world.charlie])


def test_no_board_without_a_joint_project_board_in_the_openness(world):
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(joint_project_board=False)

    with pytest.raises(PermissionDenied):
        _meeting(world)


def test_observers_cannot_record_meetings(world):
    with pytest.raises(PermissionDenied):
        services.meeting_create(access=world.access(world.dave), title="X", held_on=timezone.localdate())
