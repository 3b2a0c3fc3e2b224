"""The board API: meetings with version (409 on conflict), decisions, the decisions log."""

from __future__ import annotations

from django.utils import timezone

from partnering.arrangements.models import OpennessProfile
from partnering.board import services


def _base(world, what="meetings"):
    return f"/api/v1/arrangements/{world.arrangement.slug}/board/{what}/"


def test_meetings_and_decisions_through_the_api(client, world):
    client.force_login(world.bob)
    response = client.post(
        _base(world),
        {"title": "Q1", "held_on": "2026-03-01", "attendees": ["alice@northshire.example", "bob@brightwave.example"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    uuid = response.json()["uuid"]

    decision = client.post(f"{_base(world)}{uuid}/decisions/", {"title": "Go"}, content_type="application/json")

    assert decision.status_code == 201 and decision.json()["reference"] == "D-001"
    assert client.get(_base(world, "decisions")).json()["results"][0]["meeting"] == uuid


def test_a_stale_meeting_edit_gives_409(client, world):
    meeting = services.meeting_create(access=world.access(world.alice), title="Q1", held_on=timezone.localdate())
    client.force_login(world.alice)
    client.patch(f"{_base(world)}{meeting.uuid}/", {"version": 1, "minutes": "A"}, content_type="application/json")

    response = client.patch(
        f"{_base(world)}{meeting.uuid}/", {"version": 1, "minutes": "B"}, content_type="application/json"
    )

    assert response.status_code == 409


def test_no_board_gives_403(client, world):
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(joint_project_board=False)
    client.force_login(world.alice)

    assert client.get(_base(world)).status_code == 403
