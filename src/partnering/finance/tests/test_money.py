"""Money is Decimal to the penny; computed figures round once, half up (see money.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnering.finance.money import format_money, parse_amount, percent_of, ratio_percent, to_pennies

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("0.005"), D("0.01")), (D("0.0049"), D("0.00")), (D("-0.005"), D("-0.01")), (D("2.675"), D("2.68"))],
)
def test_computed_amounts_round_half_up_to_the_penny(value, expected):
    assert to_pennies(value) == expected


def test_a_percentage_is_rounded_once_at_the_end():
    # 8.5 % of 33.33 = 2.83305: rounded once, not after each step.
    assert percent_of(D("33.33"), D("8.5")) == D("2.83")


def test_a_ratio_of_nothing_is_none():
    assert ratio_percent(D(1), D(0)) is None
    assert ratio_percent(D(1), D(3)) == D("33.33")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1,250.50", D("1250.50")), ("£12", D("12.00")), (0.1, D("0.10")), (1250, D("1250.00")), (" -3.2 ", D("-3.20"))],
)
def test_amounts_are_read_exactly_even_from_spreadsheet_floats(value, expected):
    amount = parse_amount(value)

    assert amount == expected and isinstance(amount, Decimal)


@pytest.mark.parametrize("value", ["1.005", "abc", "", "NaN", True])
def test_amounts_with_more_than_pennies_or_no_number_are_refused(value):
    with pytest.raises(ValueError):
        parse_amount(value)


def test_money_is_shown_with_the_currency_and_a_real_minus_sign():
    assert format_money(D("-1234.5")) == "−£1,234.50"
    assert format_money(D("10"), "EUR") == "€10.00"
    assert format_money(None) == "–"
