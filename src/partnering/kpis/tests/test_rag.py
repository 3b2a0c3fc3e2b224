"""The RAG rule: green meets the target, amber between baseline and target, red worse than the baseline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnering.kpis.rag import Rag, explained, status


@pytest.mark.parametrize(
    ("value", "expected"),
    [(95, Rag.GREEN), (90, Rag.GREEN), (85, Rag.AMBER), (80, Rag.AMBER), (79.9, Rag.RED)],
)
def test_higher_is_better(value, expected):
    assert status(value, baseline=Decimal(80), target=Decimal(90), direction="higher") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(10, Rag.GREEN), (14, Rag.GREEN), (18, Rag.AMBER), (22, Rag.AMBER), (23, Rag.RED)],
)
def test_lower_is_better_turns_the_rule_round(value, expected):
    assert status(value, baseline=Decimal(22), target=Decimal(14), direction="lower") == expected


@pytest.mark.parametrize(("value", "baseline", "target"), [(None, 1, 2), (1, None, 2), (1, 2, None)])
def test_without_a_measurement_baseline_and_target_there_is_no_status(value, baseline, target):
    assert status(value, baseline=baseline, target=target, direction="higher") == Rag.NONE


def test_the_rule_is_data_the_page_can_show():
    assert [code for code, _label, _meaning in explained()] == ["green", "red", "amber"]
