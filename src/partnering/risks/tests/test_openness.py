"""Openness of the register in the route × user matrix.

With a single risk register (the default) everyone sees every risk. Without
one, a side's private risk is seen by that side only (pages, exports, the
API), answers 404 to everyone else as if it did not exist, until the side
shares it. The facilitator sees shared risks only; charlie sees nothing.
"""

from __future__ import annotations

import pytest

from partnering.risks import services
from partnering.risks.tests.factories import make_risk

PROVIDER_SIDE = {"bob", "peter"}
MEMBERS = ["alice", "bob", "dave", "fran", "peter", "charlie"]


def _provider_private_risk(world):
    return make_risk(
        world.access(world.bob),
        title="Our staffing gap",
        visibility="provider",
        owning_side="provider",
    )


ROUTES = {
    "detail": lambda w, r: f"/arrangements/{w.arrangement.slug}/risks/{r.uuid}/",
    "api detail": lambda w, r: f"/api/v1/arrangements/{w.arrangement.slug}/risks/{r.uuid}/",
}
POST_ROUTES = {
    "share": lambda w, r: f"/arrangements/{w.arrangement.slug}/risks/{r.uuid}/share/",
    "comment": lambda w, r: f"/arrangements/{w.arrangement.slug}/risks/{r.uuid}/comments/",
    "action": lambda w, r: f"/arrangements/{w.arrangement.slug}/risks/{r.uuid}/actions/",
    "api share": lambda w, r: f"/api/v1/arrangements/{w.arrangement.slug}/risks/{r.uuid}/share/",
}


@pytest.mark.parametrize("user", MEMBERS)
@pytest.mark.parametrize("route", ROUTES)
def test_a_private_risk_is_seen_by_its_own_side_only(client, private_registers, route, user):
    world = private_registers
    risk = _provider_private_risk(world)
    client.force_login(getattr(world, user))

    response = client.get(ROUTES[route](world, risk))

    assert response.status_code == (200 if user in PROVIDER_SIDE else 404)


@pytest.mark.parametrize("user", ["alice", "fran", "charlie"])
@pytest.mark.parametrize("route", POST_ROUTES)
def test_the_other_side_cannot_act_on_a_private_risk(client, private_registers, route, user):
    world = private_registers
    risk = _provider_private_risk(world)
    client.force_login(getattr(world, user))

    response = client.post(ROUTES.get(route, POST_ROUTES[route])(world, risk), {"comment-text": "hi"})

    assert response.status_code == 404
    risk.refresh_from_db()
    assert risk.visibility == "provider" and not risk.comments.exists()


def test_the_observer_on_the_provider_side_reads_but_cannot_share(client, private_registers):
    world = private_registers
    from partnering.core.choices import Role, Side
    from partnering.testing import UserFactory, add_member

    olive = UserFactory(email="olive@brightwave.example", organisation=world.provider)
    add_member(world.arrangement, olive, Side.PROVIDER, Role.OBSERVER)
    risk = _provider_private_risk(world)
    client.force_login(olive)

    assert client.get(ROUTES["detail"](world, risk)).status_code == 200
    assert client.post(POST_ROUTES["share"](world, risk)).status_code == 403


@pytest.mark.parametrize("user", ["alice", "dave", "fran"])
def test_lists_and_exports_leave_out_the_other_sides_private_risks(client, private_registers, user):
    world = private_registers
    _provider_private_risk(world)
    make_risk(world.access(world.alice), title="A shared one")
    client.force_login(getattr(world, user))
    base = f"/arrangements/{world.arrangement.slug}/risks/"

    page = client.get(base)
    api = client.get(f"/api/v1/arrangements/{world.arrangement.slug}/risks/")
    exported = client.get(base + "export.csv").content.decode("utf-8-sig")

    assert [r.title for r in page.context["page"]] == ["A shared one"]
    assert page.context["heat"].total == 1
    assert [r["title"] for r in api.json()["results"]] == ["A shared one"]
    assert "Our staffing gap" not in exported and "Our staffing gap" not in page.content.decode()


def test_the_owning_side_sees_its_private_risk_in_the_list(client, private_registers):
    world = private_registers
    _provider_private_risk(world)
    client.force_login(world.peter)

    page = client.get(f"/arrangements/{world.arrangement.slug}/risks/")

    assert "Provider only" in page.content.decode()


def test_once_shared_both_sides_see_the_risk(client, private_registers):
    world = private_registers
    risk = _provider_private_risk(world)
    client.force_login(world.bob)
    assert client.post(POST_ROUTES["share"](world, risk)).status_code == 302

    for user in ("alice", "dave", "fran"):
        client.force_login(getattr(world, user))
        assert client.get(ROUTES["detail"](world, risk)).status_code == 200


def test_the_private_history_stays_off_the_other_sides_arrangement_history(client, private_registers):
    world = private_registers
    _provider_private_risk(world)
    client.force_login(world.alice)

    body = client.get(f"/arrangements/{world.arrangement.slug}/history/").content.decode()

    assert "Our staffing gap" not in body


@pytest.mark.parametrize("user", ["alice", "bob", "dave", "fran"])
def test_with_a_single_register_every_member_sees_every_risk(client, world, user):
    risk = make_risk(world.access(world.bob), owning_side="provider")
    client.force_login(getattr(world, user))

    assert client.get(ROUTES["detail"](world, risk)).status_code == 200


def test_the_new_risk_form_offers_private_only_without_a_single_register(client, world):
    client.force_login(world.bob)
    url = f"/arrangements/{world.arrangement.slug}/risks/new/"
    assert "Who can see this risk" not in client.get(url).content.decode()

    world.arrangement.openness.single_risk_register = False
    world.arrangement.openness.save()

    body = client.get(url).content.decode()
    assert "Who can see this risk" in body and "Provider only" in body and "Customer only" not in body
    assert services.may_keep_private_risks(world.access(world.bob))
