"""360° staff reporting: anonymous pulse surveys of both organisations' staff.

One of the guide's openness options ("360° staff reporting – on both
sides?"). The guide asks for it; how we keep it anonymous is ours:

- Each side's managers invite their own side's staff by e-mail, each person
  in a team. Every invited person gets one single-use link; only the hash of
  its token is stored, with the person's side and team and whether it was
  used, never who it was sent to (a keyed digest of the address, kept apart,
  stops the same address being invited twice).
- A response takes its side and team from its link, marks the link used in
  the same transaction, and stores nothing that joins it to the link or the
  person: no user, no address, no time at all, a random id.
- Results only once the survey is closed. A group (side and team) counts the
  links used in it; a group of fewer than `MIN_GROUP` is withheld. Every figure
  shown is a sum of groups shown, so no figure minus another gives away a
  withheld group: the sides' and everyone's figures leave withheld groups out.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse

from partnering.assessments.models import PulseInvitation, PulseInvitee, PulseResponse, PulseSurvey, QuestionBank
from partnering.core.choices import Side
from partnering.core.policy import Access, Perm

MIN_GROUP = 5
#: Most addresses one invitation form sends to.
MAX_INVITES = 500
SIDE_LABELS = {Side.CUSTOMER: "Customer staff", Side.PROVIDER: "Provider staff"}


class LinkUsed(Exception):
    """The link was used already: each link takes one response."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _invitee_digest(survey: PulseSurvey, side: str, email: str) -> str:
    message = f"pulse:{survey.uuid}:{side}:{email.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _check_survey(access: Access, survey: PulseSurvey) -> None:
    if survey.arrangement_id != access.arrangement.pk:
        raise PermissionDenied


@transaction.atomic
def pulse_create(*, access: Access, bank: QuestionBank, title: str, teams: list[str]) -> PulseSurvey:
    access.require(Perm.MANAGE_ASSESSMENTS)
    if not access.openness.staff_360_reporting:
        raise ValidationError(
            "This arrangement has not agreed 360° staff reporting. The SRO and SRIE can change that on the openness page."
        )
    survey = PulseSurvey(
        arrangement=access.arrangement, bank=bank, title=title.strip(), teams=teams, created_by=access.user
    )
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def pulse_close(*, access: Access, survey: PulseSurvey) -> PulseSurvey:
    """Close the survey for good: its links stop working and its results can be shown."""
    access.require(Perm.MANAGE_ASSESSMENTS)
    _check_survey(access, survey)
    locked = PulseSurvey.objects.select_for_update().get(pk=survey.pk)
    if locked.is_open:
        locked.is_open = False
        locked.save()
    survey.is_open = False
    return locked


@dataclass
class Invited:
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def _clean_addresses(emails: Iterable[str]) -> list[str]:
    clean: list[str] = []
    bad: list[str] = []
    for raw in emails:
        email = raw.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            bad.append(raw.strip())
            continue
        if email not in clean:
            clean.append(email)
    if bad:
        raise ValidationError({"emails": f"Not an e-mail address: {', '.join(bad[:10])}. Nothing was sent."})
    if not clean:
        raise ValidationError({"emails": "Enter at least one e-mail address."})
    if len(clean) > MAX_INVITES:
        raise ValidationError({"emails": f"Invite at most {MAX_INVITES} people at a time."})
    return clean


@transaction.atomic
def pulse_invite(
    *, access: Access, survey: PulseSurvey, emails: Iterable[str], team: str = "", base_url: str | None = None
) -> Invited:
    """Send each address its own single-use link, in the inviter's side and the team chosen.

    Each side invites its own staff: the group a response counts in is the invitation's,
    so nobody can answer "as" a team they were not invited in. An address already invited
    by this side is skipped (one link per person). What is stored cannot say who got which
    link: the digests of the addresses and the invitations are written in separate shuffled
    batches, neither pointing at the other.
    """
    access.require(Perm.MANAGE_ASSESSMENTS)
    _check_survey(access, survey)
    if access.side not in (Side.CUSTOMER, Side.PROVIDER):
        raise PermissionDenied("Each side invites its own staff: the facilitator cannot send invitations.")
    survey = PulseSurvey.objects.select_for_update().select_related("arrangement").get(pk=survey.pk)
    if not survey.is_open:
        raise ValidationError("This survey is closed.")
    if team and team not in survey.teams:
        raise ValidationError({"team": "Choose a team from the survey's list."})
    addresses = _clean_addresses(emails)
    digests = {email: _invitee_digest(survey, access.side, email) for email in addresses}
    known = set(
        PulseInvitee.objects.filter(survey=survey, digest__in=digests.values()).values_list("digest", flat=True)
    )
    result = Invited()
    links: list[tuple[str, str]] = []
    invitations: list[PulseInvitation] = []
    invitees: list[PulseInvitee] = []
    for email in addresses:
        if digests[email] in known:
            result.already.append(email)
            continue
        token = secrets.token_urlsafe(32)
        invitations.append(PulseInvitation(survey=survey, token_hash=hash_token(token), side=access.side, team=team))
        invitees.append(PulseInvitee(survey=survey, digest=digests[email]))
        links.append((email, token))
        result.sent.append(email)
    random.SystemRandom().shuffle(invitations)
    random.SystemRandom().shuffle(invitees)
    PulseInvitation.objects.bulk_create(invitations)
    PulseInvitee.objects.bulk_create(invitees)
    root = (base_url or settings.SITE_URL).rstrip("/")
    subject = f"Your link to the anonymous survey ‘{survey.title}’"
    for email, token in links:
        body = render_to_string(
            "assessments/email/pulse_invitation.txt",
            {
                "survey": survey,
                "arrangement": survey.arrangement,
                "team": team,
                "link": root + reverse("assessments:pulse_public", kwargs={"token": token}),
                "min_group": MIN_GROUP,
            },
        )
        transaction.on_commit(lambda body=body, email=email: send_mail(subject, body, None, [email]))
    return result


