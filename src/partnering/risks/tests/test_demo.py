"""The demo register: about thirty risks on both sides, safe to load twice."""

from __future__ import annotations

import pytest

from partnering.arrangements.models import Arrangement
from partnering.risks.demo import RISKS, demo_risks
from partnering.risks.models import Risk


@pytest.mark.django_db
def test_demo_risks_are_added_once():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    demo_risks(arrangement)
    count = Risk.objects.count()

    demo_risks(Arrangement.objects.get(pk=arrangement.pk))

    assert count == len(RISKS) == Risk.objects.count()
    assert set(Risk.objects.values_list("owning_side", flat=True)) == {"customer", "provider", "joint"}
    assert Risk.objects.filter(created_by__memberships__side="provider").exists()
