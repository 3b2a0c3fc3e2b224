"""Lessons pages: the tab, recording, editing, publishing, the search across arrangements."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.core.choices import Role, Side, Stage
from partnering.lessons.models import Lesson
from partnering.lessons.tests.factories import make_lesson
from partnering.testing import ArrangementFactory, add_member


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/lessons/{page}"


def test_the_tab_lists_lessons_and_suggests_others_from_earlier_arrangements(client, world):
    other = ArrangementFactory(title="Earlier", customer=world.customer)
    add_member(other, world.alice, Side.CUSTOMER, Role.SRO)
    make_lesson(world.access(world.alice, other), title="Learned elsewhere", stage=Stage.IN_SERVICE)
    make_lesson(world.access(world.alice), title="Learned here")
    client.force_login(world.alice)

    body = client.get(_url(world)).content.decode()

    assert "Learned here" in body
    assert "Lessons from earlier arrangements" in body and "Learned elsewhere" in body


def test_the_tab_runs_the_same_queries_for_few_or_many_lessons(client, world):
    client.force_login(world.alice)
    make_lesson(world.access(world.alice))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(world), {"q": "criteria"}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(10):
        make_lesson(world.access(world.bob), title=f"Lesson {n}")

    # session, user, membership, roles, count, page, suggestions
    assert count() == few == 7


def test_members_record_a_lesson(client, world):
    client.force_login(world.bob)

    response = client.post(
        _url(world, "new/"),
        {
            "title": "Name peers early",
            "what_happened": "Escalations bounced.",
            "lesson": "Peers resolve most issues.",
            "tags": "Peers",
            "stage": "in_service",
            "visibility": "shared",
        },
    )

    lesson = Lesson.objects.get()
    assert response.status_code == 302 and lesson.tags == "peers" and lesson.created_by == world.bob


def test_an_empty_lesson_shows_errors(client, world):
    client.force_login(world.alice)
    response = client.post(_url(world, "new/"), {})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()


def test_a_stale_edit_shows_the_conflict(client, world):
    lesson = make_lesson(world.access(world.alice))
    client.force_login(world.alice)
    data = {"title": "A", "what_happened": "x", "lesson": "y", "stage": "in_service", "version": "1"}
    assert client.post(_url(world, f"{lesson.uuid}/"), data).status_code == 302

    response = client.post(_url(world, f"{lesson.uuid}/"), data | {"title": "B"})

    assert response.status_code == 409


def test_publishing_from_the_page(client, world):
    lesson = make_lesson(world.access(world.alice))
    client.force_login(world.alice)

    client.post(_url(world, f"{lesson.uuid}/publish/"), {"publish": "1"})

    lesson.refresh_from_db()
    assert lesson.is_published and lesson.published_to == [world.customer]


def test_the_other_sides_private_lesson_is_not_found(client, world):
    lesson = make_lesson(world.access(world.bob), visibility="provider")
    client.force_login(world.alice)

    assert client.get(_url(world, f"{lesson.uuid}/")).status_code == 404
    assert client.get(f"/lessons/{lesson.uuid}/").status_code == 404


def test_the_search_page_finds_lessons_across_arrangements(client, world):
    make_lesson(world.access(world.alice), title="Migration criteria")
    client.force_login(world.bob)

    body = client.get("/lessons/", {"q": "migration"}).content.decode()

    assert "Migration criteria" in body and "1 lesson found" in body


def test_the_api_searches_and_records(client, world):
    client.force_login(world.alice)
    created = client.post(
        f"/api/v1/arrangements/{world.arrangement.slug}/lessons/",
        {"title": "T", "what_happened": "Data slipped", "lesson": "L", "tags": ["Data"]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content

    found = client.get("/api/v1/lessons/", {"q": "slipped"}).json()

    assert [r["title"] for r in found["results"]] == ["T"]
    assert found["results"][0]["tags"] == ["data"]


def test_the_api_names_the_authors_and_every_library_a_lesson_reached(client, world):
    from partnering.lessons import services

    lesson = make_lesson(world.access(world.alice), joint=True)
    services.lesson_publish(access=world.access(world.alice), lesson=lesson)
    client.force_login(world.bob)
    url = f"/api/v1/arrangements/{world.arrangement.slug}/lessons/{lesson.uuid}/"

    waiting = client.get(url).json()
    client.post(f"{url}publish/", {"publish": True}, content_type="application/json")
    published = client.get(url).json()

    assert waiting["author_side"] == "joint" and waiting["published_to"] == []
    assert waiting["customer_consent_at"] and waiting["provider_consent_at"] is None
    assert published["published_to"] == ["Northshire County Council", "Brightwave Digital"]


def test_the_other_sides_lesson_is_read_not_edited_on_its_page(client, world):
    lesson = make_lesson(world.access(world.alice))
    client.force_login(world.bob)

    body = client.get(_url(world, f"{lesson.uuid}/")).content.decode()

    assert "Written by the customer" in body
    assert "Save changes" not in body and "Publish to our organisation" not in body
