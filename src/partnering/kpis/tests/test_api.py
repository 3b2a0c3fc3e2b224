"""The KPI API: constant-query list, propose and agree, measurements."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.kpis.tests.factories import agreed, bulk_kpis, bulk_measurements, make_kpi


def _base(world):
    return f"/api/v1/arrangements/{world.arrangement.slug}/kpis/"


def test_the_list_runs_the_same_queries_for_few_or_many_kpis(client, world):
    client.force_login(world.alice)
    bulk_measurements(make_kpi(world.access(world.alice)), 5)
    client.get(_base(world))
    with CaptureQueriesContext(connection) as few:
        client.get(_base(world))
    for kpi in bulk_kpis(world.arrangement, 20):
        bulk_measurements(kpi, 12)

    with CaptureQueriesContext(connection) as many:
        assert client.get(_base(world)).status_code == 200

    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_the_provider_proposes_and_the_customer_agrees(client, world):
    kpi = make_kpi(world.access(world.alice))
    url = f"{_base(world)}{kpi.uuid}/"
    client.force_login(world.bob)
    proposed = client.post(
        url + "propose/",
        {"what": "baseline", "value": "78", "uncertainty": "Six months"},
        content_type="application/json",
    )
    assert proposed.status_code == 201, proposed.json()
    own = client.post(
        url + "agree/", {"what": "baseline", "proposal": proposed.json()["uuid"]}, content_type="application/json"
    )
    assert own.status_code == 400
    client.force_login(world.alice)

    response = client.post(
        url + "agree/", {"what": "baseline", "proposal": proposed.json()["uuid"]}, content_type="application/json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["agreed_side"] == "customer" and response.json()["uncertainty"] == "Six months"
    assert client.get(url).json()["baseline"] == "78.0000"


def test_measurements_are_recorded_and_listed(client, world):
    kpi = make_kpi(world.access(world.alice))
    agreed(kpi, proposer=world.access(world.alice), agreer=world.access(world.bob), baseline=70, target=90)
    client.force_login(world.bob)
    url = f"{_base(world)}{kpi.uuid}/measurements/"

    created = client.post(url, {"period": "2027-03-09", "value": "95"}, content_type="application/json")

    assert created.status_code == 201 and created.json()["period"] == "2027-03-01"
    assert [m["value"] for m in client.get(url).json()] == ["95.0000"]
    assert client.get(f"{_base(world)}{kpi.uuid}/").json()["status"] == "green"


def test_observers_cannot_record(client, world):
    kpi = make_kpi(world.access(world.alice))
    client.force_login(world.dave)

    response = client.post(
        f"{_base(world)}{kpi.uuid}/measurements/",
        {"period": "2027-03-09", "value": "1"},
        content_type="application/json",
    )

    assert response.status_code == 403
