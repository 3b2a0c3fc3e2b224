"""The one way edit pages save a form over a versioned record (core/editing.py)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from partnering.board import services
from partnering.core import editing
from partnering.core.concurrency import EditConflict


class TitleForm(forms.Form):
    title = forms.CharField()


def _shown(record, **kwargs):
    return {"record": record, **kwargs}


def _meeting(world):
    return services.meeting_create(
        access=world.access(world.alice), title="Quarter 1", held_on=timezone.localdate(), attendees=[world.alice]
    )


def test_the_posted_version_is_read_and_a_missing_or_broken_one_never_matches():
    factory = RequestFactory()

    assert editing.posted_version(factory.post("/", {"version": "7"})) == 7
    assert editing.posted_version(factory.post("/", {"version": "seven"})) == 0
    assert editing.posted_version(factory.post("/", {})) == 0


def test_a_refused_save_shows_the_record_as_saved_and_the_refused_values_in_the_form(world):
    meeting = _meeting(world)
    request = RequestFactory().post("/", {"version": "1", "title": "Renamed"})

    def save(*, expected_version, changes):
        meeting.title = changes["title"]  # as a service does before its own checks refuse it
        raise ValidationError({"title": "Not that name."})

    shown = editing.save_edit(
        request, TitleForm(request.POST), meeting, save=save, show=_shown, saved="Saved.", done_url="/done/"
    )

    assert shown["record"].title == "Quarter 1" and shown["status"] == 200 and shown["conflict"] is None
    assert shown["form"].errors == {"title": ["Not that name."]}
    assert shown["form"]["title"].value() == "Renamed"


def test_a_save_over_an_old_version_shows_the_latest_with_409_and_keeps_what_was_typed(world):
    meeting = _meeting(world)
    request = RequestFactory().post("/", {"version": "1", "title": "Mine"})
    latest = type(meeting).objects.get(pk=meeting.pk)
    latest.title = "Theirs"

    def save(*, expected_version, changes):
        raise EditConflict(latest, [])

    shown = editing.save_edit(
        request, TitleForm(request.POST), meeting, save=save, show=_shown, saved="Saved.", done_url="/done/"
    )

    assert shown["record"] is latest and shown["status"] == 409 and isinstance(shown["conflict"], EditConflict)
    assert shown["form"].non_field_errors() == [editing.CONFLICT]
    assert shown["form"]["title"].value() == "Mine"


def test_the_page_posts_back_the_latest_after_a_conflict_and_the_started_from_version_after_a_refusal(world):
    meeting = _meeting(world)
    meeting.version = 5
    request = RequestFactory().post("/", {"version": "3", "title": "x"})
    latest = type(meeting).objects.get(pk=meeting.pk)
    latest.version = 6

    assert editing.version_to_show(request, meeting) == 5
    assert editing.version_to_show(request, meeting, form=TitleForm()) == 5
    assert editing.version_to_show(request, meeting, form=TitleForm(request.POST)) == 3
    assert (
        editing.version_to_show(request, meeting, form=TitleForm(request.POST), conflict=EditConflict(latest, [])) == 6
    )


def test_a_refused_save_of_a_record_deleted_meanwhile_is_not_found(world):
    meeting = _meeting(world)
    request = RequestFactory().post("/", {"version": "1", "title": "Renamed"})

    def save(*, expected_version, changes):
        type(meeting).objects.filter(pk=meeting.pk).delete()
        raise ValidationError("Gone.")

    with pytest.raises(Http404):
        editing.save_edit(
            request, TitleForm(request.POST), meeting, save=save, show=_shown, saved="Saved.", done_url="/done/"
        )
