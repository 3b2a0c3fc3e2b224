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
    lesson = make_lesson(world.access(world.alice))
    services.lesson_update(access=world.access(world.bob), lesson=lesson, expected_version=1, changes={"title": "New"})

    with pytest.raises(EditConflict) as exc:
        services.lesson_update(
            access=world.access(world.alice), lesson=lesson, expected_version=1, changes={"title": "Mine"}
        )
    assert [c.field for c in exc.value.changes] == ["title"]


def test_each_side_publishes_to_its_own_organisation_only(world):
    lesson = make_lesson(world.access(world.alice))

    services.lesson_publish(access=world.access(world.bob), lesson=lesson)
    assert lesson.published_to_organisation == world.provider
    with pytest.raises(ValidationError):
        services.lesson_publish(access=world.access(world.alice), lesson=lesson)
    with pytest.raises(PermissionDenied):
        services.lesson_publish(access=world.access(world.alice), lesson=lesson, publish=False)
    services.lesson_publish(access=world.access(world.bob), lesson=lesson, publish=False)
    assert lesson.published_to_organisation is None


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
