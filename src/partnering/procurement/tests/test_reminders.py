"""Notices coming due reach the daily digest once per event."""

from __future__ import annotations

from datetime import date

from django.core import mail

from partnering.archive.reminders import digests, send_reminders
from partnering.procurement import services


def _keys(today):
    return {
        user.email: [i.key for i in items if i.kind == "Contract performance notice"]
        for user, items in digests(today=today).items()
    }


def test_a_notice_due_within_30_days_reminds_the_customer_managers(world, in_scope):
    found = _keys(date(2026, 3, 10))  # due 1 April 2026, 12 months after the start

    expected = f"procurement-notice:{world.arrangement.uuid}:annual:2026-04-01:due"
    assert found.get("alice@northshire.example") == [expected]
    assert found.get("carol@northshire.example") == [expected]
    assert "bob@brightwave.example" not in found and "dave@northshire.example" not in found


def test_nothing_is_reminded_long_before_the_due_date(world, in_scope):
    assert all(not keys for keys in _keys(date(2026, 1, 10)).values())


def test_each_event_is_sent_once_and_overdue_is_a_new_event(world, in_scope):
    send_reminders(today=date(2026, 3, 10))
    sent_first = len(mail.outbox)
    send_reminders(today=date(2026, 3, 11))
    sent_again = len(mail.outbox) - sent_first
    send_reminders(today=date(2026, 4, 2))

    assert sent_first == 2 and sent_again == 0
    assert len(mail.outbox) == 4
    assert "Publish the contract performance notice" in mail.outbox[-1].body


def test_an_exempt_contract_is_never_reminded(world, in_scope):
    services.contract_facts_save(
        access=world.access(world.alice),
        expected_version=in_scope.version,
        values={"exemption": "not_appropriate", "exemption_reason": "Bespoke research: outcomes cannot be KPIs."},
    )

    assert all(not keys for keys in _keys(date(2026, 3, 10)).values())
