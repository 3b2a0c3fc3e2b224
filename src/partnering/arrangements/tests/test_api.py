"""The REST API of arrangements: organisations, arrangements, members, openness, stage, outcomes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from partnering.accounts.models import OrganisationKind
from partnering.arrangements.models import Arrangement, Membership, OpennessProposal, SharedOutcome
from partnering.arrangements.services import arrangement_update, openness_propose, outcome_add
from partnering.core.choices import Role, Side
from partnering.testing import ArrangementFactory, OrganisationFactory, UserFactory, add_member

API = "/api/v1"

OPENNESS = {
    "joint_project_board": True,
    "single_risk_register": True,
    "problems_visible": True,
    "open_book": "both",
    "single_project_budget": False,
    "staff_360_reporting": False,
    "facilitator_sees_blind_answers": False,
}


def signed_in(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def url(world: Any, suffix: str = "") -> str:
    return f"{API}/arrangements/{world.arrangement.slug}/{suffix}"


def count_queries(client: APIClient, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.data
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_constant_queries(client: APIClient, path: str, add_rows: Any) -> None:
    """The same number of queries for 2 rows as for 10 (no N+1); prints the SQL if not."""
    add_rows(2)
    few, _ = count_queries(client, path)
    add_rows(8)
    many, sql = count_queries(client, path)
    assert many == few, "\n".join(sql)


@pytest.fixture
def editable(world):
    # The factory leaves created_by empty, which arrangement_update's full_clean
    # refuses (see test_arrangement_whose_creator_left_can_still_be_edited).
    Arrangement.objects.filter(pk=world.arrangement.pk).update(created_by=world.alice)
    return world


# -- organisations -----------------------------------------------------------------


def test_organisations_are_your_own_and_those_in_your_arrangements(world, bob):
    response = signed_in(bob).get(f"{API}/organisations/")

    names = {row["name"] for row in response.data["results"]}
    assert names == {"Brightwave Digital", "Northshire County Council"}


def test_customer_also_sees_every_provider_to_convene_with(world, alice):
    OrganisationFactory(name="Lonely Provider Ltd", kind=OrganisationKind.PROVIDER)

    response = signed_in(alice).get(f"{API}/organisations/")

    names = {row["name"] for row in response.data["results"]}
    assert "Lonely Provider Ltd" in names
    assert "Eastbridge Borough Council" not in names


def test_organisation_outside_your_arrangements_is_404(world, bob):
    response = signed_in(bob).get(f"{API}/organisations/eastbridge-borough-council/")

    assert response.status_code == 404


def test_organisation_list_query_count_is_constant(world, bob):
    def add_rows(n: int) -> None:
        for _ in range(n):
            add_member(ArrangementFactory(provider=world.provider), bob, Side.PROVIDER, Role.SRIE)

    assert_constant_queries(signed_in(bob), f"{API}/organisations/", add_rows)


# -- arrangements --------------------------------------------------------------------


def test_provider_member_sees_the_arrangement_in_their_list(world, bob):
    response = signed_in(bob).get(f"{API}/arrangements/")

    assert [row["slug"] for row in response.data["results"]] == [world.arrangement.slug]


def test_outsiders_list_is_empty_of_it(world, charlie):
    response = signed_in(charlie).get(f"{API}/arrangements/")

    assert [row["slug"] for row in response.data["results"]] == [world.other_arrangement.slug]


def test_list_shows_leaders_and_member_count(world, alice):
    row = signed_in(alice).get(f"{API}/arrangements/").data["results"][0]

    assert row["member_count"] == 6
    assert row["leaders"]["sro"]["email"] == "alice@northshire.example"
    assert row["leaders"]["srie"]["email"] == "bob@brightwave.example"
    assert "id" not in row


def test_arrangement_list_query_count_is_constant(world, alice):
    def add_rows(n: int) -> None:
        for _ in range(n):
            other = ArrangementFactory(customer=world.customer, provider=world.provider)
            add_member(other, alice, Side.CUSTOMER, Role.SRO)
            add_member(other, world.bob, Side.PROVIDER, Role.SRIE)

    assert_constant_queries(signed_in(alice), f"{API}/arrangements/", add_rows)


def test_customer_convenes_an_arrangement(world, alice):
    body = {
        "title": "Payroll service",
        "provider": world.provider.slug,
        "contract_start": "2026-04-01",
        "outcomes": ["Staff paid on time", "  "],
        "openness": {"open_book": "provider"},
    }

    response = signed_in(alice).post(f"{API}/arrangements/", body, format="json")

    assert response.status_code == 201, response.data
    assert response.data["customer"]["slug"] == world.customer.slug
    assert response.data["your_access"]["roles"] == ["sro"]
    assert response.data["openness"]["open_book"] == "provider"
    arrangement = Arrangement.objects.get(slug=response.data["slug"])
    assert list(arrangement.outcomes.values_list("text", flat=True)) == ["Staff paid on time"]


def test_customer_can_convene_with_a_provider_not_yet_registered(world, alice):
    body = {"title": "Payroll service", "new_provider": "Newco Systems"}

    response = signed_in(alice).post(f"{API}/arrangements/", body, format="json")

    assert response.status_code == 201, response.data
    assert response.data["provider"]["name"] == "Newco Systems"
    assert response.data["provider"]["kind"] == "provider"


def test_provider_person_cannot_convene_an_arrangement(world, bob):
    body = {"title": "Payroll service", "provider": world.provider.slug}

    response = signed_in(bob).post(f"{API}/arrangements/", body, format="json")

    assert response.status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "No provider"}, "provider"),
        ({"title": "Customer as provider", "provider": "northshire-county-council"}, "provider"),
        (
            {
                "title": "Backwards",
                "new_provider": "Newco",
                "contract_start": "2026-04-01",
                "contract_end": "2025-01-01",
            },
            "contract_end",
        ),
        (
            {"title": "Provider role", "new_provider": "Newco", "creator_role": "srie"},
            "creator_role",
        ),
    ],
    ids=["no provider", "customer as provider", "end before start", "provider role"],
)
def test_invalid_arrangement_is_400_with_the_field(world, alice, body, field):
    response = signed_in(alice).post(f"{API}/arrangements/", body, format="json")

    assert response.status_code == 400
    assert field in response.data


def test_arrangement_shows_openness_and_your_access(world, fran):
    response = signed_in(fran).get(url(world))

    assert response.data["openness"] == OPENNESS
    assert response.data["your_access"]["side"] == "neutral"
    assert "manage_assessments" in response.data["your_access"]["permissions"]
    assert "edit_arrangement" not in response.data["your_access"]["permissions"]


def test_editing_with_the_current_version_saves_and_bumps_it(editable, alice):
    body = {"version": 1, "title": "Digital services 2", "contract_start": "2026-01-01"}

    response = signed_in(alice).patch(url(editable), body, format="json")

    assert response.status_code == 200, response.data
    assert response.data["title"] == "Digital services 2"
    assert response.data["version"] == 2


def test_editing_from_a_stale_version_is_409_with_the_changes(editable, alice):
    carol_access = editable.access(editable.carol)
    arrangement_update(access=carol_access, expected_version=1, changes={"title": "Carol's title"})

    response = signed_in(alice).patch(url(editable), {"version": 1, "title": "Alice's title"}, format="json")

    assert response.status_code == 409
    assert response.data["current_version"] == 2
    assert response.data["changes"] == [
        {"field": "title", "label": "Title", "theirs": "Carol's title", "yours": "Alice's title"}
    ]
    assert Arrangement.objects.get(pk=editable.arrangement.pk).title == "Carol's title"


def test_editing_without_a_version_is_400(editable, alice):
    response = signed_in(alice).patch(url(editable), {"title": "No version"}, format="json")

    assert response.status_code == 400
    assert "version" in response.data


def test_editing_ignores_fields_that_are_not_editable(editable, alice):
    body = {"version": 1, "slug": "hijack", "stage": "exit"}

    response = signed_in(alice).patch(url(editable), body, format="json")

    assert response.status_code == 200
    assert response.data["slug"] == editable.arrangement.slug
    assert response.data["stage"] == "in_service"


def test_put_is_not_allowed(editable, alice):
    assert signed_in(alice).put(url(editable), {"version": 1}, format="json").status_code == 405


def test_arrangement_whose_creator_left_can_still_be_edited(world, alice):
    assert world.arrangement.created_by is None

    response = signed_in(alice).patch(url(world), {"version": 1, "title": "Renamed"}, format="json")

    assert response.status_code == 200


# -- stage ---------------------------------------------------------------------------


def test_sro_changes_the_stage(world, alice):
    response = signed_in(alice).post(url(world, "stage/"), {"stage": "exit", "reason": "Recompete"}, format="json")

    assert response.status_code == 201
    assert response.data["from_stage"] == "in_service"
    assert response.data["to_stage"] == "exit"
    assert response.data["changed_by"]["email"] == "alice@northshire.example"
    assert Arrangement.objects.get(pk=world.arrangement.pk).stage == "exit"


def test_moving_to_the_current_stage_is_400(world, alice):
    response = signed_in(alice).post(url(world, "stage/"), {"stage": "in_service"}, format="json")

    assert response.status_code == 400
    assert "stage" in response.data


def test_relationship_manager_cannot_change_the_stage(world):
    response = signed_in(world.carol).post(url(world, "stage/"), {"stage": "exit"}, format="json")

    assert response.status_code == 403


# -- members -------------------------------------------------------------------------


def test_members_are_listed_with_sides_and_roles(world, dave):
    response = signed_in(dave).get(url(world, "members/"))

    rows = {row["user"]["email"]: row for row in response.data["results"]}
    assert rows["bob@brightwave.example"]["side"] == "provider"
    assert rows["bob@brightwave.example"]["roles"] == ["srie"]
    assert rows["bob@brightwave.example"]["user"]["organisation"]["slug"] == world.provider.slug
    assert "charlie@eastbridge.example" not in rows


def test_member_list_query_count_is_constant(world, alice):
    def add_rows(n: int) -> None:
        for _ in range(n):
            add_member(
                world.arrangement,
                UserFactory(organisation=world.customer),
                Side.CUSTOMER,
                Role.BOARD_MEMBER,
            )

    assert_constant_queries(signed_in(alice), url(world, "members/"), add_rows)


def test_inviting_a_new_person_creates_their_account_and_emails_them(
    world, alice, mailoutbox, django_capture_on_commit_callbacks
):
    body = {
        "email": "Nia@Northshire.example",
        "full_name": "Nia New",
        "side": "customer",
        "roles": ["board_member"],
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(alice).post(url(world, "members/"), body, format="json")

    assert response.status_code == 201, response.data
    assert response.data["user"]["email"] == "nia@northshire.example"
    assert response.data["user"]["organisation"]["slug"] == world.customer.slug
    assert response.data["roles"] == ["board_member"]
    # The invitee gets the link; the provider's lead is told of the change to the customer side.
    assert [m.to for m in mailoutbox] == [["nia@northshire.example"], [world.bob.email]]
    assert "http://testserver/accounts/password-reset/" in mailoutbox[0].body
    assert "Nia New joined the customer side" in mailoutbox[1].body


def invite(client: APIClient, world: Any, **body: Any) -> Any:
    return client.post(url(world, "members/"), body, format="json")


def test_inviting_someone_already_a_member_is_400(world, alice):
    response = invite(
        signed_in(alice),
        world,
        email="carol@northshire.example",
        side="customer",
        roles=["board_member"],
    )

    assert response.status_code == 400
    assert "already a member" in response.data["email"][0]


def test_inviting_a_second_sro_is_400(world, alice):
    response = invite(
        signed_in(alice),
        world,
        email="sam@northshire.example",
        full_name="Sam Second",
        side="customer",
        roles=["sro"],
    )

    assert response.status_code == 400
    assert "already the Senior Responsible Owner" in response.data["roles"][0]


def test_inviting_a_provider_person_to_the_customer_side_is_400(world, alice):
    UserFactory(email="pat@brightwave.example", organisation=world.provider)

    response = invite(
        signed_in(alice),
        world,
        email="pat@brightwave.example",
        side="customer",
        roles=["board_member"],
    )

    assert response.status_code == 400
    assert "cannot be added by your side" in response.data["email"][0]


def test_inviting_a_new_person_without_a_name_is_400(world, alice):
    response = invite(
        signed_in(alice),
        world,
        email="nameless@northshire.example",
        side="customer",
        roles=["observer"],
    )

    assert response.status_code == 400
    assert "full_name" in response.data


@pytest.mark.parametrize(
    "roles, field",
    [([], "roles"), (["emperor"], "roles"), (["srie"], "roles")],
    ids=["none", "unknown", "wrong side"],
)
def test_inviting_with_bad_roles_is_400(world, alice, roles, field):
    response = invite(
        signed_in(alice),
        world,
        email="nia@northshire.example",
        full_name="Nia",
        side="customer",
        roles=roles,
    )

    assert response.status_code == 400
    assert field in response.data


def test_relationship_manager_cannot_invite_to_the_other_side(world):
    response = invite(
        signed_in(world.carol),
        world,
        email="pat@brightwave.example",
        full_name="Pat",
        side="provider",
        roles=["observer"],
    )

    assert response.status_code == 403


def member_url(world: Any, user: Any) -> str:
    membership = Membership.objects.get(arrangement=world.arrangement, user=user)
    return url(world, f"members/{membership.uuid}/")


def test_setting_roles_replaces_the_current_ones(world, bob):
    body = {"roles": ["contract_manager", "board_member"], "handover_note": "Moved to contracts"}

    response = signed_in(bob).patch(member_url(world, world.peter), body, format="json")

    assert response.status_code == 200, response.data
    assert response.data["roles"] == ["board_member", "contract_manager"]


def test_giving_a_second_person_the_srie_role_is_400(world, bob):
    response = signed_in(bob).patch(member_url(world, world.peter), {"roles": ["srie"]}, format="json")

    assert response.status_code == 400
    assert "roles" in response.data


def test_removed_member_loses_access(world, bob):
    response = signed_in(bob).delete(member_url(world, world.peter), {"handover_note": "Left"}, format="json")

    assert response.status_code == 204
    assert signed_in(world.peter).get(url(world)).status_code == 404


def test_removing_yourself_is_400(world, alice):
    response = signed_in(alice).delete(member_url(world, alice))

    assert response.status_code == 400
    assert "yourself" in response.data["non_field_errors"][0]


def test_membership_of_another_arrangement_is_404(world, alice):
    theirs = Membership.objects.get(arrangement=world.other_arrangement, user=world.charlie)

    response = signed_in(alice).get(url(world, f"members/{theirs.uuid}/"))

    assert response.status_code == 404


# -- degree of openness --------------------------------------------------------------------


def test_openness_shows_the_settings_in_force(world, dave):
    response = signed_in(dave).get(url(world, "openness/"))

    assert response.data == {"settings": OPENNESS, "version": 1, "pending_proposal": None}


def test_openness_comes_into_force_when_sro_and_srie_both_agree(world, alice, bob):
    proposed = {**OPENNESS, "open_book": "provider"}
    response = signed_in(alice).post(url(world, "openness/"), {"settings": proposed, "reason": "Trust"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["status"] == "pending"
    assert signed_in(bob).get(url(world, "openness/")).data["pending_proposal"]["uuid"] == response.data["uuid"]

    agreed = signed_in(bob).post(url(world, f"openness/proposals/{response.data['uuid']}/agree/"))

    assert agreed.status_code == 200
    assert agreed.data["status"] == "agreed"
    assert agreed.data["srie_agreed_by"]["email"] == "bob@brightwave.example"
    now = signed_in(bob).get(url(world, "openness/")).data
    assert now["settings"]["open_book"] == "provider"
    assert now["version"] == 2


def test_proposing_the_settings_already_in_force_is_400(world, alice):
    response = signed_in(alice).post(url(world, "openness/"), {"settings": OPENNESS}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.data


def test_proposal_must_answer_every_question(world, alice):
    partial = {k: v for k, v in OPENNESS.items() if k != "open_book"}

    response = signed_in(alice).post(url(world, "openness/"), {"settings": partial}, format="json")

    assert response.status_code == 400
    assert "open_book" in response.data["settings"]


def test_relationship_manager_cannot_propose_openness(world):
    body = {"settings": {**OPENNESS, "open_book": "none"}}

    assert signed_in(world.carol).post(url(world, "openness/"), body, format="json").status_code == 403


def test_withdrawn_proposal_cannot_be_agreed(world, alice, bob):
    proposal = openness_propose(access=world.access(alice), settings={**OPENNESS, "open_book": "none"})
    assert signed_in(alice).post(url(world, f"openness/proposals/{proposal.uuid}/withdraw/")).status_code == 200

    response = signed_in(bob).post(url(world, f"openness/proposals/{proposal.uuid}/agree/"))

    assert response.status_code == 400
    assert OpennessProposal.objects.get(pk=proposal.pk).status == "withdrawn"


def test_proposal_of_another_arrangement_is_404(world, bob):
    theirs = openness_propose(
        access=world.access(world.charlie, world.other_arrangement),
        settings={**OPENNESS, "open_book": "none"},
    )

    response = signed_in(bob).post(url(world, f"openness/proposals/{theirs.uuid}/agree/"))

    assert response.status_code == 404


def test_proposal_list_query_count_is_constant(world, alice):
    def add_rows(n: int) -> None:
        for i in range(n):
            openness_propose(
                access=world.access(alice),
                settings={**OPENNESS, "open_book": ["none", "provider"][i % 2]},
            )

    assert_constant_queries(signed_in(alice), url(world, "openness/proposals/"), add_rows)


# -- shared business outcomes -------------------------------------------------------------------


def test_outcomes_are_added_edited_and_removed(world, alice):
    client = signed_in(alice)

    added = client.post(url(world, "outcomes/"), {"text": "Claims paid in five days"}, format="json")
    assert added.status_code == 201
    outcome_url = url(world, f"outcomes/{added.data['uuid']}/")
    edited = client.patch(outcome_url, {"text": "Claims paid in three days"}, format="json")
    assert edited.data["text"] == "Claims paid in three days"
    assert client.delete(outcome_url).status_code == 204
    assert not SharedOutcome.objects.filter(arrangement=world.arrangement).exists()


def test_blank_outcome_is_400(world, alice):
    response = signed_in(alice).post(url(world, "outcomes/"), {"text": "   "}, format="json")

    assert response.status_code == 400
    assert "text" in response.data


def test_outcomes_are_agreed_by_both_sides_and_editing_clears_agreement(world, alice, bob):
    outcome = outcome_add(access=world.access(alice), text="Claims paid in five days")

    assert signed_in(alice).post(url(world, "outcomes/agree/")).data == {"agreed": 1}
    assert signed_in(bob).post(url(world, "outcomes/agree/")).data == {"agreed": 1}
    row = signed_in(alice).get(url(world, f"outcomes/{outcome.uuid}/")).data
    assert row["is_agreed"] is True
    assert row["provider_agreed_by"]["email"] == "bob@brightwave.example"

    edited = signed_in(world.carol).patch(url(world, f"outcomes/{outcome.uuid}/"), {"text": "New words"}, format="json")

    assert edited.data["is_agreed"] is False
    assert edited.data["customer_agreed_at"] is None


def test_facilitator_cannot_agree_outcomes(world, fran):
    assert signed_in(fran).post(url(world, "outcomes/agree/")).status_code == 403


def test_outcome_list_query_count_is_constant(world, alice, bob):
    def add_rows(n: int) -> None:
        for i in range(n):
            outcome_add(access=world.access(alice), text=f"Outcome {i}")
        signed_in(alice).post(url(world, "outcomes/agree/"))
        signed_in(bob).post(url(world, "outcomes/agree/"))

    assert_constant_queries(signed_in(alice), url(world, "outcomes/"), add_rows)
