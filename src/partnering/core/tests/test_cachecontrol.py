"""Answers to signed-in requests are `private, no-store`; what anyone may see stays cacheable."""

from __future__ import annotations

from rest_framework.test import APIClient

from partnering.accounts.services import token_create


def _private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_a_signed_in_page_is_private_and_not_stored(client, world):
    client.force_login(world.alice)

    response = client.get(f"/arrangements/{world.arrangement.slug}/")

    assert response.status_code == 200
    assert _private(response)


def test_an_api_answer_to_a_session_is_private_and_not_stored(client, world):
    client.force_login(world.bob)

    response = client.get("/api/v1/arrangements/")

    assert response.status_code == 200
    assert _private(response)


def test_an_api_answer_to_a_bearer_token_is_private_and_not_stored(world):
    _, raw = token_create(user=world.alice, name="Script")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = api.get(f"/api/v1/arrangements/{world.arrangement.slug}/")

    assert response.status_code == 200
    assert _private(response)


def test_a_signed_in_error_page_is_private_too(client, world):
    client.force_login(world.charlie)

    response = client.get(f"/arrangements/{world.arrangement.slug}/")

    assert response.status_code == 404
    assert _private(response)


def test_a_page_anyone_may_read_is_not_marked_private_when_signed_out(client, db):
    response = client.get("/accessibility/")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_page_served_from_the_page_cache_is_private_and_not_stored_as_well(client, world, page_cache):
    client.force_login(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/"
    client.get(url)  # sets the CSRF cookie: a page is kept only once there is one
    rendered = client.get(url)

    kept = client.get(url)

    assert kept.content == rendered.content  # the same CSRF token: served from the page cache
    assert _private(rendered) and _private(kept)
