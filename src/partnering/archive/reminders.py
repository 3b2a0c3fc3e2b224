"""The daily reminder digest: one e-mail per person, listing what is due or overdue.

Run daily by `partnering send_reminders` (from cron). Each item is an event
with a key, for example "action:<uuid>:overdue:<due date>"; a person is
reminded of an event once only (ReminderLog is unique per person and key), so
running the command twice, or every hour, sends nothing twice. Changing a due
date makes a new event. People who opted out get nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnering.archive.models import ReminderLog, ReminderPreference
from partnering.core.mail import subject_line

DUE_WITHIN_DAYS = 7


@dataclass(frozen=True)
class Item:
    key: str
    kind: str  # "Action", "Assessment", "Risk review", "Charter review"
    title: str
    arrangement: str
    due: date
    overdue: bool
    url: str


def _when(due: date, today: date) -> str:
    return "overdue" if due < today else "due"


def _active_member(user_ref: str, arrangement_ref: str = "arrangement") -> Exists:
    from partnering.arrangements.models import Membership

    return Exists(
        Membership.objects.filter(arrangement=OuterRef(arrangement_ref), user=OuterRef(user_ref), is_active=True)
    )


def _link(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _actions(today: date) -> list[tuple[Any, Item]]:
    from partnering.actions.models import OPEN_STATUSES, Action

    soon = today + timedelta(days=DUE_WITHIN_DAYS)
    rows = (
        Action.objects.filter(status__in=OPEN_STATUSES, owner__isnull=False, due_date__lte=soon)
        .filter(_active_member("owner"))
        .select_related("arrangement")
    )
    return [
        (
            a.owner_id,
            Item(
                f"action:{a.uuid}:{_when(a.due_date, today)}:{a.due_date.isoformat()}",
                "Action",
                a.title,
                a.arrangement.title,
                a.due_date,
                a.due_date < today,
                _link("actions:edit", slug=a.arrangement.slug, action_uuid=a.uuid),
            ),
        )
        for a in rows
    ]


def _assessments(today: date) -> list[tuple[Any, Item]]:
    from partnering.assessments.models import AssessmentStatus, Respondent

    soon = today + timedelta(days=DUE_WITHIN_DAYS)
    rows = (
        Respondent.objects.filter(
            user__isnull=False,
            submitted_at__isnull=True,
            assessment__status=AssessmentStatus.COLLECTING,
            assessment__due_date__lte=soon,
        )
        .filter(_active_member("user", "assessment__arrangement"))
        .select_related("assessment", "assessment__arrangement")
    )
    out = []
    for r in rows:
        a = r.assessment
        out.append(
            (
                r.user_id,
                Item(
                    f"assessment:{a.uuid}:{_when(a.due_date, today)}:{a.due_date.isoformat()}",
                    "Assessment",
                    a.title,
                    a.arrangement.title,
                    a.due_date,
                    a.due_date < today,
                    _link("assessments:answer", slug=a.arrangement.slug, assessment_uuid=a.uuid),
                ),
            )
        )
    return out


def _risk_reviews(today: date) -> list[tuple[Any, Item]]:
    from partnering.risks.models import Risk, RiskStatus

    soon = today + timedelta(days=DUE_WITHIN_DAYS)
    rows = (
        Risk.objects.filter(status=RiskStatus.OPEN, owner__isnull=False, next_review_date__lte=soon)
        .filter(_active_member("owner"))
        .select_related("arrangement")
    )
    return [
        (
            r.owner_id,
            Item(
                f"risk-review:{r.uuid}:{_when(r.next_review_date, today)}:{r.next_review_date.isoformat()}",
                "Risk review",
                str(r),
                r.arrangement.title,
                r.next_review_date,
                r.next_review_date < today,
                _link("risks:detail", slug=r.arrangement.slug, risk_uuid=r.uuid),
            ),
        )
        for r in rows
    ]


def _charter_reviews(today: date) -> list[tuple[Any, Item]]:
    from partnering.arrangements.models import RoleAssignment
    from partnering.charter.models import REVIEW_DUE_WITHIN_DAYS, Charter
    from partnering.core.choices import Role

    soon = today + timedelta(days=REVIEW_DUE_WITHIN_DAYS)
    charters = list(Charter.objects.filter(review_date__lte=soon).select_related("arrangement"))
    leaders = RoleAssignment.objects.filter(
        arrangement__in=[c.arrangement_id for c in charters],
        role__in=[Role.SRO, Role.SRIE],
        ended_at__isnull=True,
        membership__is_active=True,
    ).values_list("arrangement_id", "membership__user_id")
    by_arrangement: dict[int, list[int]] = defaultdict(list)
    for arrangement_id, user_id in leaders:
        by_arrangement[arrangement_id].append(user_id)
    out = []
    for c in charters:
        item = Item(
            f"charter-review:{c.uuid}:{_when(c.review_date, today)}:{c.review_date.isoformat()}",
            "Charter review",
            "Review the partnering charter",
            c.arrangement.title,
            c.review_date,
            c.review_date < today,
            _link("charter:detail", slug=c.arrangement.slug),
        )
        out += [(user_id, item) for user_id in by_arrangement[c.arrangement_id]]
    return out


def digests(*, today: date | None = None) -> dict[Any, list[Item]]:
    """Every person's not-yet-sent reminders, by user; opted-out and inactive people left out."""
    from partnering.accounts.models import User

    today = today or timezone.localdate()
    found: list[tuple[Any, Item]] = _actions(today) + _assessments(today)
    if apps.is_installed("partnering.risks"):
        found += _risk_reviews(today)
    if apps.is_installed("partnering.charter"):
        found += _charter_reviews(today)
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
