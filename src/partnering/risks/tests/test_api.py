"""The risk API: filtered pages, create, edit with version (409 on conflict), share."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.risks.models import Risk
from partnering.risks.tests.factories import bulk_risks, make_risk


def _base(world):
    return f"/api/v1/arrangements/{world.arrangement.slug}/risks/"


def test_the_list_is_paginated_and_filtered(client, world):
    bulk_risks(world.arrangement, 60, owner=world.bob)
    client.force_login(world.alice)

    body = client.get(_base(world), {"category": "commercial", "sort": "-score"}).json()

    assert body["count"] == 12
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert body["results"][0]["owner"] == {"email": "bob@brightwave.example", "full_name": "Bob Brown"}


def test_the_list_runs_the_same_queries_for_5_or_50_risks(client, world):
    client.force_login(world.alice)
    bulk_risks(world.arrangement, 5, owner=world.bob)
    client.get(_base(world))
    with CaptureQueriesContext(connection) as few:
        client.get(_base(world))
    bulk_risks(world.arrangement, 45, owner=world.alice, start=6)

    with CaptureQueriesContext(connection) as many:
        assert client.get(_base(world)).status_code == 200

    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_a_member_adds_a_risk(client, world):
    client.force_login(world.bob)

    response = client.post(
        _base(world),
        {
            "title": "Architect leaves",
            "owning_side": "provider",
            "likelihood": 2,
            "impact": 5,
            "owner": "peter@brightwave.example",
            "category": "implementation",
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["reference"] == "R-001" and response.json()["rating"] == "amber"
    assert Risk.objects.get().owner == world.peter


def test_an_observer_cannot_add_a_risk(client, world):
    client.force_login(world.dave)

    response = client.post(_base(world), {}, content_type="application/json")

    assert response.status_code == 403


def test_a_stale_version_gets_409_with_the_changes(client, world):
    risk = make_risk(world.access(world.alice), likelihood=2)
    client.force_login(world.alice)
    url = f"{_base(world)}{risk.uuid}/"
    assert client.patch(url, {"version": 1, "likelihood": 5}, content_type="application/json").status_code == 200
    client.force_login(world.bob)

    response = client.patch(url, {"version": 1, "title": "Mine"}, content_type="application/json")

    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert [c["field"] for c in body["changes"]] == ["likelihood"]
    assert Risk.objects.get().title != "Mine"


def test_put_needs_every_field(client, world):
    risk = make_risk(world.access(world.alice))
    client.force_login(world.alice)

    response = client.put(f"{_base(world)}{risk.uuid}/", {"version": 1}, content_type="application/json")

    assert response.status_code == 400 and "title" in response.json()


def test_a_private_risk_is_shared_through_the_api(client, private_registers):
    world = private_registers
    client.force_login(world.bob)
    created = client.post(
        _base(world),
        {"title": "Margin squeeze", "owning_side": "provider", "likelihood": 3, "impact": 3, "visibility": "provider"},
        content_type="application/json",
    ).json()
    client.force_login(world.alice)
    assert client.get(f"{_base(world)}{created['uuid']}/").status_code == 404
    client.force_login(world.bob)

    response = client.post(f"{_base(world)}{created['uuid']}/share/")

    assert response.status_code == 200 and response.json()["visibility"] == "shared"
    client.force_login(world.alice)
    assert client.get(f"{_base(world)}{created['uuid']}/").status_code == 200
