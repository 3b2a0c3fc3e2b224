"""Charter agreement rules: both leaders sign, an edit after agreement needs both again, no lost edits."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partnering.charter import services
from partnering.charter.models import CharterComment, CharterVersion
from partnering.core.concurrency import EditConflict


def _draft(world, **values):
    return services.charter_edit(
        access=world.access(world.alice),
        expected_number=0,
        expected_version=0,
        values={"principles": "We succeed together."} | values,
    )


def _sign(world, user, version):
    return services.charter_sign(access=world.access(user), version=version, expected_version=version.version)


def _agree(world, version):
    return _sign(world, world.bob, _sign(world, world.alice, version))


def test_a_version_is_agreed_only_when_both_the_sro_and_the_srie_have_signed(world):
    version = _sign(world, world.alice, _draft(world))

    assert version.status == "draft" and version.sro_signed_by == world.alice and version.sro_signed_at
    version = _sign(world, world.bob, version)

    assert version.status == "agreed" and version.srie_signed_by == world.bob and version.agreed_at


def test_an_edit_after_agreement_makes_a_new_draft_that_needs_both_signatures_again(world):
    first = _agree(world, _draft(world))

    second = services.charter_edit(
        access=world.access(world.bob),
        expected_number=1,
        expected_version=first.version,
        values={"tone": "Candid and courteous."},
    )

    assert (second.number, second.status, second.sro_signed_at, second.srie_signed_at) == (2, "draft", None, None)
    assert second.principles == "We succeed together." and second.tone == "Candid and courteous."
    first.refresh_from_db()
    assert first.status == "agreed", "the agreed text stays in force until the new draft is agreed"
    second = _agree(world, second)
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "agreed")


def test_editing_a_signed_draft_clears_the_signature(world):
    draft = _sign(world, world.alice, _draft(world))

    edited = services.charter_edit(
        access=world.access(world.bob), expected_number=1, expected_version=draft.version, values={"tone": "Warm."}
    )

    assert (edited.number, edited.sro_signed_at, edited.status) == (1, None, "draft")
    assert CharterVersion.objects.count() == 1


def test_only_the_sro_and_the_srie_sign(world):
    draft = _draft(world)

    for user in (world.carol, world.fran, world.peter):
        with pytest.raises(PermissionDenied):
            _sign(world, user, draft)
    with pytest.raises(PermissionDenied):
        _sign(world, world.dave, draft)


def test_a_text_changed_since_it_was_read_is_not_signed(world):
    draft = _draft(world)
    services.charter_edit(
        access=world.access(world.bob), expected_number=1, expected_version=draft.version, values={"tone": "Warm."}
    )

    with pytest.raises(EditConflict):
        services.charter_sign(access=world.access(world.alice), version=draft, expected_version=draft.version)


def test_an_agreed_version_cannot_be_signed_again_as_a_draft(world):
    first = _agree(world, _draft(world))
    services.charter_edit(
        access=world.access(world.bob), expected_number=1, expected_version=first.version, values={"tone": "Warm."}
    )
    first.refresh_from_db()

    with pytest.raises(ValidationError):
        services.charter_sign(access=world.access(world.alice), version=first, expected_version=first.version)


def test_a_second_edit_from_the_same_version_is_refused_with_what_changed(world):
    draft = _draft(world)
    services.charter_edit(
        access=world.access(world.alice),
        expected_number=1,
        expected_version=draft.version,
        values={"tone": "Alice's tone."},
    )

    with pytest.raises(EditConflict) as exc:
        services.charter_edit(
            access=world.access(world.bob),
            expected_number=1,
            expected_version=draft.version,
            values={"tone": "Bob's tone."},
        )

    assert {c.field: (c.theirs, c.yours) for c in exc.value.changes}["tone"] == ("Alice's tone.", "Bob's tone.")
    assert CharterVersion.objects.get().tone == "Alice's tone."


def test_two_new_drafts_from_the_same_agreed_version_are_not_both_made(world):
    first = _agree(world, _draft(world))
    services.charter_edit(
        access=world.access(world.alice), expected_number=1, expected_version=first.version, values={"tone": "A"}
    )

    with pytest.raises(EditConflict):
        services.charter_edit(
            access=world.access(world.bob), expected_number=1, expected_version=first.version, values={"tone": "B"}
        )
    assert CharterVersion.objects.count() == 2


def test_free_sections_need_a_heading_and_empty_ones_are_dropped(world):
    version = _draft(world, extra_sections=[{"heading": " Innovation ", "text": "Ideas"}, {"heading": "", "text": ""}])

    assert version.extra_sections == [{"heading": "Innovation", "text": "Ideas"}]
    with pytest.raises(ValidationError):
        services.charter_edit(
            access=world.access(world.alice),
            expected_number=1,
            expected_version=version.version,
            values={"extra_sections": [{"heading": "", "text": "Orphan text"}]},
        )


def test_an_observer_cannot_edit_or_comment(world):
    draft = _draft(world)

    with pytest.raises(PermissionDenied):
        services.charter_edit(access=world.access(world.dave), expected_number=1, expected_version=1, values={})
    with pytest.raises(PermissionDenied):
        services.charter_comment_add(access=world.access(world.dave), version=draft, text="Hello")


def test_comments_are_kept_in_the_audit_trail(world):
    draft = _draft(world)

    comment = services.charter_comment_add(access=world.access(world.bob), version=draft, text="Three days, not five.")

    assert CharterComment.history.filter(id=comment.pk).get().history_actor.startswith("Bob Brown")


def test_the_review_date_is_versioned(world):
    from datetime import date

    charter = _draft(world).charter
    services.charter_set_review_date(
        access=world.access(world.alice), charter=charter, expected_version=1, review_date=date(2030, 1, 1)
    )

    with pytest.raises(EditConflict):
        services.charter_set_review_date(
            access=world.access(world.bob), charter=charter, expected_version=1, review_date=date(2031, 1, 1)
        )


def test_a_workshop_has_attendees_from_both_sides(world):
    from django.utils import timezone

    with pytest.raises(ValidationError):
        services.workshop_create(
            access=world.access(world.alice),
            title="Customer only",
            held_on=timezone.localdate(),
            attendees=[world.alice, world.carol],
        )
    with pytest.raises(ValidationError):
        services.workshop_create(
            access=world.access(world.alice),
            title="With an outsider",
            held_on=timezone.localdate(),
            attendees=[world.alice, world.bob, world.charlie],
        )
    workshop = services.workshop_create(
        access=world.access(world.alice),
        title="Charter workshop",
        held_on=timezone.localdate(),
        attendees=[world.alice, world.bob],
        facilitator="Fran Fisher",
    )
    assert set(workshop.attendees.all()) == {world.alice, world.bob}
