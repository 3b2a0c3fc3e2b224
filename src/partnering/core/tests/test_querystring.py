"""A NUL in a query string never reaches the database (PostgreSQL refuses it)."""

from __future__ import annotations

from django.test import RequestFactory

from partnering.core.querystring import DropNulFromQueryMiddleware


def _seen(query: str) -> dict[str, list[str]]:
    seen = {}

    def view(request):
        seen.update(dict(request.GET.lists()))
        return None

    DropNulFromQueryMiddleware(view)(RequestFactory().get("/x", QUERY_STRING=query))
    return seen


def test_nul_characters_are_dropped_from_keys_and_values():
    assert _seen("tag=a%00b&q=%00&stage=in_service&k%00ey=1") == {
        "tag": ["ab"],
        "q": [""],
        "stage": ["in_service"],
        "key": ["1"],
    }


def test_values_of_keys_that_clean_to_the_same_name_are_all_kept():
    assert _seen("a%00=1&a=2") == {"a": ["1", "2"]}


def test_a_nul_in_the_path_is_a_page_that_does_not_exist(client, world):
    client.force_login(world.alice)

    assert client.get("/arrangements/%00/").status_code == 404
    assert client.get("/pulse/ab%00cd/").status_code == 404


def test_a_query_without_nul_is_left_as_it_is():
    assert _seen("tag=a&tag=b") == {"tag": ["a", "b"]}


def test_the_lessons_api_answers_a_nul_in_a_filter_on_every_database(client, world):
    from partnering.accounts.services import token_create

    _, raw = token_create(user=world.alice, name="t")

    response = client.get("/api/v1/lessons/?tag=2%C2%B9%00%5E&q=b%00", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
