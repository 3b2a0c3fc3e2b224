"""Procurement Act pages: who sees what, the provider's view before approval, and constant queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnering.procurement import services
from partnering.procurement.models import AssessmentStatus, PublishedKpi

from .conftest import agreed_kpi


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/procurement/{page}"


def _assessment_url(world, assessment, page=""):
    return _url(world, f"assessments/{assessment.uuid}/{page}")


def test_the_page_warns_when_fewer_than_three_kpis_are_published(client, world, in_scope):
    kpi = agreed_kpi(world, "First-time fix", baseline=60, target=80, values=[70])
    services.kpi_publish(access=world.access(world.alice), kpi=kpi)
    client.force_login(world.bob)

    body = client.get(_url(world)).content.decode()

    assert "asks for at least 3 published KPIs for this contract; 1 is marked" in body
    assert "the Procurement Act 2023 beside the guide" in body


def test_the_customer_marks_a_kpi_as_published_on_the_page(client, world, in_scope):
    kpi = agreed_kpi(world, "First-time fix", baseline=60, target=80, values=[70])
    client.force_login(world.carol)

    response = client.post(_url(world, f"kpis/{kpi.uuid}/publish/"))

    assert response.status_code == 302
    assert PublishedKpi.objects.filter(kpi=kpi).exists()


def test_the_provider_cannot_mark_a_kpi_as_published(client, world, in_scope):
    kpi = agreed_kpi(world, "First-time fix", baseline=60, target=80, values=[70])
    client.force_login(world.bob)

    assert client.post(_url(world, f"kpis/{kpi.uuid}/publish/")).status_code == 403
    assert not PublishedKpi.objects.exists()


def test_the_customer_records_the_contract_facts(client, world):
    world.arrangement.contract_start = date(2025, 4, 1)
    world.arrangement.save(update_fields=["contract_start"])
    client.force_login(world.alice)

    response = client.post(
        _url(world, "contract/"),
        {"version": "0", "estimated_value": "7500000", "regime": "pa2023", "exemption": "none", "ocid": "ocds-x1-2"},
    )

    assert response.status_code == 302
    assert world.arrangement.contract_facts.estimated_value == 7500000


def test_an_exemption_without_a_reason_comes_back_with_the_readers_values(client, world):
    client.force_login(world.alice)

    response = client.post(
        _url(world, "contract/"),
        {"version": "0", "estimated_value": "7500000", "regime": "pa2023", "exemption": "concession"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Say why the exemption applies" in body and 'value="7500000"' in body


def test_the_provider_is_refused_the_contract_facts_form(client, world):
    client.force_login(world.bob)

    assert client.get(_url(world, "contract/")).status_code == 403


# -- the provider's view before approval ----------------------------------------------


def test_the_provider_never_sees_an_unshared_draft(client, world, draft):
    client.force_login(world.bob)

    assert client.get(_assessment_url(world, draft)).status_code == 404
    assert client.get(_assessment_url(world, draft, "notice.json")).status_code == 404
    assert client.get(_assessment_url(world, draft, "record.xlsx")).status_code == 404
    assert "1 Apr 2025 to 31 Mar 2026" not in client.get(_url(world)).content.decode()
    client.force_login(world.alice)
    assert "1 Apr 2025 to 31 Mar 2026" in client.get(_url(world)).content.decode()


def test_the_facilitator_never_sees_an_unshared_draft(client, world, draft):
    client.force_login(world.fran)

    assert client.get(_assessment_url(world, draft)).status_code == 404


def test_an_outsider_gets_not_found(client, world, shared):
    client.force_login(world.charlie)

    assert client.get(_assessment_url(world, shared)).status_code == 404
    assert client.get(_url(world)).status_code == 404


def test_the_provider_reads_the_shared_draft_and_disagrees_on_the_page(client, world, shared):
    rating = shared.ratings.get(kpi__name="First-time fix")
    client.force_login(world.bob)

    page = client.get(_assessment_url(world, shared)).content.decode()
    response = client.post(
        _assessment_url(world, shared, "respond/"),
        {"rating": str(rating.uuid), "stance": "disagree", "text": "Two months of data were late."},
    )

    assert "Met every month." in page and "Respond to the customer" in page
    assert response.status_code == 302
    page = client.get(_assessment_url(world, shared)).content.decode()
    assert "The provider disagrees" in page and "Two months of data were late." in page


def test_the_customer_rates_a_kpi_on_the_page(client, world, draft):
    rating = draft.ratings.get(kpi__name="First-time fix")
    client.force_login(world.carol)

    response = client.post(
        _assessment_url(world, draft, f"ratings/{rating.uuid}/"),
        {f"r{rating.pk}-rating": "requires_improvement", f"r{rating.pk}-reason": "Fell in August."},
    )

    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.rating == "requires_improvement" and rating.reason == "Fell in August."


def test_a_rating_without_reasons_is_refused_on_the_page(client, world, draft):
    rating = draft.ratings.first()
    client.force_login(world.alice)

    response = client.post(_assessment_url(world, draft, f"ratings/{rating.uuid}/"), {f"r{rating.pk}-rating": "good"})

    assert response.status_code == 400
    rating.refresh_from_db()
    assert rating.rating == ""


@pytest.mark.parametrize("who", ["carol", "bob"])
def test_only_the_sro_approves_on_the_page(client, world, shared, who):
    client.force_login(getattr(world, who))

    response = client.post(_assessment_url(world, shared, "approve/"))

    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.status == AssessmentStatus.SHARED


def test_the_sro_approves_on_the_page(client, world, shared):
    client.force_login(world.alice)

    response = client.post(_assessment_url(world, shared, "approve/"))

    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.status == AssessmentStatus.APPROVED


def test_the_notice_preview_lists_what_is_missing(client, world, shared):
    client.force_login(world.bob)

    body = client.get(_assessment_url(world, shared, "notice/")).content.decode()

    assert "Not yet approved by the customer" in body
    assert "Calls answered in 60 seconds" in body and "Good" in body


def test_the_record_downloads_as_xlsx_and_pdf(client, world, approved):
    from openpyxl import load_workbook

    client.force_login(world.bob)

    xlsx = client.get(_assessment_url(world, approved, "record.xlsx"))
    pdf = client.get(_assessment_url(world, approved, "record.pdf"))

    assert xlsx.status_code == 200 and "no-store" in xlsx["Cache-Control"]
    book = load_workbook(__import__("io").BytesIO(xlsx.content))
    assert book.sheetnames == ["Assessment", "Ratings", "Measurements", "Provider's responses", "Breaches and failures"]
    assert [c.value for c in book["Ratings"]["D"]][1:] == ["Good", "Good", "Good"]
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# -- constant queries ------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_the_page_runs_the_same_queries_for_few_or_many_kpis_and_assessments(client, world, approved):
    client.force_login(world.alice)
    _queries(client, _url(world))
    few, _ = _queries(client, _url(world))
    services.assessment_record_publication(
        access=world.access(world.alice), assessment=approved, published_on=timezone.localdate()
    )
    for n in range(5):
        agreed_kpi(world, f"Extra {n}", baseline=1, target=2, values=[1])
    services.assessment_start(
        access=world.access(world.alice), period_start=date(2026, 4, 1), period_end=date(2026, 11, 30)
    )

    many, sql = _queries(client, _url(world))

    # 1 session, 2 user, 3 membership, 4 roles, 5 the last published date, 6 a termination notice,
    # 7 contract facts, 8 published count, 9 KPIs marked published, 10 assessments, 11 breaches.
    assert many == few == 11, "\n".join(s[:150] for s in sql)


def test_the_assessment_page_runs_the_same_queries_for_few_or_many_ratings(client, world, shared):
    client.force_login(world.alice)
    url = _assessment_url(world, shared)
    _queries(client, url)
    few, _ = _queries(client, url)
    rating = shared.ratings.first()
    for n in range(4):
        services.response_add(access=world.access(world.bob), assessment=shared, rating=rating, text=f"Note {n}")

    many, sql = _queries(client, url)

    # 1 session, 2 user, 3 membership, 4 roles, 5 the assessment, 6 ratings with KPIs,
    # 7 their responses, 8 responses to the whole, 9 breaches.
    assert many == few == 9, "\n".join(s[:150] for s in sql)


def test_the_history_page_never_shows_the_provider_a_draft_rating(client, world, draft):
    rating = draft.ratings.get(kpi__name="First-time fix")
    services.rating_set(access=world.access(world.alice), rating=rating, value="inadequate", reason="Secret draft.")
    url = f"/arrangements/{world.arrangement.slug}/history/"

    client.force_login(world.bob)
    theirs = client.get(url).content.decode()
    client.force_login(world.alice)
    ours = client.get(url).content.decode()

    assert "Secret draft." in ours
    assert "Secret draft." not in theirs
