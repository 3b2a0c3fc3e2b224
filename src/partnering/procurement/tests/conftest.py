from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnering.kpis import services as kpi_services
from partnering.procurement import services

PERIOD = (date(2025, 4, 1), date(2026, 3, 31))


def agreed_kpi(world, name: str, *, baseline: int, target: int, values: list[int], direction: str = "higher"):
    """A KPI whose baseline and target both sides agreed, with monthly values from April 2025."""
    alice, bob = world.access(world.alice), world.access(world.bob)
    kpi = kpi_services.kpi_create(access=alice, name=name, unit="%", direction=direction)
    for what, value in (("baseline", baseline), ("target", target)):
        proposal = kpi_services.proposal_make(access=alice, kpi=kpi, what=what, value=Decimal(value))
        kpi_services.proposal_agree(access=bob, proposal=proposal)
    for n, value in enumerate(values):
        period = date(2025 + (3 + n) // 12, (3 + n) % 12 + 1, 1)
        kpi_services.measurement_record(access=bob, kpi=kpi, period=period, value=Decimal(value))
    return kpi


@pytest.fixture
def in_scope(world):
    """The world's arrangement under the Act, worth £12m, no exemption, started 1 April 2025."""
    arrangement = world.arrangement
    arrangement.contract_start = date(2025, 4, 1)
    arrangement.save(update_fields=["contract_start"])
    return services.contract_facts_save(
        access=world.access(world.alice),
        expected_version=0,
        values={
            "estimated_value": Decimal("12000000.00"),
            "regime": "pa2023",
            "exemption": "none",
            "ocid": "ocds-h6vhtk-0a1b2c",
            "notice_identifier": "027431-2025",
            "buyer_scheme": "GB-PPON",
            "buyer_identifier": "PDQW-1234-ABCD",
            "supplier_scheme": "GB-COH",
            "supplier_identifier": "09876543",
        },
    )


@pytest.fixture
def three_kpis(world, in_scope):
    """Three published KPIs: one meeting its target, one between, one below its baseline."""
    kpis = [
        agreed_kpi(world, "Calls answered in 60 seconds", baseline=78, target=90, values=[85, 88, 91, 92]),
        agreed_kpi(world, "First-time fix", baseline=68, target=80, values=[70, 72, 75, 74]),
        agreed_kpi(world, "Forms completed unaided", baseline=55, target=75, values=[50, 52, 56, 54]),
    ]
    for kpi in kpis:
        services.kpi_publish(access=world.access(world.alice), kpi=kpi)
    return kpis


@pytest.fixture
def draft(world, three_kpis):
    return services.assessment_start(access=world.access(world.alice), period_start=PERIOD[0], period_end=PERIOD[1])


def rate_all(world, assessment, value: str = "good") -> None:
    for rating in assessment.ratings.all():
        services.rating_set(access=world.access(world.alice), rating=rating, value=value, reason="Met every month.")


@pytest.fixture
def shared(world, draft):
    rate_all(world, draft)
    return services.assessment_share(access=world.access(world.alice), assessment=draft)


@pytest.fixture
def approved(world, shared):
    return services.assessment_approve(access=world.access(world.alice), assessment=shared)
