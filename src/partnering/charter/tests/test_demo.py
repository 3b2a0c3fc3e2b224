"""The demo charter: two agreed versions and three workshops, safe to load twice."""

from __future__ import annotations

import pytest

from partnering.charter.demo import demo_charter
from partnering.charter.models import CharterVersion, Workshop


@pytest.mark.django_db
def test_the_demo_arrangement_has_an_agreed_charter_in_two_versions():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    demo_charter(arrangement)
    demo_charter(arrangement)

    statuses = list(
        CharterVersion.objects.filter(arrangement=arrangement).order_by("number").values_list("status", flat=True)
    )
    assert statuses == ["superseded", "agreed"]
    assert Workshop.objects.filter(arrangement=arrangement).count() == 3
