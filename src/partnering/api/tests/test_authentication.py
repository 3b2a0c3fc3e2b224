"""Personal access tokens on the API: `Authorization: Bearer <token>`."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from partnering.accounts.models import ApiToken, TokenScope
from partnering.accounts.services import token_create, token_revoke
from partnering.arrangements.models import Arrangement


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def arrangement_url(world) -> str:
    return f"/api/v1/arrangements/{world.arrangement.slug}/"


def test_bearer_token_authenticates_its_owner(world):
    _, raw = token_create(user=world.alice, name="Script")

    response = bearer(raw).get(arrangement_url(world))

    assert response.status_code == 200
    assert response.data["your_access"]["roles"] == ["sro"]


def test_using_a_token_records_when_it_was_last_used(world):
    token, raw = token_create(user=world.alice, name="Script")

    bearer(raw).get("/api/v1/arrangements/")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_gets_401(world):
    token, raw = token_create(user=world.alice, name="Script")
    token_revoke(user=world.alice, token_uuid=token.uuid)

    response = bearer(raw).get("/api/v1/arrangements/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_gets_401(world):
    response = bearer("prt_" + "x" * 43).get("/api/v1/arrangements/")

    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer not-a-partnering-token", "Bearer prt_abc extra", "Bearer  "],
    ids=["no token", "wrong prefix", "two words", "blank"],
)
def test_malformed_authorization_header_gets_401(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/arrangements/")

    assert response.status_code == 401


def test_token_of_a_deactivated_person_gets_401(world):
    _, raw = token_create(user=world.alice, name="Script")
    world.alice.is_active = False
    world.alice.save()

    assert bearer(raw).get("/api/v1/arrangements/").status_code == 401


def test_read_token_can_read(world):
    _, raw = token_create(user=world.alice, name="Dashboards", scope=TokenScope.READ)

    assert bearer(raw).get(arrangement_url(world)).status_code == 200


@pytest.mark.parametrize(
    "method, suffix, body",
    [
        ("post", "outcomes/", {"text": "Faster claims"}),
        ("patch", "", {"version": 1, "title": "Renamed"}),
        ("post", "actions/", {"title": "Book the workshop"}),
    ],
)
def test_read_token_cannot_write(world, method, suffix, body):
    _, raw = token_create(user=world.alice, name="Dashboards", scope=TokenScope.READ)

    response = getattr(bearer(raw), method)(arrangement_url(world) + suffix, body, format="json")

    assert response.status_code == 403
    assert "read-only" in str(response.data["detail"])


def test_read_write_token_can_write(world):
    _, raw = token_create(user=world.alice, name="Sync", scope=TokenScope.READ_WRITE)

    response = bearer(raw).post(arrangement_url(world) + "outcomes/", {"text": "Faster claims"}, format="json")

    assert response.status_code == 201


def test_token_never_widens_access_beyond_its_owner(world):
    _, raw = token_create(user=world.charlie, name="Sync", scope=TokenScope.READ_WRITE)

    assert bearer(raw).get(arrangement_url(world)).status_code == 404


def test_session_sign_in_still_works_for_the_browsable_docs(world):
    client = APIClient()
    client.force_login(world.bob)

    assert client.get(arrangement_url(world)).status_code == 200


def test_only_the_hash_of_a_token_is_stored(world):
    token, raw = token_create(user=world.alice, name="Script")

    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert raw.startswith(stored.prefix)


def test_writes_made_with_a_token_are_attributed_to_its_owner_in_the_audit_trail(world):
    _, raw = token_create(user=world.alice, name="Sync", scope=TokenScope.READ_WRITE)

    response = bearer(raw).post(
        "/api/v1/arrangements/", {"title": "Payroll", "provider": world.provider.slug}, format="json"
    )

    assert response.status_code == 201
    record = Arrangement.history.filter(slug=response.data["slug"]).latest("history_date")
    assert record.history_user == world.alice
    assert "alice@northshire.example" in record.history_actor
