"""Scope and due dates of the Act's duties, as pure functions (no database).

Procurement Act 2023 (our reading; the Act and regulations govern, not this code):

- s.52: before entering into a public contract with an estimated value of £5 million or more (the
  Act words it "more than £5 million"; we treat exactly £5m as in scope, the cautious side: an extra
  warning rather than a missed duty), the contracting authority sets and publishes at least three
  KPIs, unless an exemption applies (s.52(2), for example a framework, a concession, a light touch
  contract, or performance that KPIs cannot appropriately assess).
- s.71: at least once in every 12 months while the contract runs, and on termination, the authority
  assesses performance against those KPIs and publishes a contract performance notice. We count the
  12 months from the last notice's publication, or from the contract's start when there has been none.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

#: s.52(1): the value from which the KPI duty applies (see the module docstring on "more than").
THRESHOLD = Decimal("5000000")
#: s.52(1): at least this many KPIs.
MINIMUM_KPIS = 3
#: s.71: at least once in every this many months.
MONTHS_BETWEEN_NOTICES = 12
#: Reminders of a notice coming due start this many days before it (the digest's own window is shorter).
DUE_SOON_DAYS = 30


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (29 February → 28th)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_scope(*, act_applies: bool, value: Decimal | None, exempt: bool) -> bool:
    """Whether the KPI and performance notice duties apply to the contract."""
    return act_applies and value is not None and value >= THRESHOLD and not exempt


@dataclass(frozen=True)
class Due:
    """The next contract performance notice due, and why."""

    on: date
    reason: str  # "annual" or "termination"
    after: date  # what the 12 months run from (or the termination date)

    def overdue(self, today: date) -> bool:
        return today > self.on

    def days_left(self, today: date) -> int:
        return (self.on - today).days


def next_due(
    *,
    contract_start: date | None,
    last_published: date | None,
    terminated_on: date | None,
    termination_notice_published: bool,
) -> Due | None:
    """The next notice due, or None when nothing is due (no start date, or the last one is done).

    On termination a notice is due at the termination date (s.71, "on termination"); once it is
    published nothing more is due. Otherwise: 12 months after the last published notice, or after
    the contract's start when none has been published.
    """
    if terminated_on is not None:
        if termination_notice_published:
            return None
        # An annual notice that fell due before the termination is still due first.
        annual = _annual(contract_start, last_published)
        if annual is not None and annual.on < terminated_on:
            return annual
        return Due(terminated_on, "termination", terminated_on)
    return _annual(contract_start, last_published)


def _annual(contract_start: date | None, last_published: date | None) -> Due | None:
    after = last_published or contract_start
    if after is None:
        return None
    return Due(add_months(after, MONTHS_BETWEEN_NOTICES), "annual", after)
