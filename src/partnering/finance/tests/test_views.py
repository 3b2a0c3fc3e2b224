"""Pages: constant queries, forms in place, conflicts, import page, incentive working."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.finance.models import CostLine
from partnering.finance.tests.conftest import make_line


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/finance/{page}"


def _bulk(world, count, start=0):
    CostLine.objects.bulk_create(
        CostLine(
            arrangement=world.arrangement,
            side=["customer", "provider"][n % 2],
            period=date(2024 + n // 24 % 3, n // 2 % 12 + 1, 1),
            category="staff",
            description=f"Line {n}",
            planned=Decimal("100.00"),
            actual=Decimal("90.00"),
            margin_pct=Decimal("5.00") if n % 2 else None,
        )
        for n in range(start, start + count)
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), "\n".join(q["sql"][:150] for q in ctx.captured_queries)


def test_the_totals_page_runs_the_same_queries_for_10_or_200_lines(client, world):
    client.force_login(world.alice)
    _bulk(world, 10)
    _queries(client, _url(world))
    few, _ = _queries(client, _url(world))
    _bulk(world, 190, start=10)

    many, sql = _queries(client, _url(world))

    # 1 session, 2 user, 3 membership with arrangement and openness, 4 roles,
    # 5 finance profile, 6 the lines' figures (one query for every total),
    # 7 budget constraints, 8 value measures (none, so no counts or costs).
    assert many == few == 8, sql


def test_the_lines_page_runs_the_same_queries_for_10_or_90_lines(client, world):
    client.force_login(world.bob)
    _bulk(world, 10)
    _queries(client, _url(world, "lines/"))
    few, _ = _queries(client, _url(world, "lines/"))
    _bulk(world, 80, start=10)

    many, sql = _queries(client, _url(world, "lines/"))

    # 1 session, 2 user, 3 membership, 4 roles, 5 count, 6 the page of lines, 7 finance profile.
    assert many == few == 7, sql


def test_the_api_list_runs_the_same_queries_for_10_or_90_lines(client, world):
    client.force_login(world.bob)
    url = f"/api/v1/arrangements/{world.arrangement.slug}/finance/lines/"
    _bulk(world, 10)
    _queries(client, url)
    few, _ = _queries(client, url)
    _bulk(world, 80, start=10)

    many, sql = _queries(client, url)

    assert many == few, sql


def test_adding_a_line_through_the_form(client, world):
    client.force_login(world.bob)

    response = client.post(
        _url(world, "lines/new/"),
        {
            "period": "2026-04",
            "category": "hosting",
            "description": "Cloud",
            "planned": "100.00",
            "actual": "99.99",
            "margin_pct": "6",
        },
    )

    assert response.status_code == 302
    line = CostLine.objects.get()
    assert (line.side, line.actual, line.margin_pct) == ("provider", Decimal("99.99"), Decimal("6.00"))


def test_the_form_shows_errors_in_place(client, world):
    client.force_login(world.alice)

    response = client.post(_url(world, "lines/new/"), {"period": "soon", "planned": "1.001"})

    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert not CostLine.objects.exists()


def test_a_stale_edit_shows_what_changed(client, world):
    line = make_line(world.access(world.alice))
    client.force_login(world.alice)
    form = {"period": "2026-04", "category": "staff", "description": "Delivery team", "planned": "1000.00"}
    client.post(_url(world, f"lines/{line.uuid}/"), form | {"actual": "800.00", "version": "1"})

    response = client.post(_url(world, f"lines/{line.uuid}/"), form | {"actual": "700.00", "version": "1"})

    assert response.status_code == 409
    assert b"What changed since you opened the line" in response.content


def test_the_import_page_lists_every_error_and_writes_nothing(client, world):
    client.force_login(world.bob)
    upload = io.BytesIO(b"Book,Period,Category,Description,Planned\nProvider,2026-04,Staff,T,abc\n")
    upload.name = "bad.csv"

    response = client.post(_url(world, "lines/import/"), {"file": upload})

    assert (
        b"Nothing was imported" in response.content
        and b'<td class="govuk-table__cell">Planned</td>' in response.content
    )
    assert not CostLine.objects.exists()


def test_the_incentive_page_writes_out_the_working_with_a_chart(client, world, mechanism):
    from partnering.finance import services

    services.incentive_period_set(
        access=world.access(world.bob), mechanism=mechanism, period=date(2026, 4, 1), outcome=Decimal("9000.00")
    )
    client.force_login(world.fran)

    html = client.get(_url(world, f"incentives/{mechanism.uuid}/")).content.decode()

    assert "10,000.00 − measured cost 9,000.00" in html
    assert "Cap:" in html and "data:image/svg+xml" in html


def test_proposing_and_agreeing_through_the_pages(client, world):
    client.force_login(world.alice)
    terms = {
        "name": "Shared savings",
        "basis": "cost",
        "baseline": "5000",
        "customer_gain_pct": "50",
        "provider_gain_pct": "50",
        "customer_pain_pct": "50",
        "provider_pain_pct": "50",
    }
    assert client.post(_url(world, "incentives/"), terms).status_code == 302
    from partnering.finance.models import IncentiveProposal

    proposal = IncentiveProposal.objects.get()
    client.force_login(world.bob)

    response = client.post(_url(world, f"incentives/proposals/{proposal.uuid}/agree/"))

    proposal.refresh_from_db()
    assert response.status_code == 302 and proposal.status == "agreed"


def test_an_observer_reads_without_forms(client, world, mechanism):
    client.force_login(world.dave)

    html = client.get(_url(world, f"incentives/{mechanism.uuid}/")).content.decode()

    assert "Record a period" not in html and "Propose a change" not in html


def test_the_totals_page_lists_each_month_and_each_quarter_of_a_book(client, world):
    client.force_login(world.alice)
    make_line(world.access(world.alice), period=date(2026, 4, 1))
    make_line(world.access(world.alice), period=date(2026, 5, 1))

    by_month = client.get(_url(world) + "?by=month").content.decode()
    by_quarter = client.get(_url(world) + "?by=quarter").content.decode()

    assert ">Apr 2026</th>" in by_month and ">May 2026</th>" in by_month
    assert ">Q2 2026</th>" in by_quarter
