"""Risks for tests and benchmarks, built through the services or in bulk."""

from __future__ import annotations

from typing import Any

from partnering.core.choices import Visibility
from partnering.risks import scoring
from partnering.risks.models import Risk


def make_risk(access: Any, **overrides: Any) -> Risk:
    from partnering.risks import services

    values = {
        "title": "Data migration slips",
        "owning_side": "joint",
        "likelihood": 3,
        "impact": 4,
        "category": "implementation",
    } | overrides
    return services.risk_create(access=access, **values)


def bulk_risks(
    arrangement: Any, count: int, *, owner: Any = None, start: int = 1, visibility: str = Visibility.SHARED
) -> list[Risk]:
    """Many risks at once (no history), for query-count tests and benchmarks."""
    risks = []
    for n in range(start, start + count):
        likelihood, impact = n % 5 + 1, (n // 5) % 5 + 1
        value = scoring.score(likelihood, impact)
        risks.append(
            Risk(
                arrangement=arrangement,
                reference=f"R-{n:03d}",
                number=n,
                title=f"Risk number {n}",
                category=["implementation", "service_delivery", "commercial", "relationship", "other"][n % 5],
                owning_side=["customer", "provider", "joint"][n % 3],
                owner=owner,
                likelihood=likelihood,
                impact=impact,
                score=value,
                rating=scoring.rating_for(value),
                visibility=visibility,
            )
        )
    return Risk.objects.bulk_create(risks, batch_size=1000)
