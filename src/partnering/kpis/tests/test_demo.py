"""The demo: about ten KPIs with baselines, targets and measurements, safe to load twice."""

from __future__ import annotations

import pytest

from partnering.arrangements.models import Arrangement
from partnering.kpis.demo import KPIS, demo_kpis
from partnering.kpis.models import Kpi, Measurement, TargetProposal


@pytest.mark.django_db
def test_demo_kpis_are_added_once():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    demo_kpis(arrangement)
    count = Kpi.objects.count()

    demo_kpis(Arrangement.objects.get(pk=arrangement.pk))

    assert count == len(KPIS) + 1 == Kpi.objects.count() == 10
    assert TargetProposal.objects.filter(agreed_at__isnull=False).count() == 10
    assert Measurement.objects.count() > 80
    assert set(Kpi.objects.values_list("kind", flat=True)) == {"service", "relationship"}
