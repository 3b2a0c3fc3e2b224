"""Personal access tokens: created on the account page, shown once, stored as a hash, revocable."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from partnering.accounts.models import ApiToken, TokenScope, hash_token
from partnering.accounts.services import token_create, token_revoke

SETTINGS = "/accounts/settings/"


def created_token(html: str) -> str:
    match = re.search(r'<code id="new-token">([^<]+)</code>', html)
    assert match, "the new token is not on the page"
    return match.group(1)


def test_token_is_stored_as_a_hash_not_in_the_clear(world):
    token, raw = token_create(user=world.alice, name="Script", scope=TokenScope.READ_WRITE)

    token.refresh_from_db()
    assert token.key_hash == hash_token(raw)
    assert raw not in (token.key_hash, token.prefix)
    assert token.prefix == raw[:10]
    assert token.scope == "read_write"


def test_tokens_are_read_only_unless_asked(world):
    token, _ = token_create(user=world.alice, name="Script")

    assert token.scope == TokenScope.READ


def test_tokens_page_needs_a_sign_in(client, world):
    response = client.get(SETTINGS)

    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_tokens_page_creates_a_token_and_shows_it_once(client, world):
    client.force_login(world.alice)

    response = client.post(SETTINGS, {"name": "Reporting script", "scope": "read"})

    assert response.status_code == 200
    raw = created_token(response.content.decode())
    token = ApiToken.objects.get(user=world.alice)
    assert token.name == "Reporting script"
    assert token.key_hash == hash_token(raw)
    again = client.get(SETTINGS).content.decode()
    assert raw not in again
    assert token.prefix in again


def test_token_created_on_the_page_works_on_the_api(client, world):
    client.force_login(world.alice)
    raw = created_token(client.post(SETTINGS, {"name": "Script", "scope": "read"}).content.decode())
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert api.get(f"/api/v1/arrangements/{world.arrangement.slug}/").status_code == 200


def test_tokens_page_refuses_a_token_without_a_name(client, world):
    client.force_login(world.alice)

    response = client.post(SETTINGS, {"name": "", "scope": "read"})

    assert 'id="new-token"' not in response.content.decode()
    assert not ApiToken.objects.filter(user=world.alice).exists()


def test_tokens_page_revokes_a_token(client, world):
    token, raw = token_create(user=world.alice, name="Old script")
    client.force_login(world.alice)

    response = client.post(f"/accounts/settings/tokens/{token.uuid}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/arrangements/").status_code == 401


def test_revoking_someone_elses_token_is_404(client, world):
    token, _ = token_create(user=world.bob, name="Bob's script")
    client.force_login(world.alice)

    response = client.post(f"/accounts/settings/tokens/{token.uuid}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_post(client, world):
    token, _ = token_create(user=world.alice, name="Script")
    client.force_login(world.alice)

    assert client.get(f"/accounts/settings/tokens/{token.uuid}/revoke/").status_code == 405


def test_revoking_twice_is_refused(world):
    token, _ = token_create(user=world.alice, name="Script")
    token_revoke(user=world.alice, token_uuid=token.uuid)

    with pytest.raises(ApiToken.DoesNotExist):
        token_revoke(user=world.alice, token_uuid=token.uuid)
