from __future__ import annotations

from decimal import Decimal

from django import template

from partnering.finance.money import DEFAULT_CURRENCY, format_money

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = DEFAULT_CURRENCY) -> str:
    return format_money(value, currency or DEFAULT_CURRENCY)


@register.filter
def pct(value: Decimal | None) -> str:
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    return f"{sign}{abs(value):.2f}%"
