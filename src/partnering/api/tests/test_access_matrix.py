"""Every endpoint, for every kind of person: the one access policy, seen through the API.

anonymous → 401, charlie (outsider) → 404, dave (observer) → 200 to read and
403 to write, alice (customer SRO) and bob (provider SRIE) → what their roles allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from partnering.actions.services import action_create
from partnering.arrangements.models import Arrangement, Membership
from partnering.arrangements.services import openness_propose, outcome_add

NEW_OPENNESS = {
    "joint_project_board": True,
    "single_risk_register": True,
    "problems_visible": True,
    "open_book": "provider",
    "single_project_budget": False,
    "staff_360_reporting": False,
    "facilitator_sees_blind_answers": False,
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # formatted with the refs below
    body: dict[str, Any] | None = None
    alice: int = 200  # what the customer SRO gets
    bob: int = 200  # what the provider SRIE gets

    @property
    def is_write(self) -> bool:
        return self.method not in ("get", "head", "options")

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


A = "/api/v1/arrangements/{slug}"

ENDPOINTS = [
    Endpoint("get", A + "/"),
    Endpoint("get", A + "/members/"),
    Endpoint("get", A + "/members/{peter_membership}/"),
    Endpoint("get", A + "/openness/"),
    Endpoint("get", A + "/openness/proposals/"),
    Endpoint("get", A + "/openness/proposals/{proposal}/"),
    Endpoint("get", A + "/outcomes/"),
    Endpoint("get", A + "/outcomes/{outcome}/"),
    Endpoint("get", A + "/actions/"),
    Endpoint("get", A + "/actions/{action}/"),
    Endpoint("patch", A + "/", {"version": 1, "title": "Digital services 2"}),
    Endpoint("post", A + "/stage/", {"stage": "exit"}, alice=201, bob=403),
    Endpoint(
        "post",
        A + "/members/",
        {"email": "new@northshire.example", "full_name": "Nia New", "side": "customer", "roles": ["board_member"]},
        alice=201,
        bob=403,
    ),
    # Peter is on the provider side: only the provider manages him (sovereign sides).
    Endpoint("patch", A + "/members/{peter_membership}/", {"roles": ["board_member"]}, alice=403, bob=200),
    Endpoint("delete", A + "/members/{peter_membership}/", alice=403, bob=204),
    Endpoint("post", A + "/openness/", {"settings": {**NEW_OPENNESS, "open_book": "none"}}, 201, 201),
    Endpoint("post", A + "/openness/proposals/{proposal}/agree/"),
    Endpoint("post", A + "/openness/proposals/{proposal}/withdraw/"),
    Endpoint("post", A + "/outcomes/", {"text": "Fewer failed payments"}, alice=201, bob=201),
    Endpoint("patch", A + "/outcomes/{outcome}/", {"text": "Faster claims, measured monthly"}),
    Endpoint("delete", A + "/outcomes/{outcome}/", alice=204, bob=204),
    Endpoint("post", A + "/outcomes/agree/"),
    Endpoint("post", A + "/actions/", {"title": "Book the workshop"}, alice=201, bob=201),
    Endpoint("patch", A + "/actions/{action}/", {"version": 1, "status": "done"}),
]
WRITES = [e for e in ENDPOINTS if e.is_write]
READS = [e for e in ENDPOINTS if not e.is_write]


@pytest.fixture
def refs(world) -> dict[str, str]:
    # The factory leaves created_by empty, which arrangement_update's full_clean refuses
    # (see test_arrangement_whose_creator_left_can_still_be_edited).
    Arrangement.objects.filter(pk=world.arrangement.pk).update(created_by=world.alice)
    alice_access = world.access(world.alice)
    outcome = outcome_add(access=alice_access, text="Faster claims")
    action = action_create(access=alice_access, title="Agree the charter")
    proposal = openness_propose(access=alice_access, settings=NEW_OPENNESS)
    peter = Membership.objects.get(arrangement=world.arrangement, user=world.peter)
    return {
        "slug": world.arrangement.slug,
        "outcome": str(outcome.uuid),
        "action": str(action.uuid),
        "proposal": str(proposal.uuid),
        "peter_membership": str(peter.uuid),
    }


def call(client: APIClient, endpoint: Endpoint, refs: dict[str, str]) -> Any:
    method = getattr(client, endpoint.method)
    return method(endpoint.path.format(**refs), endpoint.body, format="json")


def signed_in(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_gets_401_with_bearer_challenge(endpoint, refs):
    response = call(APIClient(), endpoint, refs)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_outsider_gets_404_for_everything_in_the_arrangement(endpoint, refs, charlie):
    response = call(signed_in(charlie), endpoint, refs)

    assert response.status_code == 404


@pytest.mark.parametrize("endpoint", READS, ids=str)
def test_observer_can_read(endpoint, refs, dave):
    assert call(signed_in(dave), endpoint, refs).status_code == 200


@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_observer_gets_403_for_every_write(endpoint, refs, dave):
    response = call(signed_in(dave), endpoint, refs)

    assert response.status_code == 403, response.data


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_customer_sro_gets_what_her_role_allows(endpoint, refs, alice):
    response = call(signed_in(alice), endpoint, refs)

    assert response.status_code == endpoint.alice, response.data


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_provider_srie_gets_what_his_role_allows(endpoint, refs, bob):
    response = call(signed_in(bob), endpoint, refs)

    assert response.status_code == endpoint.bob, response.data


@pytest.mark.parametrize("path", ["/api/v1/organisations/", "/api/v1/arrangements/", "/api/v1/actions/mine/"])
def test_top_level_lists_need_a_sign_in(path, world):
    assert APIClient().get(path).status_code == 401
    assert signed_in(world.charlie).get(path).status_code == 200


def test_unknown_arrangement_and_forbidden_arrangement_look_the_same(charlie, world):
    client = signed_in(charlie)

    missing = client.get("/api/v1/arrangements/no-such-thing-abc123/")
    forbidden = client.get(f"/api/v1/arrangements/{world.arrangement.slug}/")

    assert missing.status_code == forbidden.status_code == 404
    assert missing.data == forbidden.data
