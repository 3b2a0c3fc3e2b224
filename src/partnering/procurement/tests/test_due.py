"""Scope and the 12-month rule (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnering.core.choices import Stage
from partnering.procurement import due
from partnering.procurement.models import ContractFacts
from partnering.procurement.selectors import duty_from

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("act", "value", "exempt", "expected"),
    [
        (True, Decimal("5000000.00"), False, True),
        (True, Decimal("4999999.99"), False, False),
        (True, Decimal("12000000"), True, False),
        (False, Decimal("12000000"), False, False),
        (True, None, False, False),
    ],
)
def test_the_duty_applies_from_5_million_under_the_act_without_exemption(act, value, exempt, expected):
    assert due.in_scope(act_applies=act, value=value, exempt=exempt) is expected


def test_the_first_notice_is_due_12_months_after_the_contract_starts():
    found = due.next_due(
        contract_start=date(2025, 4, 1), last_published=None, terminated_on=None, termination_notice_published=False
    )

    assert found == due.Due(date(2026, 4, 1), "annual", date(2025, 4, 1))


def test_the_next_notice_is_due_12_months_after_the_last_one():
    found = due.next_due(
        contract_start=date(2025, 4, 1),
        last_published=date(2025, 12, 15),
        terminated_on=None,
        termination_notice_published=False,
    )

    assert found.on == date(2026, 12, 15)
    assert not found.overdue(date(2026, 12, 15)) and found.overdue(date(2026, 12, 16))


def test_twelve_months_from_29_february_is_28_february():
    assert due.add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


def test_a_notice_is_due_on_termination():
    found = due.next_due(
        contract_start=date(2025, 4, 1),
        last_published=date(2026, 5, 1),
        terminated_on=date(2026, 10, 31),
        termination_notice_published=False,
    )

    assert found == due.Due(date(2026, 10, 31), "termination", date(2026, 10, 31))


def test_an_annual_notice_missed_before_termination_is_still_due_first():
    found = due.next_due(
        contract_start=date(2024, 4, 1),
        last_published=None,
        terminated_on=date(2026, 10, 31),
        termination_notice_published=False,
    )

    assert found.reason == "annual" and found.on == date(2025, 4, 1)


def test_nothing_is_due_once_the_termination_notice_is_published():
    assert (
        due.next_due(
            contract_start=date(2025, 4, 1),
            last_published=date(2026, 11, 1),
            terminated_on=date(2026, 10, 31),
            termination_notice_published=True,
        )
        is None
    )


def _duty(published: int, *, exemption: str = "none", stage: str = Stage.IN_SERVICE, last: date | None = None):
    facts = ContractFacts(estimated_value=Decimal("12000000"), regime="pa2023", exemption=exemption)
    return duty_from(
        facts=facts,
        stage=stage,
        contract_start=date(2025, 4, 1),
        published=published,
        last_published=last,
        termination_published=False,
        today=TODAY,
    )


def test_fewer_than_three_published_kpis_is_a_warning():
    assert any("at least 3 published KPIs" in w for w in _duty(2, last=date(2026, 6, 1)).warnings)
    assert _duty(3, last=date(2026, 6, 1)).warnings == []


def test_an_exempt_contract_has_no_duty_and_no_warning():
    duty = _duty(0, exemption="framework")

    assert not duty.in_scope and duty.due is None and duty.warnings == []


def test_before_award_nothing_is_due_yet_but_the_kpis_are_asked_for():
    duty = _duty(1, stage=Stage.PROCUREMENT_STRATEGY)

    assert duty.due is None
    assert duty.warnings == [
        "The Procurement Act 2023 (s.52) asks for at least 3 published KPIs before the contract is entered into; "
        "1 is marked."
    ]


def test_an_overdue_notice_is_a_warning():
    duty = _duty(3, last=None)  # due 1 April 2026

    assert duty.due.overdue(TODAY)
    assert duty.warnings == ["A contract performance notice was due by 1 April 2026 (s.71) and is not published."]
