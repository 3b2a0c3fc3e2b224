"""Archives made before issue 13's changes still import: private records get their side's own
reference sequence, and lessons published under the old rule come in unpublished."""

from __future__ import annotations

import json

import pytest

from partnering.archive.export import collect
from partnering.archive.importer import archive_import
from partnering.archive.tests.test_export_import import _wipe
from partnering.risks.models import Risk


def _entry(data, label):
    return next(m for m in data["models"] if m["model"] == label)


@pytest.mark.django_db
def test_a_private_risk_of_the_old_single_sequence_is_numbered_in_its_sides_own(populated):
    data = collect(populated.world.arrangement)
    for record in _entry(data, "risks.risk")["records"]:
        if record["fields"]["visibility"] == "provider":
            record["fields"].update(reference="R-002", number=2)
    _wipe()

    archive_import(json.dumps(data).encode())

    assert Risk.objects.get(uuid=populated.private.uuid).reference == "RP-001"
    assert Risk.objects.get(uuid=populated.shared.uuid).reference == "R-001"


@pytest.mark.django_db
def test_a_lesson_published_under_the_old_rule_comes_in_unpublished(populated):
    from partnering.lessons.models import Lesson
    from partnering.lessons.tests.factories import make_lesson

    lesson = make_lesson(populated.world.access(populated.world.alice))
    data = collect(populated.world.arrangement)
    for record in _entry(data, "lessons.lesson")["records"]:
        record["fields"].update(
            published_to_organisation="Brightwave Digital", published_by=None, published_at="2026-01-05T10:00:00+00:00"
        )
    _wipe()

    archive_import(json.dumps(data).encode())

    imported = Lesson.objects.get(uuid=lesson.uuid)
    assert not imported.is_published and imported.author_side == "customer"
