from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from partnering.archive.models import ReminderLog, ReminderPreference
from partnering.archive.reminders import digests, send_reminders


def test_it_sends_one_digest_per_person_in_text_and_html(populated):
    people, reminders = send_reminders()

    alice = [m for m in mail.outbox if m.to == ["alice@northshire.example"]]
    assert len(alice) == 1
    assert "Agree the exit plan" in alice[0].body
    assert "Overdue" in alice[0].body
    html, kind = alice[0].alternatives[0]
    assert kind == "text/html" and "Agree the exit plan" in html
    assert people == len(mail.outbox)
    bob = [m for m in mail.outbox if m.to == ["bob@brightwave.example"]]
    assert "Gate 0 again" in bob[0].body  # an assessment bob has not submitted, overdue


def test_it_never_sends_the_same_reminder_twice(populated):
    send_reminders()
    sent = len(mail.outbox)

    call_command("send_reminders")

    assert len(mail.outbox) == sent
    assert ReminderLog.objects.filter(event_key__startswith=f"action:{populated.action.uuid}:overdue:").count() == 1


def test_a_new_due_date_is_a_new_event(populated):
    send_reminders()
    mail.outbox.clear()
    action = populated.action
    action.due_date = timezone.localdate() + timedelta(days=3)
    action.save()

    send_reminders()

    assert [m.to for m in mail.outbox] == [["alice@northshire.example"]]
    assert "Due within a week" in mail.outbox[0].body


def test_people_who_opted_out_get_nothing(populated):
    ReminderPreference.objects.create(user=populated.world.alice, opted_out=True)

    send_reminders()

    assert all(m.to != ["alice@northshire.example"] for m in mail.outbox)
    assert populated.world.alice not in digests()


def test_done_actions_are_not_reminded(populated):
    populated.action.status = "done"
    populated.action.save()

    assert all(i.kind != "Action" for items in digests().values() for i in items)


def test_the_settings_page_switches_reminders_off_and_on(client, world):
    client.force_login(world.alice)

    assert client.get("/accounts/settings/reminders/").status_code == 200
    client.post("/accounts/settings/reminders/", {"reminders": "off"})
    assert ReminderPreference.objects.get(user=world.alice).opted_out
    client.post("/accounts/settings/reminders/", {"reminders": "on"})
    assert not ReminderPreference.objects.get(user=world.alice).opted_out


def test_the_settings_page_needs_sign_in(client):
    assert client.get("/accounts/settings/reminders/").status_code == 302
