"""Optimistic locking: two people editing one record never overwrite each other."""

from __future__ import annotations

import pytest

from partnering.arrangements.models import Arrangement
from partnering.core.concurrency import EditConflict, save_versioned


@pytest.fixture
def arrangement(world):
    Arrangement.objects.filter(pk=world.arrangement.pk).update(created_by=world.alice)
    return Arrangement.objects.get(pk=world.arrangement.pk)


def test_it_saves_from_the_current_version_and_moves_it_on(arrangement):
    arrangement.title = "New title"

    save_versioned(arrangement, expected_version=1, fields=["title"])

    arrangement.refresh_from_db()
    assert (arrangement.title, arrangement.version) == ("New title", 2)


def test_it_refuses_a_save_from_an_old_version(arrangement):
    theirs = Arrangement.objects.get(pk=arrangement.pk)
    theirs.description = "Their words"
    save_versioned(theirs, expected_version=1)
    arrangement.title = "My title"

    with pytest.raises(EditConflict) as exc:
        save_versioned(arrangement, expected_version=1, fields=["title", "description"])

    # Only what the other person changed since my version, with their value and mine.
    assert [(c.field, c.label, c.theirs, c.yours) for c in exc.value.changes] == [
        ("description", "Description", "Their words", ""),
    ]
    assert exc.value.current.version == 2
    arrangement.refresh_from_db()
    assert (arrangement.title, arrangement.description) == ("Digital services", "Their words")


def test_without_field_names_it_compares_every_field(arrangement):
    theirs = Arrangement.objects.get(pk=arrangement.pk)
    theirs.contract_end = theirs.contract_start = None
    theirs.description = "Theirs"
    save_versioned(theirs, expected_version=1)
    arrangement.title = "Mine"

    with pytest.raises(EditConflict) as exc:
        save_versioned(arrangement, expected_version=1)

    assert "description" in {c.field for c in exc.value.changes}
    assert "title" not in {c.field for c in exc.value.changes}
    assert "version" not in {c.field for c in exc.value.changes}


def test_it_validates_before_it_saves(arrangement):
    arrangement.title = ""

    with pytest.raises(Exception, match="title"):
        save_versioned(arrangement, expected_version=1)

    assert Arrangement.objects.get(pk=arrangement.pk).version == 1
