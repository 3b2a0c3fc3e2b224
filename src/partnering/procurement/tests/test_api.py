"""The API: the same services and the same visibility as the pages, in the OpenAPI schema."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnering.procurement import services
from partnering.procurement.models import AssessmentStatus


def _base(world):
    return f"/api/v1/arrangements/{world.arrangement.slug}/procurement/"


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_duty_reads_the_facts_the_published_kpis_and_the_next_due_date(api, world, three_kpis):
    body = api(world.bob).get(_base(world)).json()

    assert body["in_scope"] is True
    assert len(body["published_kpis"]) == 3
    assert body["next_due"] == "2026-04-01" and body["overdue"] is True
    assert body["facts"]["estimated_value"] == "12000000.00"


def test_the_customer_changes_the_facts_and_a_stale_version_is_a_conflict(api, world, in_scope):
    client = api(world.carol)
    ok = client.patch(
        _base(world),
        {"version": in_scope.version, "exemption": "light_touch", "exemption_reason": "Social care."},
        content_type="application/json",
    )
    stale = client.patch(
        _base(world), {"version": in_scope.version, "ocid": "ocds-a-b"}, content_type="application/json"
    )

    assert ok.status_code == 200 and ok.json()["in_scope"] is False
    assert stale.status_code == 409


def test_the_provider_cannot_change_the_facts(api, world, in_scope):
    response = api(world.bob).patch(_base(world), {"version": 1, "ocid": "ocds-a-b"}, content_type="application/json")

    assert response.status_code == 403


def test_a_whole_assessment_through_the_api(api, world, three_kpis):
    alice = api(world.alice)
    created = alice.post(
        f"{_base(world)}assessments/",
        {"period_start": "2025-04-01", "period_end": "2026-03-31"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    url = f"{_base(world)}assessments/{created.json()['uuid']}/"
    for row in created.json()["ratings"]:
        rated = alice.post(
            f"{url}rate/",
            {"rating_uuid": row["uuid"], "rating": row["suggested"], "reason": "As the figures show."},
            content_type="application/json",
        )
        assert rated.status_code == 200, rated.content
    assert api(world.bob).get(url).status_code == 404, "the provider never sees an unshared draft"
    assert api(world.alice).post(f"{url}share/").status_code == 200

    disagreed = api(world.bob).post(
        f"{url}respond/",
        {"stance": "disagree", "text": "Forms were hit by the outage."},
        content_type="application/json",
    )
    refused = api(world.carol).post(f"{url}approve/")
    approved = api(world.alice).post(f"{url}approve/")
    notice = api(world.bob).get(f"{url}notice/").json()

    assert disagreed.status_code == 201
    assert refused.status_code == 403
    assert approved.status_code == 200 and approved.json()["status"] == AssessmentStatus.APPROVED
    assert approved.json()["responses"][0]["text"] == "Forms were hit by the outage."
    assert notice["problems"] == []
    assert notice["release"]["contracts"][0]["implementation"]["contractPerformance"]["noticeType"] == "UK9"


def test_an_outsider_gets_not_found(api, world, shared):
    client = api(world.charlie)

    assert client.get(f"{_base(world)}assessments/{shared.uuid}/").status_code == 404
    assert client.get(_base(world)).status_code == 404


def test_breaches_are_hidden_from_the_provider_until_told(api, world, in_scope):
    issue = services.issue_add(
        access=world.access(world.alice), kind="poor_performance", description="Late.", occurred_on=date(2026, 5, 1)
    )
    before = api(world.bob).get(f"{_base(world)}breaches/").json()["results"]
    told = api(world.alice).post(f"{_base(world)}breaches/{issue.uuid}/tell/")
    after = api(world.bob).get(f"{_base(world)}breaches/").json()["results"]

    assert before == [] and told.status_code == 200
    assert [b["description"] for b in after] == ["Late."]


def test_the_assessment_list_runs_the_same_queries_for_few_or_many(api, world, approved):
    client = api(world.bob)
    url = f"{_base(world)}assessments/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    services.assessment_record_publication(
        access=world.access(world.alice), assessment=approved, published_on=timezone.localdate()
    )
    for start, end in ((date(2026, 4, 1), date(2026, 11, 30)),):
        nxt = services.assessment_start(access=world.access(world.alice), period_start=start, period_end=end)
        services.assessment_share(access=world.access(world.alice), assessment=nxt)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).json()

    assert body["count"] == 2
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_schema_documents_the_endpoints(api, world):
    schema = api(world.alice).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "/api/v1/arrangements/{arrangement_slug}/procurement/assessments/{uuid}/approve/" in schema["paths"]
    assert "/api/v1/arrangements/{arrangement_slug}/procurement/" in schema["paths"]


def test_the_customer_marks_published_kpis_and_the_provider_may_not(api, world, three_kpis):
    url = f"{_base(world)}published-kpis/"
    payload = {"kpi": str(three_kpis[0].uuid), "published": False}

    refused = api(world.bob).post(url, payload, content_type="application/json")
    done = api(world.carol).post(url, payload, content_type="application/json")

    assert refused.status_code == 403
    assert done.status_code == 200 and len(done.json()["published_kpis"]) == 2
    assert any("2 are marked" in w for w in done.json()["warnings"])
