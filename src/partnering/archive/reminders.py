"""The daily reminder digest: one e-mail per person, listing what is due or overdue.

Run daily by `partnering send_reminders` (from cron). Each item is an event
with a key, for example "action:<uuid>:overdue:<due date>"; a person is
reminded of an event once only (ReminderLog is unique per person and key), so
running the command twice, or every hour, sends nothing twice. Changing a due
date makes a new event. People who opted out get nothing.

What is reminded of comes from the home page's own list (`tasks.selectors.waiting`, everyone's
at once, one query per kind): the dated tasks, due within a week or overdue. So an e-mail never
names something the home page does not show, nor anything private to the other side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnering.archive.models import ReminderLog, ReminderPreference
from partnering.core.mail import subject_line
from partnering.tasks.selectors import DUE_WITHIN_DAYS, waiting


@dataclass(frozen=True)
class Item:
    key: str
    kind: str  # "Action", "Assessment", "Risk review", "Charter review", "Contract performance notice"
    title: str
    arrangement: str
    due: date
    overdue: bool
    url: str


#: The tasks (see `tasks.selectors`) that have a date and are reminded of, with their name in the e-mail.
REMINDED = {
    "answer": "Assessment",
    "action": "Action",
    "risk_review": "Risk review",
    "charter_review": "Charter review",
}


def _link(name: str, **kwargs: Any) -> str:
    """An absolute link for a reminder of another app's (procurement's notices)."""
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _when(due: date, today: date) -> str:
    return "overdue" if due < today else "due"


def _found(today: date) -> list[tuple[Any, Item]]:
    """Everyone's dated tasks from the home page's own selector, due within a week or overdue
    (the charter's review from 30 days before, as the home page lists it)."""
    base = settings.SITE_URL.rstrip("/")
    soon = today + timedelta(days=DUE_WITHIN_DAYS)
    out = []
    for uid, task in waiting(today=today, kinds=REMINDED):
        if task.due is None or not task.key or (task.kind != "charter_review" and task.due > soon):
            continue
        item = Item(
            task.key, REMINDED[task.kind], task.title, task.arrangement_title, task.due, task.overdue, base + task.path
        )
        out.append((uid, item))
    return out


def digests(*, today: date | None = None) -> dict[Any, list[Item]]:
    """Every person's not-yet-sent reminders, by user; opted-out and inactive people left out."""
    from partnering.accounts.models import User

    today = today or timezone.localdate()
    found = _found(today)
    if apps.is_installed("partnering.procurement"):
        from partnering.procurement.reminders import items as procurement_notices

        found += procurement_notices(today)
    user_ids = {uid for uid, _ in found}
    opted_out = set(
        ReminderPreference.objects.filter(user_id__in=user_ids, opted_out=True).values_list("user_id", flat=True)
    )
    sent = set(ReminderLog.objects.filter(user_id__in=user_ids).values_list("user_id", "event_key"))
    users = User.objects.filter(pk__in=user_ids - opted_out, is_active=True).in_bulk()
    out: dict[Any, list[Item]] = {}
    for uid, item in found:
        if uid in users and (uid, item.key) not in sent:
            items = out.setdefault(users[uid], [])
            if all(i.key != item.key for i in items):
                items.append(item)
    for items in out.values():
        items.sort(key=lambda i: (not i.overdue, i.due, i.kind, i.title))
    return out


def send_digest(*, user: Any, items: list[Item], today: date) -> bool:
    """Send one person's digest and record its events; False if they were all sent already."""
    try:
        with transaction.atomic():
            already = set(
                ReminderLog.objects.filter(user=user, event_key__in=[i.key for i in items]).values_list(
                    "event_key", flat=True
                )
            )
            items = [i for i in items if i.key not in already]
            if not items:
                return False
            # The unique (user, event) constraint stops a concurrent run here: it rolls back unsent.
            ReminderLog.objects.bulk_create([ReminderLog(user=user, event_key=i.key) for i in items])
            context = {
                "user": user,
                "today": today,
                "overdue": [i for i in items if i.overdue],
                "due": [i for i in items if not i.overdue],
                "settings_url": _link_plain("archive:reminder_settings"),
            }
            count = len(items)
            message = EmailMultiAlternatives(
                subject=subject_line(
                    f"Partnering: {count} reminder{'s' if count != 1 else ''} for {today.day} {today:%B %Y}"
                ),
                body=render_to_string("archive/email/digest.txt", context),
                to=[user.email],
            )
            message.attach_alternative(render_to_string("archive/email/digest.html", context), "text/html")
            # Sent inside the transaction: if sending fails, nothing is recorded and it goes out next run.
            message.send()
    except IntegrityError:
        return False
    return True


def _link_plain(name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name)


def send_reminders(*, today: date | None = None) -> tuple[int, int]:
    """Send every due digest: (people e-mailed, reminders in them)."""
    today = today or timezone.localdate()
    people = reminders = 0
    for user, items in digests(today=today).items():
        if send_digest(user=user, items=items, today=today):
            people += 1
            reminders += len(items)
    return people, reminders
