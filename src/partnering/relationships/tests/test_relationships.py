"""Peer map, peer pairs, key-person handovers and action discussions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.actions.models import Action
from partnering.arrangements.models import RoleAssignment
from partnering.core.choices import Role, Side
from partnering.core.concurrency import EditConflict
from partnering.relationships import selectors, services
from partnering.testing import UserFactory, add_member


def _member(world, user):
    return world.arrangement.memberships.get(user=user)


def test_the_peer_map_shows_gaps_for_roles_held_on_one_side_only(world):
    peer_map = selectors.peer_map(access=world.access(world.alice))

    gaps = {row.customer_role: row.gap for row in peer_map.gaps}
    # carol is the customer's relationship manager; peter the provider's service delivery manager.
    assert gaps == {Role.RELATIONSHIP_MANAGER: Side.PROVIDER, Role.SERVICE_DELIVERY_MANAGER: Side.CUSTOMER}
    assert next(r for r in peer_map.rows if r.customer_role == Role.SRO).gap == ""


def test_pairing_two_people_takes_them_off_the_unpaired_list(world):
    access = world.access(world.alice)
    services.peer_pair_create(
        access=access,
        customer_member=_member(world, world.alice),
        provider_member=_member(world, world.bob),
        label="SRO–SRIE",
    )

    unpaired = {m.user for m in selectors.peer_map(access=access).unpaired}

    assert unpaired == {world.carol, world.peter}


def test_a_pair_needs_one_person_from_each_side(world):
    with pytest.raises(ValidationError):
        services.peer_pair_create(
            access=world.access(world.alice),
            customer_member=_member(world, world.bob),
            provider_member=_member(world, world.alice),
            label="Backwards",
        )


def test_only_managers_record_pairs(world):
    with pytest.raises(PermissionDenied):
        services.peer_pair_create(
            access=world.access(world.peter),
            customer_member=_member(world, world.alice),
            provider_member=_member(world, world.bob),
            label="x",
        )


def test_a_stale_rename_of_a_pair_is_refused(world):
    pair = services.peer_pair_create(
        access=world.access(world.alice),
        customer_member=_member(world, world.alice),
        provider_member=_member(world, world.bob),
        label="a",
    )
    services.peer_pair_update(access=world.access(world.bob), pair=pair, expected_version=1, label="b")

    with pytest.raises(EditConflict):
        services.peer_pair_update(access=world.access(world.alice), pair=pair, expected_version=1, label="c")


def test_a_handover_keeps_the_note_names_the_successor_and_moves_the_leavers_pairs(world):
    access = world.access(world.bob)
    olive = UserFactory(email="olive@brightwave.example", full_name="Olive Owens", organisation=world.provider)
    add_member(world.arrangement, olive, Side.PROVIDER, Role.OBSERVER)
    services.peer_pair_create(
        access=world.access(world.alice),
        customer_member=_member(world, world.alice),
        provider_member=_member(world, world.peter),
        label="peers",
    )

    services.role_hand_over(
        access=access,
        role=Role.SERVICE_DELIVERY_MANAGER,
        from_member=_member(world, world.peter),
        to_member=_member(world, olive),
        handover_note="Open incidents are in the tracker.",
        leaves=True,
    )

    [change] = selectors.key_person_changes(access=access)
    assert change.ended.handover_note == "Open incidents are in the tracker."
    assert change.successor.membership.user == olive
    assert set(
        RoleAssignment.objects.filter(membership__user=olive, ended_at__isnull=True).values_list("role", flat=True)
    ) == {Role.SERVICE_DELIVERY_MANAGER}
    assert selectors.peer_pairs(access=access).get().provider_member.user == olive


def test_a_handover_needs_a_note(world):
    with pytest.raises(ValidationError):
        services.role_hand_over(
            access=world.access(world.bob),
            role=Role.SERVICE_DELIVERY_MANAGER,
            from_member=_member(world, world.peter),
            to_member=_member(world, world.bob),
            handover_note=" ",
        )


def test_the_key_people_page_records_a_handover(client, world):
    olive = UserFactory(email="olive@brightwave.example", full_name="Olive Owens", organisation=world.provider)
    add_member(world.arrangement, olive, Side.PROVIDER, Role.OBSERVER)
    client.force_login(world.bob)
    url = f"/arrangements/{world.arrangement.slug}/people/changes/"

    response = client.post(
        url,
        {
            "role": Role.SERVICE_DELIVERY_MANAGER,
            "from_member": _member(world, world.peter).uuid,
            "to_member": _member(world, olive).uuid,
            "handover_note": "Rota attached.",
            "leaves": "on",
        },
    )

    assert response.status_code == 302
    assert "Rota attached." in client.get(url).content.decode()


def test_the_peer_map_runs_the_same_queries_whatever_the_number_of_people(client, world):
    client.force_login(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/people/peers/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(10):
        user = UserFactory(email=f"p{n}@brightwave.example", organisation=world.provider)
        add_member(world.arrangement, user, Side.PROVIDER, Role.CONTRACT_MANAGER)

    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many.captured_queries) == len(few.captured_queries)


def test_actions_carry_a_discussion_seen_under_the_actions_visibility(client, world):
    action = Action.objects.create(arrangement=world.arrangement, title="Trial", visibility="provider")
    url = f"/arrangements/{world.arrangement.slug}/actions/{action.uuid}/discussion/"
    client.force_login(world.peter)
    assert client.post(url, {"text": "Booked for Monday"}).status_code == 302

    client.force_login(world.alice)
    assert client.get(url).status_code == 404
    assert action.comments.get().history.get().history_user == world.peter
