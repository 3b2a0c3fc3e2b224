"""The demo books: two years of monthly lines on both books and one gain-share mechanism."""

from __future__ import annotations

import pytest

from partnering.arrangements.models import Arrangement
from partnering.finance import selectors
from partnering.finance.demo import CUSTOMER_LINES, MONTHS, PROVIDER_LINES, demo_finance
from partnering.finance.models import CostLine, IncentiveMechanism


@pytest.mark.django_db
def test_demo_books_are_added_once_with_computed_shares():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    demo_finance(arrangement)
    count = CostLine.objects.count()

    demo_finance(Arrangement.objects.get(pk=arrangement.pk))

    assert count == MONTHS * (len(CUSTOMER_LINES) + len(PROVIDER_LINES)) == CostLine.objects.count()
    assert CostLine.objects.filter(side="customer").values("period").distinct().count() == MONTHS
    assert CostLine.objects.filter(side="provider").values("period").distinct().count() == MONTHS
    (mechanism,) = IncentiveMechanism.objects.all()
    rows = selectors.mechanism_periods(mechanism=mechanism)
    assert len(rows) == MONTHS
    assert all(r.shares.customer + r.shares.provider == r.shares.total for r in rows)
    assert {r.shares.kind for r in rows} >= {"gain"}
