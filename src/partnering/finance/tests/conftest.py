from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnering.arrangements.models import OpennessProfile
from partnering.finance import services


def set_openness(world, **settings):
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(**settings)
    world.arrangement.openness.refresh_from_db()


def make_line(access, **overrides):
    values = {
        "period": date(2026, 4, 1),
        "category": "staff",
        "description": "Delivery team",
        "planned": Decimal("1000.00"),
        "actual": Decimal("900.00"),
    } | overrides
    return services.cost_line_create(access=access, **values)


@pytest.fixture
def books(world):
    """One line in each book: the customer's by alice, the provider's (8 % margin) by bob."""
    customer = make_line(world.access(world.alice), description="Assurance team")
    provider = make_line(world.access(world.bob), margin_pct=Decimal("8.00"))
    return customer, provider


TERMS = {
    "name": "Hosting gain share",
    "basis": "cost",
    "baseline": Decimal("10000.00"),
    "customer_gain_pct": Decimal(50),
    "provider_gain_pct": Decimal(50),
    "customer_pain_pct": Decimal(50),
    "provider_pain_pct": Decimal(50),
    "cap": Decimal("400.00"),
}


@pytest.fixture
def mechanism(world):
    proposal = services.incentive_propose(access=world.access(world.alice), terms=TERMS)
    return services.incentive_agree(access=world.access(world.bob), proposal=proposal).mechanism
