"""The demo: concerns at every level of the ladder, peers and a handover; safe to load twice."""

from __future__ import annotations

import pytest

from partnering.arrangements.models import Arrangement
from partnering.concerns.demo import CONCERNS, demo_concerns
from partnering.concerns.models import Concern
from partnering.relationships.demo import demo_relationships
from partnering.relationships.models import PeerPair


@pytest.mark.django_db
def test_the_demo_has_concerns_at_different_levels_peers_and_a_handover():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    for _ in range(2):
        fresh = Arrangement.objects.get(pk=arrangement.pk)
        demo_concerns(fresh)
        demo_relationships(fresh)

    assert Concern.objects.count() == len(CONCERNS)
    assert set(Concern.objects.filter(status="open").values_list("level", flat=True)) == {1, 2, 3, 4}
    assert Concern.objects.filter(status="resolved", publishable_as_lesson=True).exists()
    assert PeerPair.objects.count() == 3
    assert arrangement.role_assignments.exclude(handover_note="").exists()
