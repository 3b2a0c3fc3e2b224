"""The route matrix's rule for people (issue 13): member-management routes are side-scoped.

Every page and API route that changes a member is tried by every manager of each side
against a member of the other side (and the neutral side): each answers 403 and writes
nothing. The same routes against a member of the manager's own side are allowed, so the
matrix is not passing because everything is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partnering.arrangements.models import Membership, RoleAssignment
from partnering.core.choices import Role

MANAGERS = {"alice": "customer", "carol": "customer", "bob": "provider"}
TARGETS = {"alice": "customer", "carol": "customer", "bob": "provider", "peter": "provider", "fran": "neutral"}


def _writes(world: Any, manager: str, target: str) -> list[tuple[str, Any]]:
    slug = world.arrangement.slug
    member = Membership.objects.get(arrangement=world.arrangement, user=getattr(world, target))
    api = f"/api/v1/arrangements/{slug}/members/{member.uuid}/"
    page = reverse("arrangements:member_edit", args=[slug, member.uuid])
    return [
        ("page: change roles", lambda c: c.post(page, {"roles": ["observer"]})),
        ("api: change roles", lambda c: c.patch(api, {"roles": ["observer"]}, format="json")),
        ("page: remove", lambda c: c.post(page, {"action": "remove"})),
        ("api: remove", lambda c: c.delete(api)),
    ]


def _state(world: Any) -> tuple:
    return (
        tuple(Membership.objects.filter(arrangement=world.arrangement).values_list("pk", "is_active", "side")),
        tuple(RoleAssignment.objects.filter(arrangement=world.arrangement).values_list("pk", "role", "ended_at")),
    )


CROSSING = [(m, t) for m in MANAGERS for t in TARGETS if TARGETS[t] != MANAGERS[m]]


@pytest.mark.parametrize(("manager", "target"), CROSSING)
def test_managers_cannot_change_members_of_another_side(world, manager, target):
    client = APIClient()
    client.force_login(getattr(world, manager))
    before = _state(world)

    answers = {what: write(client).status_code for what, write in _writes(world, manager, target)}

    if target == "fran" and manager in ("alice", "bob"):
        # Either lead may end the facilitator's membership; nobody changes their roles.
        assert answers["page: change roles"] == 403 and answers["api: change roles"] == 403
        return
    assert set(answers.values()) == {403}, answers
    assert _state(world) == before


@pytest.mark.parametrize(
    ("manager", "target"), [("alice", "carol"), ("bob", "peter")], ids=["customer-own", "provider-own"]
)
def test_managers_change_members_of_their_own_side(world, manager, target):
    client = APIClient()
    client.force_login(getattr(world, manager))
    member = Membership.objects.get(arrangement=world.arrangement, user=getattr(world, target))

    response = client.patch(
        f"/api/v1/arrangements/{world.arrangement.slug}/members/{member.uuid}/",
        {"roles": [Role.BOARD_MEMBER]},
        format="json",
    )

    assert response.status_code == 200
    assert response.data["roles"] == [Role.BOARD_MEMBER]
