"""Board pages: members, meetings, decisions log, actions, conflicts, no board, constant queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnering.arrangements.models import OpennessProfile
from partnering.board import services
from partnering.board.models import Decision


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/board/{page}"


def _meeting(world, title="Quarter 1"):
    return services.meeting_create(
        access=world.access(world.alice), title=title, held_on=timezone.localdate(), attendees=[world.alice, world.bob]
    )


def test_the_board_page_lists_members_and_meetings(client, world):
    _meeting(world)
    client.force_login(world.dave)

    body = client.get(_url(world)).content.decode()

    assert "Alice Adams" in body and "Chair" in body and "Technical adviser" in body and "Quarter 1" in body
    assert "Record a meeting" not in body


def test_without_a_joint_board_every_page_says_so(client, world):
    meeting = _meeting(world)
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(joint_project_board=False)
    client.force_login(world.alice)

    for page in ("", "decisions/", f"meetings/{meeting.uuid}/", "meetings/new/"):
        response = client.get(_url(world, page))
        assert response.status_code == 200
        assert "has no joint project board" in response.content.decode()


def test_recording_a_meeting_a_decision_and_an_action(client, world):
    client.force_login(world.bob)

    response = client.post(
        _url(world, "meetings/new/"),
        {
            "title": "Quarter 2",
            "held_on": "2026-06-01",
            "attendees": [world.alice.pk, world.bob.pk],
            "agenda": "1. Risks",
        },
    )
    assert response.status_code == 302
    meeting_url = response["Location"]
    client.post(f"{meeting_url}decisions/", {"decision-title": "Go ahead", "decision-rationale": "Ready."})
    client.post(
        f"{meeting_url}actions/",
        {"action-title": "Tell the team", "action-owner": world.peter.pk, "action-due_date": "2026-07-01"},
    )

    body = client.get(meeting_url).content.decode()
    assert "D-001" in body and "Go ahead" in body and "Tell the team" in body
    assert "Go ahead" in client.get(_url(world, "decisions/")).content.decode()


def test_a_stale_decision_edit_shows_what_changed(client, world):
    decision = services.decision_add(access=world.access(world.alice), meeting=_meeting(world), title="Go")
    services.decision_update(
        access=world.access(world.alice), decision=decision, expected_version=1, changes={"title": "Go now"}
    )
    client.force_login(world.bob)

    response = client.post(_url(world, f"decisions/{decision.uuid}/"), {"version": "1", "title": "Wait"})

    assert response.status_code == 409 and "Go now" in response.content.decode()
    assert Decision.objects.get().title == "Go now"


def test_the_board_roles_page_is_for_those_who_manage_members(client, world):
    bob = world.arrangement.memberships.get(user=world.bob)
    client.force_login(world.dave)
    assert client.get(_url(world, "members/")).status_code == 403
    # Each side seats its own people (sovereign sides): bob, the SRIE, sets his own seat.
    client.force_login(world.bob)

    response = client.post(
        _url(world, "members/"),
        {
            "version": "1",
            f"role_{bob.uuid}": "senior_supplier",
            f"role_{world.arrangement.memberships.get(user=world.alice).uuid}": "chair",
        },
    )

    assert response.status_code == 302
    assert "Senior supplier" in client.get(_url(world)).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_board_and_decisions_pages_run_the_same_queries_for_2_or_12_meetings(client, world):
    client.force_login(world.alice)
    access = world.access(world.alice)
    for n in range(2):
        meeting = _meeting(world, f"M{n}")
        services.decision_add(access=access, meeting=meeting, title=f"D{n}")
        services.meeting_action_add(access=access, meeting=meeting, title=f"A{n}")
    _queries(client, _url(world))  # warms the content type cache
    few = (_queries(client, _url(world)), _queries(client, _url(world, "decisions/")))
    for n in range(10):
        meeting = _meeting(world, f"N{n}")
        services.decision_add(access=access, meeting=meeting, title=f"E{n}")
        services.meeting_action_add(access=access, meeting=meeting, title=f"B{n}")

    many = (_queries(client, _url(world)), _queries(client, _url(world, "decisions/")))

    # Board: session, user, membership, roles, board members, their roles and seats,
    # meetings (decisions counted, open actions as a subquery). Decisions: the log
    # with its meetings joined.
    assert many == few


def test_editing_a_meeting_saves_it_and_a_stale_edit_keeps_what_was_typed(client, world):
    meeting = _meeting(world)
    client.force_login(world.bob)
    url = _url(world, f"meetings/{meeting.uuid}/")
    form = {"title": "Quarter 1", "held_on": "2026-06-01", "attendees": [world.alice.pk, world.bob.pk]}

    saved = client.post(url, {**form, "agenda": "1. Risks", "version": "1"})
    stale = client.post(url, {**form, "agenda": "1. Money", "version": "1"})

    assert saved.status_code == 302 and saved["Location"] == url
    assert stale.status_code == 409 and "1. Money" in stale.content.decode()
    meeting.refresh_from_db()
    assert meeting.agenda == "1. Risks" and meeting.version == 2
