"""Visibility of potential problems in the route × user matrix.

With problems visible (the default) every member sees every concern. Without,
a side's concern is seen by that side only (pages, lists, the API, the
history page), answers 404 to everyone else as if it did not exist, until it
reaches the SRO and SRIE or is shared. The facilitator sees shared concerns
only; charlie sees nothing.
"""

from __future__ import annotations

import pytest

from partnering.concerns import services
from partnering.concerns.models import Level
from partnering.concerns.tests.factories import make_concern

PROVIDER_SIDE = {"bob", "peter"}
MEMBERS = ["alice", "bob", "carol", "dave", "fran", "peter", "charlie"]

ROUTES = {
    "detail": lambda w, c: f"/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/",
    "api detail": lambda w, c: f"/api/v1/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/",
    "api comments": lambda w, c: f"/api/v1/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/comments/",
}
POST_ROUTES = {
    "share": lambda w, c: f"/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/share/",
    "escalate": lambda w, c: f"/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/escalate/",
    "statement": lambda w, c: f"/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/statement/",
    "resolve": lambda w, c: f"/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/resolve/",
    "comment": lambda w, c: f"/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/comments/",
    "api escalate": lambda w, c: f"/api/v1/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/escalate/",
    "api comment": lambda w, c: f"/api/v1/arrangements/{w.arrangement.slug}/concerns/{c.uuid}/comments/",
}
FORM = {
    "escalate-to_level": "4",
    "escalate-reason": "x",
    "statement-text": "x",
    "resolve-summary": "x",
    "comment-text": "x",
    "to_level": 4,
    "reason": "x",
    "text": "x",
}


def _provider_concern(world):
    return make_concern(world.access(world.bob), title="Our staffing gap")


@pytest.mark.parametrize("user", MEMBERS)
@pytest.mark.parametrize("route", ROUTES)
def test_a_private_concern_is_seen_by_its_own_side_only(client, problems_private, route, user):
    world = problems_private
    concern = _provider_concern(world)
    client.force_login(getattr(world, user))

    response = client.get(ROUTES[route](world, concern))

    assert response.status_code == (200 if user in PROVIDER_SIDE else 404)


@pytest.mark.parametrize("user", ["alice", "carol", "fran", "charlie"])
@pytest.mark.parametrize("route", POST_ROUTES)
def test_the_other_side_cannot_act_on_a_private_concern(client, problems_private, route, user):
    world = problems_private
    concern = _provider_concern(world)
    client.force_login(getattr(world, user))

    if route.startswith("api"):
        response = client.post(POST_ROUTES[route](world, concern), FORM, content_type="application/json")
    else:
        response = client.post(POST_ROUTES[route](world, concern), FORM)

    assert response.status_code == 404
    concern.refresh_from_db()
    assert (concern.visibility, concern.level, concern.status) == ("provider", 1, "open")
    assert not concern.comments.exists()


@pytest.mark.parametrize("user", MEMBERS)
@pytest.mark.parametrize("route", ROUTES)
def test_once_at_the_sro_and_srie_every_member_sees_it(client, problems_private, route, user):
    world = problems_private
    concern = _provider_concern(world)
    services.concern_escalate(
        access=world.access(world.bob), concern=concern, to_level=Level.SRO_AND_SRIE, reason="Needs the leaders"
    )
    client.force_login(getattr(world, user))

    assert client.get(ROUTES[route](world, concern)).status_code == (404 if user == "charlie" else 200)


@pytest.mark.parametrize("user", ["alice", "dave", "fran", "bob"])
def test_with_problems_visible_every_member_sees_every_concern(client, world, user):
    concern = _provider_concern(world)
    client.force_login(getattr(world, user))

    assert client.get(ROUTES["detail"](world, concern)).status_code == 200


@pytest.mark.parametrize("user", ["alice", "dave", "fran"])
def test_lists_and_history_leave_out_the_other_sides_private_concerns(client, problems_private, user):
    world = problems_private
    _provider_concern(world)
    make_concern(world.access(world.alice), title="A shared one", level=Level.SRO_AND_SRIE)
    client.force_login(getattr(world, user))
    slug = world.arrangement.slug

    page = client.get(f"/arrangements/{slug}/concerns/")
    api = client.get(f"/api/v1/arrangements/{slug}/concerns/")
    history = client.get(f"/arrangements/{slug}/history/").content.decode()

    assert [c.title for c in page.context["concerns"]] == ["A shared one"]
    assert [c["title"] for c in api.json()["results"]] == ["A shared one"]
    assert "Our staffing gap" not in page.content.decode() and "Our staffing gap" not in history


def test_the_raising_side_shares_explicitly(client, problems_private):
    world = problems_private
    concern = _provider_concern(world)
    client.force_login(world.peter)
    assert client.post(POST_ROUTES["share"](world, concern)).status_code == 302

    client.force_login(world.alice)
    assert client.get(ROUTES["detail"](world, concern)).status_code == 200
