"""The benchmark generator's KPI family: measurements at the scale asked for, agreed values, pages that open."""

from __future__ import annotations

from datetime import date

import pytest

from partnering.bench.generate import SCALES, generate
from partnering.kpis.models import BaselineProposal, Kpi, Measurement


@pytest.mark.django_db
def test_the_kpis_family_generates_the_measurements_of_its_scale(client):
    plan = generate(scale=SCALES["tiny"], seed=7, anchor=date(2027, 6, 1))

    assert plan.counts["kpis"] == Measurement.objects.count() == SCALES["tiny"].kpi_measurements
    assert Kpi.objects.exists() and BaselineProposal.objects.filter(agreed_at__isnull=False).exists()
    kpi = Kpi.objects.order_by("-id").first()
    member = kpi.arrangement.memberships.filter(is_active=True).select_related("user").first()
    client.force_login(member.user)
    assert client.get(f"/arrangements/{kpi.arrangement.slug}/kpis/").status_code == 200
    assert client.get(f"/arrangements/{kpi.arrangement.slug}/kpis/{kpi.uuid}/").status_code == 200
