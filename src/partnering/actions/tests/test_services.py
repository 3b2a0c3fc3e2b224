"""Actions: one named owner who is a member, private actions stay on their side, no lost edits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partnering.actions import selectors, services
from partnering.actions.models import Action, ActionStatus
from partnering.arrangements import people as arrangement_people
from partnering.core.audit import set_actor
from partnering.core.choices import Role, Side, Visibility
from partnering.core.concurrency import EditConflict
from partnering.testing import add_member


def _create(world, user="alice", **kwargs):
    return services.action_create(access=world.access(getattr(world, user)), **({"title": "Agree the plan"} | kwargs))


def test_a_member_creates_an_action_for_another_member(world):
    action = _create(world, owner=world.bob, due_date=timezone.localdate())

    assert (action.owner, action.created_by, action.arrangement) == (world.bob, world.alice, world.arrangement)
    assert action.status == ActionStatus.OPEN


def test_the_owner_must_be_a_member(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, owner=world.charlie)

    assert "owner" in exc.value.message_dict
    assert not Action.objects.exists()


def test_a_former_member_cannot_own_an_action(world):
    carol = world.arrangement.memberships.get(user=world.carol)
    arrangement_people.member_remove(access=world.access(world.alice), membership=carol)

    with pytest.raises(ValidationError):
        _create(world, owner=world.carol)


def test_observers_cannot_create_actions(world):
    with pytest.raises(PermissionDenied):
        _create(world, "dave")


def test_a_private_action_is_seen_by_its_side_only(world):
    action = _create(world, visibility=Visibility.CUSTOMER_ONLY, owner=world.carol)

    assert action in selectors.actions_for_arrangement(access=world.access(world.dave))
    for user in (world.bob, world.fran):
        assert action not in selectors.actions_for_arrangement(access=world.access(user))
        with pytest.raises(Exception, match="No Action matches"):
            selectors.action_get(access=world.access(user), action_uuid=action.uuid)


def test_nobody_creates_an_action_private_to_the_other_side(world):
    with pytest.raises(PermissionDenied):
        _create(world, "bob", visibility=Visibility.CUSTOMER_ONLY)


def test_a_private_action_is_owned_on_its_side(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, visibility=Visibility.CUSTOMER_ONLY, owner=world.bob)

    assert "owner" in exc.value.message_dict


def test_the_other_side_cannot_update_a_private_action(world):
    action = _create(world, visibility=Visibility.CUSTOMER_ONLY)

    with pytest.raises(PermissionDenied):
        services.action_update(
            access=world.access(world.bob), action=action, expected_version=1, changes={"title": "Mine now"}
        )


def test_my_actions_span_arrangements_where_i_am_still_a_member(world):
    from partnering.testing import ArrangementFactory

    second = ArrangementFactory(title="Second", customer=world.customer, provider=world.provider)
    add_member(second, world.bob, Side.PROVIDER, Role.SRIE)
    third = ArrangementFactory(title="Third", customer=world.customer, provider=world.provider)
    left = add_member(third, world.bob, Side.PROVIDER, Role.SRIE)
    here = _create(world, owner=world.bob)
    there = services.action_create(access=world.access(world.bob, second), title="There", owner=world.bob)
    gone = services.action_create(access=world.access(world.bob, third), title="Gone", owner=world.bob)
    _create(world, owner=world.alice)
    left.is_active = False
    left.save()

    mine = list(selectors.actions_for_user(user=world.bob))

    assert set(mine) == {here, there}
    assert gone not in mine


def test_my_actions_leave_out_done_ones_unless_asked(world):
    action = _create(world, owner=world.bob)
    services.action_update(
        access=world.access(world.bob), action=action, expected_version=1, changes={"status": ActionStatus.DONE}
    )

    assert list(selectors.actions_for_user(user=world.bob)) == []
    assert list(selectors.actions_for_user(user=world.bob, open_only=False)) == [action]


def test_an_open_action_past_its_date_is_overdue(world):
    yesterday = timezone.localdate() - timedelta(days=1)

    late = _create(world, due_date=yesterday)
    on_time = _create(world, due_date=timezone.localdate())
    done = _create(world, due_date=yesterday)
    done.status = ActionStatus.DONE

    assert late.is_overdue
    assert not on_time.is_overdue
    assert not done.is_overdue


def test_completing_an_action_records_when(world):
    action = _create(world)

    action = services.action_update(
        access=world.access(world.bob), action=action, expected_version=1, changes={"status": ActionStatus.DONE}
    )

    assert action.completed_at is not None
    action = services.action_update(
        access=world.access(world.bob), action=action, expected_version=2, changes={"status": ActionStatus.OPEN}
    )
    assert action.completed_at is None


def test_an_update_from_an_old_version_is_refused(world):
    action = _create(world)
    services.action_update(
        access=world.access(world.alice),
        action=Action.objects.get(pk=action.pk),
        expected_version=1,
        changes={"title": "Alice's"},
    )

    with pytest.raises(EditConflict) as exc:
        services.action_update(
            access=world.access(world.bob),
            action=Action.objects.get(pk=action.pk),
            expected_version=1,
            changes={"title": "Bob's"},
        )

    assert [c.field for c in exc.value.changes] == ["title"]
    assert Action.objects.get(pk=action.pk).title == "Alice's"


def test_an_action_can_be_updated_after_its_creator_is_deleted(world):
    action = _create(world, "carol")
    set_actor(None)  # as after a request: the deletion is not carol's own act
    world.carol.delete()

    services.action_update(
        access=world.access(world.alice),
        action=Action.objects.get(pk=action.pk),
        expected_version=1,
        changes={"title": "Still editable"},
    )
