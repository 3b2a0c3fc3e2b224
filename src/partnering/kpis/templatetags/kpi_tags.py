from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    """A measured value without trailing zeros: 98.5000 → 98.5, 100.0000 → 100."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{number.normalize():f}"
    return text


@register.filter
def with_unit(value: Any, unit: str) -> str:
    """A value and its unit, as people write it: "98.5%", "£120", "3 days"."""
    text = figure(value)
    if not text:
        return ""
    if unit in ("%", "pp"):
        return f"{text}{unit}"
    if unit in ("£", "$", "€"):
        return f"{unit}{text}"
    return f"{text} {unit}".strip()
