"""The REST API of actions: an arrangement's actions, edits with optimistic locking, and "mine"."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from partnering.actions.models import Action
from partnering.actions.services import action_create, action_update
from partnering.arrangements.models import Membership
from partnering.core.choices import Role, Side, Visibility
from partnering.testing import ArrangementFactory, add_member


def signed_in(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def actions_url(world: Any, suffix: str = "") -> str:
    return f"/api/v1/arrangements/{world.arrangement.slug}/actions/{suffix}"


def assert_constant_queries(client: APIClient, path: str, add_rows: Any) -> None:
    """The same number of queries for 2 rows as for 10 (no N+1); prints the SQL if not."""
    counts = []
    for n in (2, 8):
        add_rows(n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200
        assert len(response.data["results"]) >= n
        counts.append((len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]))
    assert counts[0][0] == counts[1][0], "\n".join(counts[1][1])


@pytest.fixture
def private_actions(world):
    customer_only = action_create(
        access=world.access(world.alice), title="Customer-only budget check", visibility=Visibility.CUSTOMER_ONLY
    )
    provider_only = action_create(
        access=world.access(world.bob), title="Provider-only staffing plan", visibility=Visibility.PROVIDER_ONLY
    )
    shared = action_create(access=world.access(world.alice), title="Agree the charter", owner=world.bob)
    return customer_only, provider_only, shared


def test_each_side_sees_shared_actions_and_its_own_private_ones(world, private_actions, bob):
    response = signed_in(bob).get(actions_url(world))

    titles = {row["title"] for row in response.data["results"]}
    assert titles == {"Provider-only staffing plan", "Agree the charter"}


def test_facilitator_sees_shared_actions_only(world, private_actions, fran):
    response = signed_in(fran).get(actions_url(world))

    assert [row["title"] for row in response.data["results"]] == ["Agree the charter"]


def test_the_other_sides_private_action_is_404(world, private_actions, alice):
    _, provider_only, _ = private_actions

    response = signed_in(alice).get(actions_url(world, f"{provider_only.uuid}/"))

    assert response.status_code == 404


def test_done_actions_are_listed_only_when_asked(world, private_actions, alice):
    _, _, shared = private_actions
    action_update(access=world.access(alice), action=shared, expected_version=1, changes={"status": "done"})

    open_titles = {r["title"] for r in signed_in(alice).get(actions_url(world)).data["results"]}
    all_titles = {r["title"] for r in signed_in(alice).get(actions_url(world) + "?all=true").data["results"]}

    assert "Agree the charter" not in open_titles
    assert "Agree the charter" in all_titles


def test_action_list_query_count_is_constant(world, alice):
    def add_rows(n: int) -> None:
        for i in range(n):
            action_create(access=world.access(alice), title=f"Action {i}", owner=world.bob, due_date="2026-01-01")

    assert_constant_queries(signed_in(alice), actions_url(world), add_rows)


def test_member_creates_an_action_owned_by_another_member(world):
    body = {"title": "Book the workshop", "owner": "BOB@brightwave.example", "due_date": "2026-02-01"}

    response = signed_in(world.peter).post(actions_url(world), body, format="json")

    assert response.status_code == 201, response.data
    assert response.data["owner"] == {"email": "bob@brightwave.example", "full_name": "Bob Brown"}
    assert response.data["version"] == 1
    assert response.data["status"] == "open"


@pytest.mark.parametrize("email", ["charlie@eastbridge.example", "nobody@nowhere.example"])
def test_owner_outside_the_arrangement_is_400_without_saying_whether_they_exist(world, alice, email):
    response = signed_in(alice).post(actions_url(world), {"title": "Chase", "owner": email}, format="json")

    assert response.status_code == 400
    assert response.data["owner"] == ["The owner must be a member of this arrangement."]


def test_private_action_for_the_other_side_is_403(world, alice):
    body = {"title": "Peek", "visibility": "provider"}

    assert signed_in(alice).post(actions_url(world), body, format="json").status_code == 403


def test_private_action_owned_by_the_other_side_is_400(world, alice):
    body = {"title": "Budget", "visibility": "customer", "owner": "bob@brightwave.example"}

    response = signed_in(alice).post(actions_url(world), body, format="json")

    assert response.status_code == 400
    assert "owner" in response.data


def test_untitled_action_is_400(world, alice):
    response = signed_in(alice).post(actions_url(world), {"title": ""}, format="json")

    assert response.status_code == 400
    assert "title" in response.data


def test_completing_an_action_with_the_current_version(world, private_actions, bob):
    _, _, shared = private_actions

    response = signed_in(bob).patch(
        actions_url(world, f"{shared.uuid}/"), {"version": 1, "status": "done"}, format="json"
    )

    assert response.status_code == 200, response.data
    assert response.data["status"] == "done"
    assert response.data["completed_at"] is not None
    assert response.data["version"] == 2


def test_unassigning_an_action(world, private_actions, alice):
    _, _, shared = private_actions

    response = signed_in(alice).patch(
        actions_url(world, f"{shared.uuid}/"), {"version": 1, "owner": None}, format="json"
    )

    assert response.status_code == 200
    assert response.data["owner"] is None


def test_editing_from_a_stale_version_is_409_with_the_changes(world, private_actions, alice, bob):
    _, _, shared = private_actions
    action_update(access=world.access(bob), action=shared, expected_version=1, changes={"owner": world.peter})

    response = signed_in(alice).patch(
        actions_url(world, f"{shared.uuid}/"), {"version": 1, "owner": "carol@northshire.example"}, format="json"
    )

    assert response.status_code == 409
    assert response.data["current_version"] == 2
    assert response.data["changes"] == [
        {"field": "owner", "label": "Owner", "theirs": "peter@brightwave.example", "yours": "carol@northshire.example"}
    ]
    assert Action.objects.get(pk=shared.pk).owner == world.peter


def test_editing_without_a_version_is_400(world, private_actions, alice):
    _, _, shared = private_actions

    response = signed_in(alice).patch(actions_url(world, f"{shared.uuid}/"), {"title": "New"}, format="json")

    assert response.status_code == 400
    assert "version" in response.data


# -- my actions -----------------------------------------------------------------------------


def test_my_actions_lists_my_open_actions_across_arrangements(world, private_actions, bob):
    action_create(access=world.access(world.charlie, world.other_arrangement), title="Not bob's")
    add_member(world.other_arrangement, bob, Side.PROVIDER, Role.SRIE)
    action_create(access=world.access(bob, world.other_arrangement), title="Eastbridge handover", owner=bob)

    response = signed_in(bob).get("/api/v1/actions/mine/")

    rows = {row["title"]: row for row in response.data["results"]}
    assert set(rows) == {"Agree the charter", "Eastbridge handover"}
    assert rows["Eastbridge handover"]["arrangement"] == {
        "slug": world.other_arrangement.slug,
        "title": "Eastbridge benefits",
    }


def test_my_actions_leave_out_arrangements_i_have_left(world, private_actions, bob):
    Membership.objects.filter(arrangement=world.arrangement, user=bob).update(is_active=False)

    response = signed_in(bob).get("/api/v1/actions/mine/")

    assert response.data["results"] == []


def test_my_actions_query_count_is_constant(world, bob):
    def add_rows(n: int) -> None:
        for _ in range(n):
            arrangement = ArrangementFactory(provider=world.provider)
            add_member(arrangement, bob, Side.PROVIDER, Role.SRIE)
            action_create(access=world.access(bob, arrangement), title="Follow up", owner=bob)

    assert_constant_queries(signed_in(bob), "/api/v1/actions/mine/", add_rows)


def test_action_whose_creator_left_can_still_be_edited(world, private_actions, alice):
    _, _, shared = private_actions
    Action.objects.filter(pk=shared.pk).update(created_by=None)

    response = signed_in(alice).patch(
        actions_url(world, f"{shared.uuid}/"), {"version": 1, "title": "New"}, format="json"
    )

    assert response.status_code == 200
