"""Money: Decimal only, never float, in the arrangement's currency.

Rounding rules (tested in tests/test_money.py):

1. Amounts are stored to the penny (two decimal places, `Decimal(14, 2)`).
   Input with more places is refused, not rounded: a cost line says what was
   spent, and nobody should find a different figure in the books than the one
   they typed.
2. Every computed figure (a margin, a share, a cost per unit, a variance in
   percent) is worked out at full precision and rounded once, at the end, to
   the penny (or to 0.01 of a percent) with ROUND_HALF_UP, the rounding a
   reader does by hand: 0.005 becomes 0.01, -0.005 becomes -0.01.
3. Sums of stored amounts are exact and need no rounding.
4. Where an amount is split between the parties, one party's share is
   rounded and the other party gets the rest, so that the shares always add
   up to the total exactly (see `gainshare`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

#: Currencies the books may be kept in (ISO 4217), with their symbols.
CURRENCIES: dict[str, str] = {"GBP": "£", "EUR": "€", "USD": "$"}
DEFAULT_CURRENCY = "GBP"


def to_pennies(value: Decimal) -> Decimal:
    """Round a computed amount to the penny, half away from zero (rule 2)."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded once to the penny."""
    return to_pennies(amount * percent / HUNDRED)


def ratio_percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole` to 0.01, or None when `whole` is zero."""
    if not whole:
        return None
    return to_pennies(part * HUNDRED / whole)


def parse_amount(value: Any, *, places: int = 2) -> Decimal:
    """An amount from text or a number, refusing floats' binary noise and extra places.

    Raises ValueError with a message for people.
    """
    if isinstance(value, bool):
        raise ValueError("Enter an amount, for example 1250.00.")
    if isinstance(value, float):
        # Spreadsheets hand numbers over as floats: repr() gives the shortest
        # decimal that reads back as the same float, i.e. what the cell shows.
        value = repr(value)
    text = str(value).strip().replace(",", "")
    for symbol in CURRENCIES.values():
        text = text.replace(symbol, "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"‘{value}’ is not an amount: use digits, for example 1250.00.") from None
    if not amount.is_finite():
        raise ValueError("Enter an amount, for example 1250.00.")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValueError(f"Use at most {places} decimal places (this is {text}).")
    return amount.quantize(Decimal(1).scaleb(-places))


def format_money(amount: Decimal | None, currency: str = DEFAULT_CURRENCY) -> str:
    """£1,234.50 and −£20.00 (a real minus sign), as people read money."""
    if amount is None:
        return "–"
    symbol = CURRENCIES.get(currency, f"{currency} ")
    sign = "−" if amount < 0 else ""
    return f"{sign}{symbol}{abs(to_pennies(amount)):,.2f}"
