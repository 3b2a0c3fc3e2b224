"""Concern pages: the list's constant queries, raising, escalating, resolving, conflicts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.concerns.models import Concern, Level
from partnering.concerns.tests.factories import make_concern


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/concerns/{page}"


def _list_queries(client, world):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url(world), {"status": "all"})
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_the_list_runs_the_same_queries_for_2_or_20_concerns(client, world):
    client.force_login(world.alice)
    for n in range(2):
        make_concern(world.access(world.alice), title=f"Concern {n}")
    few, _ = _list_queries(client, world)
    for n in range(18):
        make_concern(world.access(world.bob), title=f"More {n}", level=n % 4 + 1)

    many, sql = _list_queries(client, world)

    # 1 session, 2 user, 3 membership with arrangement and openness, 4 roles,
    # 5 the concerns (raiser joined, comments counted in the same query).
    assert many == few == 5, "\n".join(s[:150] for s in sql)


def test_the_api_list_runs_constant_queries(client, world):
    client.force_login(world.alice)
    make_concern(world.access(world.alice))
    url = f"/api/v1/arrangements/{world.arrangement.slug}/concerns/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        make_concern(world.access(world.bob), title=f"More {n}")

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.status_code == 200 and len(response.json()["results"]) == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_raising_a_concern_through_the_form(client, world):
    client.force_login(world.bob)

    response = client.post(
        _url(world, "new/"),
        {
            "title": "Decisions are slow",
            "description": "Requests wait.",
            "impact": "Idle team.",
            "other_side_view": "The council gets requests without priorities.",
            "level": "1",
        },
    )

    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(world, f"{concern.uuid}/")
    assert (concern.raised_by, concern.level) == (world.bob, Level.WORKING)


def test_the_form_requires_the_other_partys_view(client, world):
    client.force_login(world.alice)

    response = client.post(_url(world, "new/"), {"title": "X", "description": "Y", "impact": "Z", "level": "1"})

    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not Concern.objects.exists()


def test_escalating_through_the_page_shows_the_step_and_the_ladder(client, world):
    concern = make_concern(world.access(world.alice))
    client.force_login(world.bob)

    response = client.post(
        _url(world, f"{concern.uuid}/escalate/"), {"escalate-to_level": "3", "escalate-reason": "Milestone held"}
    )
    page = client.get(_url(world, f"{concern.uuid}/"))

    assert response.status_code == 302
    body = page.content.decode()
    assert "Escalated from Working level to SRO and SRIE" in body and "Milestone held" in body
    assert [r.reached for r in page.context["ladder"]] == [True, False, True, False]


def test_a_second_edit_from_the_same_version_shows_what_changed(client, world):
    concern = make_concern(world.access(world.alice))
    form = {
        "title": concern.title,
        "description": concern.description,
        "impact": concern.impact,
        "other_side_view": concern.other_side_view,
        "version": "1",
    }
    client.force_login(world.alice)
    assert client.post(_url(world, f"{concern.uuid}/"), form | {"impact": "Worse"}).status_code == 302
    client.force_login(world.bob)

    response = client.post(_url(world, f"{concern.uuid}/"), form | {"title": "Bob's words"})

    assert response.status_code == 409
    assert "What changed since you opened this concern" in response.content.decode()
    assert Concern.objects.get().title == concern.title


def test_observers_read_but_see_no_forms(client, world):
    concern = make_concern(world.access(world.alice))
    client.force_login(world.dave)

    body = client.get(_url(world, f"{concern.uuid}/")).content.decode()

    assert "Resolve concern" not in body and "Move the concern" not in body
