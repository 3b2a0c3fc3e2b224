"""The demo: Northshire within scope, three published KPIs, one notice published and the next due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partnering.arrangements.models import Arrangement
from partnering.procurement.demo import demo_procurement
from partnering.procurement.models import AssessmentStatus, PerformanceAssessment, ProviderResponse, PublishedKpi


@pytest.mark.django_db
def test_the_demo_contract_is_in_scope_with_a_notice_published_and_one_due_and_loads_once():
    from partnering.arrangements.demo import load_demo
    from partnering.kpis.demo import demo_kpis
    from partnering.procurement import selectors
    from partnering.testing import access

    arrangement, _people = load_demo()
    demo_kpis(arrangement)
    demo_procurement(arrangement)
    demo_procurement(Arrangement.objects.get(pk=arrangement.pk))

    duty = selectors.duty(
        access=access(arrangement.memberships.get(user__email="helen.carter@northshire.example").user, arrangement)
    )
    assert duty.in_scope and duty.published == PublishedKpi.objects.count() == 3
    assert duty.due is not None and duty.due.on == timezone.localdate() + timedelta(days=14)
    assert duty.warnings == []
    statuses = list(PerformanceAssessment.objects.order_by("period_end").values_list("status", flat=True))
    assert statuses == [AssessmentStatus.PUBLISHED, AssessmentStatus.SHARED]
    assert ProviderResponse.objects.filter(stance="disagree").count() == 1
    past = PerformanceAssessment.objects.get(status=AssessmentStatus.PUBLISHED)
    assert all(r.evidence for r in past.ratings.all()), "the published notice's figures are frozen"
