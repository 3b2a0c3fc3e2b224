"""The charter API: versions, editing with version numbers (409 on conflict), signing, comments."""

from __future__ import annotations

from partnering.charter.models import CharterVersion


def _base(world):
    return f"/api/v1/arrangements/{world.arrangement.slug}/charter/versions/"


def test_drafting_signing_and_agreeing_through_the_api(client, world):
    client.force_login(world.alice)
    response = client.post(
        _base(world), {"number": 0, "version": 0, "principles": "No blame."}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    uuid, lock = response.json()["uuid"], response.json()["version"]

    body = client.post(f"{_base(world)}{uuid}/sign/", {"version": lock}, content_type="application/json").json()
    client.force_login(world.bob)
    body = client.post(
        f"{_base(world)}{uuid}/sign/", {"version": body["version"]}, content_type="application/json"
    ).json()

    assert body["status"] == "agreed" and body["srie_signed_by"]["email"] == "bob@brightwave.example"
    assert client.get(_base(world)).json()["count"] == 1


def test_a_stale_edit_gives_409(client, world):
    client.force_login(world.alice)
    client.post(_base(world), {"number": 0, "version": 0, "principles": "A"}, content_type="application/json")
    client.post(_base(world), {"number": 1, "version": 1, "principles": "B"}, content_type="application/json")

    response = client.post(
        _base(world), {"number": 1, "version": 1, "principles": "C"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert CharterVersion.objects.get().principles == "B"


def test_comments_through_the_api_and_observers_only_read(client, world):
    client.force_login(world.alice)
    uuid = client.post(_base(world), {"number": 0, "version": 0}, content_type="application/json").json()["uuid"]
    client.post(f"{_base(world)}{uuid}/comments/", {"text": "Hello"}, content_type="application/json")
    client.force_login(world.dave)

    assert client.get(f"{_base(world)}{uuid}/comments/").json()[0]["text"] == "Hello"
    assert (
        client.post(f"{_base(world)}{uuid}/comments/", {"text": "Hi"}, content_type="application/json").status_code
        == 403
    )
    assert (
        client.post(f"{_base(world)}{uuid}/sign/", {"version": 1}, content_type="application/json").status_code == 403
    )
