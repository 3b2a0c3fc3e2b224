"""KPIs for tests and benchmarks, built through the services or in bulk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from partnering.kpis.models import Kpi, Measurement


def make_kpi(access: Any, **overrides: Any) -> Kpi:
    from partnering.kpis import services

    values = {"name": "Calls answered within 60 seconds", "unit": "%", "direction": "higher"} | overrides
    return services.kpi_create(access=access, **values)


def agreed(kpi: Kpi, *, proposer: Any, agreer: Any, baseline: Any = None, target: Any = None) -> None:
    """Agree a baseline and/or target: `proposer` proposes, `agreer` (the other side) agrees."""
    from partnering.kpis import services

    for what, value in (("baseline", baseline), ("target", target)):
        if value is not None:
            p = services.proposal_make(access=proposer, kpi=kpi, what=what, value=Decimal(str(value)))
            services.proposal_agree(access=agreer, proposal=p)


def bulk_measurements(kpi: Kpi, count: int, *, start_year: int = 2020, side: str = "provider") -> list[Measurement]:
    """Many monthly measurements at once (no history), for query-count tests."""
    rows = [
        Measurement(
            kpi=kpi, period=date(start_year + n // 12, n % 12 + 1, 1), value=Decimal(50 + n % 40), entered_side=side
        )
        for n in range(count)
    ]
    return Measurement.objects.bulk_create(rows)


def bulk_kpis(arrangement: Any, count: int, *, start: int = 1) -> list[Kpi]:
    return Kpi.objects.bulk_create(
        [Kpi(arrangement=arrangement, name=f"KPI number {n}", unit="%") for n in range(start, start + count)]
    )
