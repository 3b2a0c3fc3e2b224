"""Register pages: filters, sort, heat map, overdue reviews, conflicts, import, constant queries."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnering.core.choices import Side
from partnering.risks.models import Risk
from partnering.risks.tests.factories import bulk_risks, make_risk


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/risks/{page}"


def _register_queries(client, world) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url(world), {"sort": "-score", "status": "open"})
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_the_register_runs_the_same_queries_for_5_or_50_risks(client, world):
    client.force_login(world.alice)
    bulk_risks(world.arrangement, 5, owner=world.bob)
    _register_queries(client, world)  # warms the process-wide content type cache
    few, _ = _register_queries(client, world)
    bulk_risks(world.arrangement, 45, owner=world.alice, start=6)

    many, sql = _register_queries(client, world)

    # 1 session, 2 user, 3 membership with arrangement and openness, 4 roles,
    # 5 count of matching risks, 6 members for the owner filter, 7 heat map (one
    # GROUP BY), 8 the page of risks (owner joined, open actions as a subquery).
    assert many == few == 8, "\n".join(s[:150] for s in sql)


def test_the_register_lists_risks_in_pages_of_50_keeping_the_filters(client, world):
    client.force_login(world.alice)
    bulk_risks(world.arrangement, 60)

    response = client.get(_url(world), {"category": "commercial", "sort": "title"})
    body = response.content.decode()

    assert response.context["page"].paginator.count == 12
    response = client.get(_url(world), {"sort": "title"})
    assert len(response.context["page"].object_list) == 50
    assert "sort=title&amp;page=2" in response.content.decode()
    assert "Risk number 1" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"side": "provider"}, {"R-001", "R-004"}),
        ({"rating": "red"}, {"R-004"}),
        ({"q": "desk"}, {"R-002"}),
        ({"owner": "none"}, {"R-003", "R-004"}),
        ({"status": "closed"}, {"R-003"}),
        ({"overdue": "1"}, {"R-001"}),
        ({"category": "commercial"}, {"R-004"}),
    ],
)
def test_the_register_filters(client, world, query, expected):
    access = world.access(world.alice)
    past = timezone.localdate() - timedelta(days=1)
    make_risk(access, title="Migration", owning_side="provider", owner=world.bob, next_review_date=past)
    make_risk(access, title="Service desk", owning_side="joint", owner=world.alice)
    closed = make_risk(access, title="Closed one", next_review_date=past)
    Risk.objects.filter(pk=closed.pk).update(status="closed")
    make_risk(access, title="Big", owning_side="provider", likelihood=5, impact=5, category="commercial")
    if query.get("owner") == "alice":
        query = {"owner": str(world.arrangement.memberships.get(user=world.alice).uuid)}
    client.force_login(world.alice)

    response = client.get(_url(world), query)

    assert {r.reference for r in response.context["page"]} == expected


def test_the_owner_filter_uses_the_membership_uuid(client, world):
    access = world.access(world.alice)
    make_risk(access, owner=world.bob)
    make_risk(access, owner=world.alice)
    client.force_login(world.alice)
    bob = world.arrangement.memberships.get(user=world.bob)

    response = client.get(_url(world), {"owner": str(bob.uuid)})

    assert [r.owner for r in response.context["page"]] == [world.bob]


def test_sorting_by_score_descending(client, world):
    access = world.access(world.alice)
    make_risk(access, likelihood=1, impact=1)
    make_risk(access, likelihood=5, impact=5)
    client.force_login(world.alice)

    response = client.get(_url(world), {"sort": "-score"})

    assert [r.score for r in response.context["page"]] == [25, 1]
    assert 'aria-sort="descending"' in response.content.decode()


def test_the_heat_map_counts_risks_by_likelihood_and_impact_in_a_table_with_headers(client, world):
    access = world.access(world.alice)
    make_risk(access, likelihood=5, impact=4)
    make_risk(access, likelihood=5, impact=4)
    client.force_login(world.alice)

    response = client.get(_url(world))

    heat = response.context["heat"]
    top = heat.rows[0]
    assert top[0] == 5 and top[2][3][:3] == (4, 2, "red")
    assert heat.total == 2
    body = response.content.decode()
    assert '<th scope="row" class="govuk-table__header">5 Almost certain</th>' in body
    assert "Heat map" in body


def test_overdue_reviews_are_marked_in_words(client, world):
    make_risk(world.access(world.alice), next_review_date=timezone.localdate() - timedelta(days=3))
    client.force_login(world.alice)

    assert "Review overdue" in client.get(_url(world)).content.decode()


def test_adding_a_risk_through_the_form(client, world):
    client.force_login(world.bob)

    response = client.post(
        _url(world, "new/"),
        {
            "title": "Key architect leaves",
            "category": "implementation",
            "owning_side": "provider",
            "owner": world.peter.pk,
            "likelihood": "2",
            "impact": "4",
        },
    )

    risk = Risk.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(world, f"{risk.uuid}/")
    assert (risk.reference, risk.rating, risk.created_by) == ("R-001", "amber", world.bob)


def test_the_form_shows_errors_in_place(client, world):
    client.force_login(world.alice)

    response = client.post(_url(world, "new/"), {"title": ""})

    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert Risk.objects.count() == 0


def test_a_second_edit_from_the_same_version_shows_what_changed(client, world):
    risk = make_risk(world.access(world.alice), title="Migration", likelihood=2)
    form = {
        "title": "Migration",
        "category": "implementation",
        "owning_side": "joint",
        "likelihood": "2",
        "impact": "4",
        "status": "open",
        "version": "1",
    }
    client.force_login(world.alice)
    assert client.post(_url(world, f"{risk.uuid}/"), form | {"likelihood": "5"}).status_code == 302
    client.force_login(world.bob)

    response = client.post(_url(world, f"{risk.uuid}/"), form | {"title": "Bob's words"})

    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this risk" in body
    assert "What changed since you opened this risk" in body
    assert response.context["conflict"].changes[0].field == "likelihood"
    assert Risk.objects.get().title == "Migration"


def test_the_detail_page_shows_history_actions_and_discussion(client, world):
    access = world.access(world.alice)
    risk = make_risk(access)
    client.force_login(world.bob)
    client.post(
        _url(world, f"{risk.uuid}/actions/"),
        {
            "action-title": "Trial migration",
            "action-owner": world.bob.pk,
            "action-due_date": "2030-01-01",
        },
    )
    client.post(_url(world, f"{risk.uuid}/comments/"), {"comment-text": "We will take this."})

    body = client.get(_url(world, f"{risk.uuid}/")).content.decode()

    assert "Trial migration" in body and "We will take this." in body
    assert "Created" in body


def test_an_observer_reads_the_risk_without_forms(client, world):
    risk = make_risk(world.access(world.alice))
    client.force_login(world.dave)

    body = client.get(_url(world, f"{risk.uuid}/")).content.decode()

    assert "Save changes" not in body and risk.title in body


def test_import_page_lists_every_error_and_writes_nothing(client, world):
    client.force_login(world.alice)
    data = b"Title,Category,Owning side,Likelihood,Impact\nGood,Other,joint,1,1\nBad,Other,joint,9,1\n"
    upload = io.BytesIO(data)
    upload.name = "risks.csv"

    response = client.post(_url(world, "import/"), {"file": upload})

    body = response.content.decode()
    assert response.status_code == 200 and "Nothing was imported" in body
    assert '<td class="govuk-table__cell">3</td><td class="govuk-table__cell">Likelihood</td>' in body
    assert Risk.objects.count() == 0


def test_import_page_adds_the_risks(client, world):
    client.force_login(world.alice)
    upload = io.BytesIO(b"Title,Category,Owning side,Likelihood,Impact\nGood,Other,joint,1,1\n")
    upload.name = "risks.csv"

    response = client.post(_url(world, "import/"), {"file": upload})

    assert response.status_code == 302 and Risk.objects.count() == 1


def test_exports_download_the_visible_register(client, world):
    make_risk(world.access(world.alice), title="Exported")
    client.force_login(world.bob)

    csv_response = client.get(_url(world, "export.csv"))
    xlsx_response = client.get(_url(world, "export.xlsx"))
    template = client.get(_url(world, "template.xlsx"))

    assert "Exported" in csv_response.content.decode("utf-8-sig")
    assert csv_response["Content-Disposition"].startswith("attachment;")
    assert xlsx_response.content[:2] == b"PK" and template.content[:2] == b"PK"
    # The export holds what this reader may see: no cache along the way keeps it.
    assert all("no-store" in r["Cache-Control"] for r in (csv_response, xlsx_response))


def test_the_register_counts_only_the_open_actions_the_reader_may_see(client, world):
    """A provider-private action on a shared risk is the provider's business: the customer's
    register does not even count it."""
    from partnering.actions.services import action_create

    risk = make_risk(world.access(world.alice), title="Shared risk with actions")
    action_create(access=world.access(world.alice), title="Joint follow-up", source=risk)
    action_create(
        access=world.access(world.bob),
        title="Our own follow-up",
        visibility=Side.PROVIDER,
        owner=world.bob,
        source=risk,
    )

    client.force_login(world.alice)
    customer_view = client.get(_url(world)).content.decode()
    client.force_login(world.bob)
    provider_view = client.get(_url(world)).content.decode()

    assert "1 open action<" in customer_view and "2 open actions" not in customer_view
    assert "2 open actions" in provider_view
