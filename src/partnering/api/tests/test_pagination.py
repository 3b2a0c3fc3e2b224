"""Every paginated API list holds at most `MAX_LIMIT` records a page; asking for more is refused (400)."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from partnering.accounts.services import token_create
from partnering.api.pagination import MAX_LIMIT
from partnering.risks.tests.factories import bulk_risks


@pytest.fixture
def api(world):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.alice, name='reader')[1]}")


@pytest.fixture
def risks_url(world):
    bulk_risks(world.arrangement, MAX_LIMIT + 5)
    return f"/api/v1/arrangements/{world.arrangement.slug}/risks/"


def test_a_page_of_max_limit_records_is_answered_with_a_link_to_the_rest(api, risks_url):
    response = api.get(risks_url, {"limit": MAX_LIMIT})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == MAX_LIMIT + 5
    assert len(body["results"]) == MAX_LIMIT
    assert f"offset={MAX_LIMIT}" in body["next"]


def test_a_limit_beyond_max_limit_is_refused_with_the_reason(api, risks_url):
    response = api.get(risks_url, {"limit": MAX_LIMIT + 1})

    assert response.status_code == 400
    assert response.json() == {"limit": [f"Give a whole number from 1 to {MAX_LIMIT}."]}


@pytest.mark.parametrize(
    "query", [{"limit": "0"}, {"limit": "-3"}, {"limit": "all"}, {"offset": "-1"}, {"offset": "x"}]
)
def test_a_limit_or_offset_that_is_not_a_whole_number_in_range_is_refused(api, risks_url, query):
    response = api.get(risks_url, query)

    assert response.status_code == 400
    assert list(response.json()) == list(query)


def test_a_refused_limit_is_refused_again_with_the_page_cache_on(api, risks_url, page_cache):
    """The kept-answer path (core.pagecache) keeps nothing for a refusal and refuses every time."""
    assert api.get(risks_url, {"limit": 20_000}).status_code == 400
    assert api.get(risks_url, {"limit": 20_000}).status_code == 400


def test_no_limit_gives_the_default_page(api, risks_url):
    body = api.get(risks_url).json()

    assert len(body["results"]) == 50


@pytest.mark.django_db
def test_the_schema_gives_every_paginated_list_its_bounds_and_its_400(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text())

    lists = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        answer = get["responses"]["200"].get("content", {}).get("application/json", {}).get("schema", {})
        paginated = answer.get("$ref", "").startswith("#/components/schemas/Paginated")
        parameters = {p["name"]: p for p in get.get("parameters", []) if p["in"] == "query"}
        assert paginated == ("limit" in parameters), path
        if not paginated:
            continue
        lists += 1
        assert parameters["limit"]["schema"] | {"type": "integer"} == {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "default": 50,
        }, path
        assert parameters["offset"]["schema"]["minimum"] == 0, path
        assert "400" in get["responses"], path
    assert lists >= 15  # every list of the API, not a few
