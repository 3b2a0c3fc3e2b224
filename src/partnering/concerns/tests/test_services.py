"""Raising, escalating, stating, resolving: the concern log's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partnering.concerns import selectors, services
from partnering.concerns.models import ConcernStatus, EscalationEvent, Level
from partnering.concerns.tests.factories import make_concern
from partnering.core.concurrency import EditConflict


def test_a_concern_needs_a_statement_of_how_the_other_party_sees_it(world):
    with pytest.raises(ValidationError) as exc:
        make_concern(world.access(world.alice), other_side_view="  ")

    assert "other_side_view" in exc.value.message_dict


def test_raising_records_the_first_step_and_numbers_the_concern(world):
    first = make_concern(world.access(world.alice))
    second = make_concern(world.access(world.bob))

    assert (first.reference, second.reference) == ("C-001", "C-002")
    assert (first.level, first.raised_by_side, second.raised_by_side) == (Level.WORKING, "customer", "provider")
    assert list(first.escalations.values_list("from_level", "to_level")) == [(None, Level.WORKING)]


def test_with_problems_visible_a_concern_is_shared_from_the_start(world):
    assert make_concern(world.access(world.bob)).visibility == "shared"


def test_without_problems_visible_a_concern_starts_with_the_raising_side(problems_private):
    world = problems_private

    assert make_concern(world.access(world.bob)).visibility == "provider"
    assert make_concern(world.access(world.fran)).visibility == "shared"


def test_escalating_to_the_sro_and_srie_shares_a_private_concern(problems_private):
    world = problems_private
    access = world.access(world.bob)
    concern = make_concern(access)

    services.concern_escalate(access=access, concern=concern, to_level=Level.RELATIONSHIP_MANAGERS, reason="Stuck")
    concern.refresh_from_db()
    assert concern.visibility == "provider"
    services.concern_escalate(access=access, concern=concern, to_level=Level.SRO_AND_SRIE, reason="Still stuck")
    concern.refresh_from_db()
    assert concern.visibility == "shared" and concern.shared_at is not None

    services.concern_escalate(access=access, concern=concern, to_level=Level.WORKING, reason="Agreed a way forward")
    concern.refresh_from_db()
    assert concern.visibility == "shared", "coming down does not hide it again"


def test_escalating_and_coming_down_need_a_reason_and_a_different_level(world):
    access = world.access(world.alice)
    concern = make_concern(access)

    with pytest.raises(ValidationError):
        services.concern_escalate(access=access, concern=concern, to_level=Level.JOINT_BOARD, reason=" ")
    with pytest.raises(ValidationError):
        services.concern_escalate(access=access, concern=concern, to_level=Level.WORKING, reason="Same")


def test_time_at_each_level_comes_from_the_recorded_steps(world):
    access = world.access(world.alice)
    concern = make_concern(access)
    services.concern_escalate(access=access, concern=concern, to_level=Level.JOINT_BOARD, reason="Urgent")
    now = timezone.now()
    first, second = EscalationEvent.objects.filter(concern=concern).order_by("id")
    EscalationEvent.objects.filter(pk=first.pk).update(created_at=now - timedelta(days=5))
    EscalationEvent.objects.filter(pk=second.pk).update(created_at=now - timedelta(days=2))
    concern.refresh_from_db()

    ladder = selectors.time_at_levels(concern=concern, events=list(selectors.concern_escalations(concern=concern)))

    days = {rung.level: rung.duration.days for rung in ladder if rung.reached}
    assert days == {Level.WORKING: 3, Level.JOINT_BOARD: 1} or days == {Level.WORKING: 3, Level.JOINT_BOARD: 2}
    assert [r.is_current for r in ladder] == [False, False, False, True]


def test_only_the_other_side_adds_its_own_statement(world):
    concern = make_concern(world.access(world.alice))

    with pytest.raises(PermissionDenied):
        services.concern_statement_save(access=world.access(world.alice), concern=concern, text="Ours")
    statement = services.concern_statement_save(access=world.access(world.bob), concern=concern, text="Theirs")

    assert (statement.side, statement.author) == ("provider", world.bob)


def test_a_stale_statement_edit_is_refused(world):
    concern = make_concern(world.access(world.alice))
    bob, peter = world.access(world.bob), world.access(world.peter)
    services.concern_statement_save(access=bob, concern=concern, text="First")
    services.concern_statement_save(access=peter, concern=concern, text="Second", expected_version=1)

    with pytest.raises(EditConflict):
        services.concern_statement_save(access=bob, concern=concern, text="Third", expected_version=1)


def test_a_stale_edit_of_the_concern_is_refused(world):
    concern = make_concern(world.access(world.alice))
    services.concern_update(
        access=world.access(world.alice), concern=concern, expected_version=1, changes={"title": "A"}
    )

    with pytest.raises(EditConflict) as exc:
        services.concern_update(
            access=world.access(world.bob), concern=concern, expected_version=1, changes={"impact": "B"}
        )

    assert [c.field for c in exc.value.changes] == ["title"]


def test_resolving_keeps_a_no_blame_summary_ready_to_publish_as_a_lesson(world):
    access = world.access(world.bob)
    concern = make_concern(access)

    services.concern_resolve(
        access=access,
        concern=concern,
        expected_version=concern.version,
        summary="Plans now cite the contract.",
        publishable_as_lesson=True,
    )

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESOLVED and concern.resolved_by == world.bob
    assert concern.publishable_as_lesson and concern.lesson_text == "Plans now cite the contract."
    with pytest.raises(ValidationError):
        services.concern_escalate(access=access, concern=concern, to_level=Level.JOINT_BOARD, reason="Too late")


def test_comments_are_kept_in_the_audit_trail(world):
    concern = make_concern(world.access(world.alice))

    comment = services.concern_comment_add(access=world.access(world.bob), concern=concern, text="Agreed")

    assert comment.history.get().history_user == world.bob


def test_observers_cannot_raise_concerns(world):
    with pytest.raises(PermissionDenied):
        make_concern(world.access(world.dave))


def test_open_concerns_lists_what_the_reader_may_see_highest_level_first(problems_private):
    world = problems_private
    low = make_concern(world.access(world.alice), title="Low")
    high = make_concern(world.access(world.alice), title="High", level=Level.JOINT_BOARD)
    hidden = make_concern(world.access(world.bob), title="Provider's own")

    assert list(selectors.open_concerns(world.access(world.alice))) == [high, low]
    assert hidden in selectors.open_concerns(world.access(world.peter))
    assert list(selectors.open_concerns(world.access(world.fran))) == [high]


def test_private_concerns_are_numbered_in_their_sides_own_sequence(problems_private):
    world = problems_private

    refs = [make_concern(world.access(u)).reference for u in (world.alice, world.bob, world.alice, world.fran)]

    assert refs == ["CC-001", "CP-001", "CC-002", "C-001"]


def test_a_shared_concern_takes_the_next_shared_number(problems_private):
    world = problems_private
    make_concern(world.access(world.fran))
    escalated = make_concern(world.access(world.alice))
    shared = make_concern(world.access(world.bob))

    services.concern_escalate(
        access=world.access(world.alice), concern=escalated, to_level=Level.SRO_AND_SRIE, reason="Stuck."
    )
    shared = services.concern_share(access=world.access(world.bob), concern=shared)

    escalated.refresh_from_db()
    assert (escalated.reference, shared.reference) == ("C-002", "C-003")
