"""KPI pages: the list with constant queries, agreement on the page, measurements, import."""

from __future__ import annotations

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.kpis.models import BaselineProposal, Measurement
from partnering.kpis.services import proposal_make
from partnering.kpis.tests.factories import agreed, bulk_kpis, bulk_measurements, make_kpi


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/kpis/{page}"


def _list_queries(client, world):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url(world))
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_the_list_runs_the_same_queries_for_few_or_many_kpis_and_measurements(client, world, annex_b):
    alice, bob = world.access(world.alice), world.access(world.bob)
    client.force_login(world.alice)
    first = make_kpi(alice, name="First")
    agreed(first, proposer=bob, agreer=alice, baseline=70, target=90)
    make_kpi(alice, name="Annex B", kind="relationship", source="annex_b")
    bulk_measurements(first, 3)
    _list_queries(client, world)
    few, _ = _list_queries(client, world)
    for kpi in bulk_kpis(world.arrangement, 30):
        bulk_measurements(kpi, 24)
        proposal_make(access=bob, kpi=kpi, what="baseline", value=50)

    many, sql = _list_queries(client, world)

    # 1 session, 2 user, 3 membership with arrangement and openness, 4 roles,
    # 5 the KPIs with agreed and pending values, latest measurement and count as subqueries,
    # 6 revealed Annex B cycles, 7 their agreed answers.
    assert many == few == 7, "\n".join(s[:150] for s in sql)


def test_the_list_flags_a_kpi_without_an_agreed_baseline_with_its_uncertainty(client, world):
    kpi = make_kpi(world.access(world.alice))
    proposal_make(access=world.access(world.bob), kpi=kpi, what="baseline", value=6, uncertainty="Costs not split.")
    client.force_login(world.dave)

    body = client.get(_url(world)).content.decode()

    assert "Baseline not agreed" in body and "Costs not split." in body
    assert "1 of 1 KPI has no agreed baseline yet" in body


def test_the_customer_agrees_the_providers_baseline_on_the_page(client, world):
    kpi = make_kpi(world.access(world.alice))
    client.force_login(world.bob)
    response = client.post(_url(world, f"{kpi.uuid}/baseline/"), {"baseline-value": "78", "baseline-uncertainty": "?"})
    assert response.status_code == 302
    proposal = BaselineProposal.objects.get()
    assert "Agree the baseline" not in client.get(_url(world, f"{kpi.uuid}/")).content.decode()
    client.force_login(world.alice)

    assert "Agree the baseline of 78%" in client.get(_url(world, f"{kpi.uuid}/")).content.decode()
    response = client.post(_url(world, f"{kpi.uuid}/baseline/{proposal.uuid}/agree/"))

    proposal.refresh_from_db()
    assert response.status_code == 302 and proposal.agreed_by == world.alice


def test_agreeing_your_own_sides_proposal_is_refused_with_a_message(client, world):
    kpi = make_kpi(world.access(world.alice))
    proposal = proposal_make(access=world.access(world.bob), kpi=kpi, what="target", value=9)
    client.force_login(world.peter)

    response = client.post(_url(world, f"{kpi.uuid}/target/{proposal.uuid}/agree/"), follow=True)

    assert "The other side must agree this" in response.content.decode()
    assert proposal.__class__.objects.get().agreed_at is None


def test_a_measurement_is_recorded_and_shown_with_its_status_and_chart(client, world):
    kpi = make_kpi(world.access(world.alice))
    agreed(kpi, proposer=world.access(world.alice), agreer=world.access(world.bob), baseline=70, target=90)
    client.force_login(world.bob)

    response = client.post(
        _url(world, f"{kpi.uuid}/measurements/"), {"measurement-period": "2027-03-09", "measurement-value": "85"}
    )
    body = client.get(_url(world, f"{kpi.uuid}/")).content.decode()

    assert response.status_code == 302
    assert "Mar 2027" in body and "85%" in body and "data:image/svg+xml;base64," in body
    assert 'govuk-tag--orange">Amber' in body


def test_a_measurement_form_with_errors_is_shown_in_place(client, world):
    kpi = make_kpi(world.access(world.alice))
    client.force_login(world.alice)

    response = client.post(_url(world, f"{kpi.uuid}/measurements/"), {"measurement-value": "lots"})

    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert Measurement.objects.count() == 0


def test_adding_a_kpi_through_the_form(client, world):
    client.force_login(world.bob)

    response = client.post(
        _url(world, "new/"),
        {
            "name": "First-time fix",
            "kind": "service",
            "unit": "%",
            "direction": "higher",
            "frequency": "monthly",
            "source": "measured",
        },
    )

    assert response.status_code == 302


def test_an_observer_reads_without_forms(client, world):
    kpi = make_kpi(world.access(world.alice))
    proposal_make(access=world.access(world.bob), kpi=kpi, what="baseline", value=6)
    client.force_login(world.dave)

    body = client.get(_url(world, f"{kpi.uuid}/")).content.decode()

    assert "Agree the baseline" not in body and "Record measurement" not in body


def test_import_page_lists_every_error_and_writes_nothing(client, world):
    make_kpi(world.access(world.alice), name="Calls")
    client.force_login(world.alice)
    upload = io.BytesIO(b"KPI,Period,Value\nCalls,2027-01,80\nCalls,2027-02,many\n")
    upload.name = "m.csv"

    response = client.post(_url(world, "import/"), {"file": upload})

    body = response.content.decode()
    assert "Nothing was imported" in body
    assert '<td class="govuk-table__cell">3</td><td class="govuk-table__cell">Value</td>' in body
    assert Measurement.objects.count() == 0


def test_downloads(client, world):
    kpi = make_kpi(world.access(world.alice), name="Calls")
    bulk_measurements(kpi, 2)
    client.force_login(world.dave)

    csv_response = client.get(_url(world, "measurements.csv"))
    template = client.get(_url(world, "template.xlsx"))

    assert "Calls,2020-01-01,50" in csv_response.content.decode("utf-8-sig")
    assert template.content[:2] == b"PK"
    assert "no-store" in csv_response["Cache-Control"]