def invitations_sent(*, access: Access, survey: PulseSurvey) -> int:
    """How many links the member's own side has sent (never how many were used)."""
    return PulseInvitation.objects.filter(survey=survey, side=access.side).count()


def pulse_invitation_by_token(token: str) -> PulseInvitation:
    """The open survey's invitation behind a link: 404 for an unknown, forged or closed one;
    `LinkUsed` for a link that has taken its response."""
    invitation = (
        PulseInvitation.objects.select_related("survey", "survey__bank", "survey__arrangement")
        .filter(token_hash=hash_token(token), survey__is_open=True)
        .first()
    )
    if invitation is None:
        raise Http404("No such survey.")
    if invitation.used:
        raise LinkUsed
    return invitation


@transaction.atomic
def pulse_respond(*, token: str, answers: dict[str, str]) -> None:
    """Store one anonymous response through a link, and use the link up, in one transaction.

    Deliberately takes no user and no request. The response copies the link's side and team
    and nothing else of it.
    """
    invitation = pulse_invitation_by_token(token)
    survey = PulseSurvey.objects.select_for_update().select_related("bank").get(pk=invitation.survey_id)
    if not survey.is_open:
        raise ValidationError("This survey is closed.")
    spec = survey.bank.bank
    clean = {}
    for q in spec.questions:
        value = answers.get(q.id, "")
        if value not in spec.scale.values:
            raise ValidationError({f"q_{q.id}": "Choose an answer."})
        clean[q.id] = value
    # Only the first of two requests with the same link gets here with a row to update.
    if not PulseInvitation.objects.filter(pk=invitation.pk, used=False).update(used=True):
        raise LinkUsed
    PulseResponse.objects.create(survey=survey, side=invitation.side, team=invitation.team, answers=clean)


# -- results ------------------------------------------------------------------------------


@dataclass
class PulseGroup:
    label: str
    count: int  # links used: people who answered (0 when withheld: never shown)
    withheld: bool
    distribution: dict[str, dict[str, int]]  # question id -> value -> count


def _group_label(side: str, team: str) -> str:
    return f"{SIDE_LABELS[side]}: {team}" if team else f"{SIDE_LABELS[side]}: no team given"


def _distribution(rows: list[dict[str, str]], question_ids: list[str]) -> dict[str, dict[str, int]]:
    return {qid: dict(Counter(r.get(qid, "") for r in rows)) for qid in question_ids}


def _sum(label: str, groups: list[tuple[PulseGroup, list[dict[str, str]]]], qids: list[str]) -> PulseGroup:
    """A figure made of groups shown only: withheld groups are in no sum."""
    rows = [r for g, group_rows in groups if not g.withheld for r in group_rows]
    if not rows:
        return PulseGroup(label, 0, True, {})
    return PulseGroup(label, len(rows), False, _distribution(rows, qids))


def pulse_results(*, access: Access, survey: PulseSurvey) -> dict[str, Any]:
    """Per group (side and team), after the survey closed; groups under five withheld.

    A group counts its links used. Its answers are shown only if at least `MIN_GROUP` people
    answered and its responses are exactly those links' (a survey answered through the old
    shared link, which could not tell people apart, shows nothing). The sides' and everyone's
    figures add up the groups shown only, so subtracting one figure from another never gives
    a withheld group's answers, nor how many in it answered.
    """
    _check_survey(access, survey)
    if survey.is_open:
        raise ValidationError("Results are shown once the survey is closed, never while people are answering.")
    spec = survey.bank.bank
    qids = list(spec.question_ids)
    used = {
        (row["side"], row["team"]): row["n"]
        for row in PulseInvitation.objects.filter(survey=survey, used=True)
        .values("side", "team")
        .annotate(n=Count("id"))
        .order_by()
    }
    invited = set(
        PulseInvitation.objects.filter(survey=survey).values_list("side", "team").distinct().order_by()
    ) | set(used)
    responses: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in PulseResponse.objects.filter(survey=survey).values("side", "team", "answers"):
        responses.setdefault((row["side"], row["team"]), []).append(row["answers"])
    team_order = {team: n for n, team in enumerate(survey.teams)}
    cells = sorted(
        invited | set(responses),
        key=lambda c: (0 if c[0] == Side.CUSTOMER else 1, c[1] == "", team_order.get(c[1], len(team_order)), c[1]),
    )
    groups: list[tuple[str, PulseGroup, list[dict[str, str]]]] = []
    for side, team in cells:
        n = used.get((side, team), 0)
        rows = responses.get((side, team), [])
        if n < MIN_GROUP or len(rows) != n:
            group = PulseGroup(_group_label(side, team), 0, True, {})
        else:
            group = PulseGroup(_group_label(side, team), n, False, _distribution(rows, qids))
        groups.append((side, group, rows))
    by_side = [
        _sum(label, [(g, rows) for s, g, rows in groups if s == side], qids) for side, label in SIDE_LABELS.items()
    ]
    overall = _sum("Everyone in the groups shown", [(g, rows) for _s, g, rows in groups], qids)
    return {
        "bank": spec,
        "overall": overall,
        "by_side": by_side,
        "groups": [g for _s, g, _rows in groups],
        "withheld": sum(1 for _s, g, _rows in groups if g.withheld),
        "min_group": MIN_GROUP,
    }
