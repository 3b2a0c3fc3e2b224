"""Charter pages: drafting, signing, comparing, workshops, conflicts and constant queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnering.charter import services
from partnering.charter.models import CharterVersion


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/charter/{page}"


def _draft(world, text="We succeed together."):
    return services.charter_edit(
        access=world.access(world.alice), expected_number=0, expected_version=0, values={"principles": text}
    )


def test_the_charter_page_says_when_nothing_is_drafted(client, world):
    client.force_login(world.dave)

    body = client.get(_url(world)).content.decode()

    assert "No charter has been drafted yet" in body and "Start drafting" not in body


def test_drafting_the_charter_through_the_form(client, world):
    client.force_login(world.bob)

    response = client.post(
        _url(world, "edit/"),
        {
            "number": "0",
            "version": "0",
            "principles": "No blame.",
            "extra_0_heading": "Innovation",
            "extra_0_text": "Ideas welcome.",
        },
    )

    version = CharterVersion.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"versions/{version.uuid}/")
    assert version.principles == "No blame." and version.extra_sections == [
        {"heading": "Innovation", "text": "Ideas welcome."}
    ]


def test_a_stale_edit_shows_what_changed_and_keeps_the_saved_text(client, world):
    draft = _draft(world)
    services.charter_edit(
        access=world.access(world.alice), expected_number=1, expected_version=draft.version, values={"tone": "Warm."}
    )
    client.force_login(world.bob)

    response = client.post(_url(world, "edit/"), {"number": "1", "version": str(draft.version), "tone": "Cold."})

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed the charter" in body and "Warm." in body and "Cold." in body
    assert CharterVersion.objects.get().tone == "Warm."


def test_the_sro_and_the_srie_sign_on_the_version_page(client, world):
    draft = _draft(world)
    client.force_login(world.alice)
    assert "Sign version 1 as SRO" in client.get(_url(world, f"versions/{draft.uuid}/")).content.decode()

    client.post(_url(world, f"versions/{draft.uuid}/sign/"), {"version": draft.version})
    draft.refresh_from_db()
    client.force_login(world.bob)
    client.post(_url(world, f"versions/{draft.uuid}/sign/"), {"version": draft.version})

    draft.refresh_from_db()
    assert draft.status == "agreed"
    body = client.get(_url(world)).content.decode()
    assert "Version 1</a>, agreed" in body


def test_members_without_a_signing_role_see_no_sign_button(client, world):
    draft = _draft(world)
    client.force_login(world.carol)

    body = client.get(_url(world, f"versions/{draft.uuid}/")).content.decode()

    assert "Sign version" not in body and "Edit this draft" in body


def test_comments_appear_in_the_version_discussion(client, world):
    draft = _draft(world)
    client.force_login(world.bob)

    client.post(_url(world, f"versions/{draft.uuid}/comments/"), {"comment-text": "Three days, please."})

    assert "Three days, please." in client.get(_url(world, f"versions/{draft.uuid}/")).content.decode()


def test_compare_shows_the_difference_between_two_versions(client, world):
    first = _draft(world, "Escalate within five days.")
    first = services.charter_sign(access=world.access(world.alice), version=first, expected_version=first.version)
    first = services.charter_sign(access=world.access(world.bob), version=first, expected_version=first.version)
    services.charter_edit(
        access=world.access(world.bob),
        expected_number=1,
        expected_version=first.version,
        values={"principles": "Escalate within three days."},
    )
    client.force_login(world.dave)

    body = client.get(_url(world, "compare/"), {"from": 1, "to": 2}).content.decode()

    assert "Removed: </span>five</del>" in body and "Added: </span>three</ins>" in body


def test_the_review_date_shows_due_and_overdue(client, world):
    charter = _draft(world).charter
    client.force_login(world.alice)

    client.post(
        _url(world),
        {"version": charter.version, "review_date": (timezone.localdate() - timezone.timedelta(days=1)).isoformat()},
    )
    assert "Review overdue" in client.get(_url(world)).content.decode()
    charter.refresh_from_db()
    client.post(
        _url(world),
        {"version": charter.version, "review_date": (timezone.localdate() + timezone.timedelta(days=10)).isoformat()},
    )
    assert "Review due" in client.get(_url(world)).content.decode()


def test_recording_a_workshop(client, world):
    client.force_login(world.fran)

    response = client.post(
        _url(world, "workshops/new/"),
        {
            "kind": "charter_workshop",
            "title": "First charter workshop",
            "held_on": "2026-03-01",
            "facilitator": "Fran Fisher",
            "attendees": [world.alice.pk, world.bob.pk, world.fran.pk],
            "outputs": "First draft.",
        },
    )

    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Alice Adams" in body and "Bob Brown" in body and "First draft." in body


def _page_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(_url(world)).status_code == 200
    return len(ctx.captured_queries)


def test_the_charter_page_runs_the_same_queries_for_2_or_10_versions_and_workshops(client, world):
    client.force_login(world.alice)
    version = _draft(world)
    for n in range(2):
        version = services.charter_edit(
            access=world.access(world.alice),
            expected_number=version.number,
            expected_version=version.version,
            values={"tone": f"T{n}"},
        )
        services.workshop_create(
            access=world.access(world.alice),
            title=f"W{n}",
            held_on=timezone.localdate(),
            attendees=[world.alice, world.bob],
        )
    few = _page_queries(client, world)
    for n in range(8):
        version = services.charter_sign(
            access=world.access(world.alice), version=version, expected_version=version.version
        )
        version = services.charter_sign(
            access=world.access(world.bob), version=version, expected_version=version.version
        )
        version = services.charter_edit(
            access=world.access(world.alice),
            expected_number=version.number,
            expected_version=version.version,
            values={"tone": f"U{n}"},
        )
        services.workshop_create(
            access=world.access(world.alice),
            title=f"X{n}",
            held_on=timezone.localdate(),
            attendees=[world.alice, world.bob, world.carol],
        )

    many = _page_queries(client, world)

    # session, user, membership, roles, charter, versions (signers joined, comments
    # counted), workshops, their attendees, the attendees' memberships.
    assert CharterVersion.objects.count() == 9
    assert many == few


def _workshop_form(world, **overrides):
    return {
        "kind": "charter_workshop",
        "title": "First charter workshop",
        "held_on": "2026-03-01",
        "facilitator": "Fran Fisher",
        "attendees": [world.alice.pk, world.bob.pk],
        "outputs": "First draft.",
        **overrides,
    }


def test_editing_a_workshop_saves_it_and_a_stale_edit_shows_the_latest(client, world):
    client.force_login(world.fran)
    url = client.post(_url(world, "workshops/new/"), _workshop_form(world))["Location"]

    saved = client.post(url, {**_workshop_form(world, outputs="Second draft."), "version": "1"})
    stale = client.post(url, {**_workshop_form(world, outputs="My draft."), "version": "1"})

    assert saved.status_code == 302 and saved["Location"] == url
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Someone else changed this record" in body and "Second draft." in body and "My draft." in body
    assert "Second draft." in client.get(url).content.decode()
