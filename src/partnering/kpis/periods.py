"""Measurement periods: every measurement is stored on the first day of its period."""

from __future__ import annotations

from datetime import date, timedelta


def period_start(frequency: str, day: date) -> date:
    """The first day of the period of `frequency` that contains `day`."""
    if frequency == "weekly":
        return day - timedelta(days=day.weekday())
    if frequency == "quarterly":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if frequency == "annually":
        return date(day.year, 1, 1)
    return day.replace(day=1)


def period_label(frequency: str, start: date) -> str:
    """How people name the period: "Mar 2027", "Q1 2027", "2027", "w/c 1 Mar 2027"."""
    if frequency == "weekly":
        return f"w/c {start.day} {start:%b %Y}"
    if frequency == "quarterly":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if frequency == "annually":
        return str(start.year)
    return f"{start:%b %Y}"


def previous_periods(frequency: str, until: date, count: int) -> list[date]:
    """The `count` periods up to and including the one containing `until`, oldest first."""
    starts = [period_start(frequency, until)]
    while len(starts) < count:
        starts.append(period_start(frequency, starts[-1] - timedelta(days=1)))
    return list(reversed(starts))
