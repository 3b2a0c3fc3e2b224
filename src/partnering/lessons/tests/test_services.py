"""Recording, editing, publishing and capturing lessons."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from partnering.core.concurrency import EditConflict
from partnering.lessons import services
from partnering.lessons.models import Source
from partnering.lessons.tests.factories import make_lesson


def test_a_lesson_normalises_its_tags_and_indexes_its_words(world):
    lesson = make_lesson(world.access(world.alice), tags="Data, migration ,DATA,  Open   Book")

    assert lesson.tags == "data, migration, open book"
    assert lesson.tag_list == ["data", "migration", "open book"]
    assert "acceptance criteria" in lesson.search_text
    assert lesson.stage == world.arrangement.stage and lesson.source == Source.DIRECT


def test_observers_cannot_record_lessons(world):
    with pytest.raises(PermissionDenied):
        make_lesson(world.access(world.dave))


def test_a_private_lesson_is_private_to_the_writers_side(world):
    with pytest.raises(ValidationError):
        make_lesson(world.access(world.alice), visibility="provider")


def test_a_stale_edit_is_refused_with_what_changed(world):
    lesson = make_lesson(world.access(world.alice), joint=True)
    services.lesson_update(access=world.access(world.bob), lesson=lesson, expected_version=1, changes={"title": "New"})

    with pytest.raises(EditConflict) as exc:
        services.lesson_update(
            access=world.access(world.alice), lesson=lesson, expected_version=1, changes={"title": "Mine"}
        )
    assert [c.field for c in exc.value.changes] == ["title"]


def test_the_side_that_wrote_a_lesson_publishes_it_to_its_own_organisation(world):
    lesson = make_lesson(world.access(world.alice))

    services.lesson_publish(access=world.access(world.alice), lesson=lesson)

    assert lesson.author_side == "customer" and lesson.is_published
    assert lesson.published_to == [world.customer]
    assert lesson.customer_consent_by == world.alice and lesson.provider_consent_at is None
    services.lesson_publish(access=world.access(world.alice), lesson=lesson, publish=False)
    assert not lesson.is_published and lesson.published_to == []


def test_only_the_authors_edit_a_lesson(world):
    lesson = make_lesson(world.access(world.alice))

    with pytest.raises(PermissionDenied):
        services.lesson_update(
            access=world.access(world.bob), lesson=lesson, expected_version=1, changes={"title": "Ours now"}
        )
    services.lesson_update(access=world.access(world.carol), lesson=lesson, expected_version=1, changes={"title": "B"})
    lesson.refresh_from_db()
    assert lesson.title == "B"


def test_a_joint_lesson_is_published_to_both_organisations_once_both_leads_agree(world):
    lesson = make_lesson(world.access(world.alice), joint=True)

    services.lesson_publish(access=world.access(world.alice), lesson=lesson)
    assert lesson.customer_consent_by == world.alice and not lesson.is_published
    services.lesson_publish(access=world.access(world.bob), lesson=lesson)

    assert lesson.is_published and lesson.published_to == [world.customer, world.provider]
    assert lesson.provider_consent_by == world.bob


def test_a_joint_lesson_needs_each_sides_lead_not_any_manager(world):
    lesson = make_lesson(world.access(world.alice), joint=True)

    with pytest.raises(PermissionDenied):
        services.lesson_publish(access=world.access(world.carol), lesson=lesson)


def test_new_words_in_a_joint_lesson_ask_both_sides_again(world):
    lesson = make_lesson(world.access(world.alice), joint=True)
    services.lesson_publish(access=world.access(world.alice), lesson=lesson)
    services.lesson_publish(access=world.access(world.bob), lesson=lesson)

    lesson = services.lesson_update(
        access=world.access(world.bob), lesson=lesson, expected_version=lesson.version, changes={"title": "Reworded"}
    )

    assert not lesson.is_published
    assert lesson.customer_consent_at is None and lesson.provider_consent_at is None


def test_a_joint_lesson_must_be_shared(world):
    with pytest.raises(ValidationError):
        make_lesson(world.access(world.alice), joint=True, visibility="customer")


def test_the_facilitators_lessons_are_joint(world):
    assert make_lesson(world.access(world.fran)).author_side == "joint"


@pytest.mark.parametrize("user", ["fran", "peter", "dave"])
def test_only_managers_on_a_side_publish(world, user):
    lesson = make_lesson(world.access(world.alice))
    with pytest.raises(PermissionDenied):
        services.lesson_publish(access=world.access(getattr(world, user)), lesson=lesson)


@pytest.mark.skipif(not apps.is_installed("partnering.concerns"), reason="concerns app not installed")
def test_a_lesson_is_captured_from_a_resolved_concern(world):
    from tests.policy.route_objects import _concern

    from partnering.concerns.models import Concern

    access = world.access(world.alice)
    concern = Concern.objects.get(uuid=_concern(world))
    assert services.capture_source(access=access, ref=f"concern:{concern.uuid}") == concern
    with pytest.raises(ValidationError):
        make_lesson(access, source=concern)  # still open

    Concern.objects.filter(pk=concern.pk).update(
        status="resolved", resolution_summary="Agreed a weekly triage.", publishable_as_lesson=True
    )
    concern.refresh_from_db()
    initial = services.prefill(concern)
    lesson = make_lesson(access, source=concern, lesson=initial["lesson"])

    assert initial["lesson"] == "Agreed a weekly triage."
    assert lesson.source == Source.CONCERN and lesson.source_object == concern


def test_unknown_capture_references_are_ignored(world):
    access = world.access(world.alice)
    assert services.capture_source(access=access, ref="risk:1") is None
    assert services.capture_source(access=access, ref="concern:not-a-uuid") is None
