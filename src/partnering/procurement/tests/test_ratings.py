"""The Act's five ratings and the suggestion rule (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnering.procurement.ratings import RULES, Rating, explained, suggest


def test_the_five_ratings_are_the_acts():
    assert [label for _value, label in Rating.choices] == [
        "Good",
        "Approaching target",
        "Requires improvement",
        "Inadequate",
        "Other",
    ]


def _suggest(values, *, baseline=60, target=80, direction="higher"):
    return suggest(
        [Decimal(v) for v in values],
        baseline=None if baseline is None else Decimal(baseline),
        target=None if target is None else Decimal(target),
        direction=direction,
    ).rating


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([82, 85, 90], Rating.GOOD),
        ([55, 85], Rating.APPROACHING),  # at target after a fall below the baseline
        ([70, 75], Rating.APPROACHING),
        ([70, 75, 58], Rating.REQUIRES_IMPROVEMENT),
        ([50, 55, 58], Rating.INADEQUATE),
        ([], Rating.OTHER),
    ],
)
def test_the_suggestion_follows_the_period_measured_against_baseline_and_target(values, expected):
    assert _suggest(values) == expected


def test_lower_is_better_turns_the_rule_round():
    assert _suggest([10, 12], baseline=22, target=14, direction="lower") == Rating.GOOD
    assert _suggest([25, 24], baseline=22, target=14, direction="lower") == Rating.INADEQUATE


def test_without_an_agreed_target_the_figures_suggest_other():
    assert _suggest([70], target=None) == Rating.OTHER


def test_the_rule_is_explained_in_the_order_it_is_checked():
    assert [label for label, _ in explained()] == [str(r.rating.label) for r in RULES]
