"""360° staff reporting: anonymous pulse surveys of both organisations' staff.

One of the guide's openness options ("360° staff reporting – on both
sides?"). Nothing stored with a response identifies its author: no user, no
address, no time finer than the day, a random id. Results are withheld for
any group of fewer than `MIN_GROUP` responses, so a small team's answers
cannot be traced back to people.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnering.assessments.models import PulseResponse, PulseSurvey, QuestionBank
from partnering.core.choices import Side
from partnering.core.policy import Access, Perm

MIN_GROUP = 5


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
    access.require(Perm.MANAGE_ASSESSMENTS)
    survey.is_open = False
    survey.save()
    return survey


def pulse_open_by_token(token: str) -> PulseSurvey:
    return get_object_or_404(PulseSurvey.objects.select_related("bank", "arrangement"), token=token, is_open=True)


@transaction.atomic
def pulse_respond(*, survey: PulseSurvey, side: str, team: str, answers: dict[str, str]) -> None:
    """Store one anonymous response. Deliberately takes no user and no request."""
    if not survey.is_open:
        raise ValidationError("This survey is closed.")
    spec = survey.bank.bank
    if side not in (Side.CUSTOMER, Side.PROVIDER):
        raise ValidationError({"side": "Choose your organisation."})
    if team and team not in survey.teams:
        raise ValidationError({"team": "Choose a team from the list."})
    clean = {}
    for q in spec.questions:
        value = answers.get(q.id, "")
        if value not in spec.scale.values:
            raise ValidationError({f"q_{q.id}": "Choose an answer."})
        clean[q.id] = value
    PulseResponse.objects.create(survey=survey, side=side, team=team, answers=clean, submitted_on=timezone.localdate())


@dataclass
class PulseGroup:
    label: str
    count: int
    withheld: bool
    distribution: dict[str, dict[str, int]]  # question id -> value -> count


def _group(label: str, rows: list[dict[str, str]], question_ids: list[str]) -> PulseGroup:
    if len(rows) < MIN_GROUP:
        return PulseGroup(label, len(rows), True, {})
    distribution = {qid: dict(Counter(r.get(qid, "") for r in rows)) for qid in question_ids}
    return PulseGroup(label, len(rows), False, distribution)


def _withhold_complement(groups: list[PulseGroup], total: int) -> None:
    """Withhold more groups until what the shown ones leave over is none or at least `MIN_GROUP`.

    Otherwise "everyone" minus the shown groups gives away the answers of the
    small group that was withheld (or of the few who chose no team).
    """
    shown = sorted((g for g in groups if not g.withheld), key=lambda g: g.count)
    left_over = total - sum(g.count for g in shown)
    while 0 < left_over < MIN_GROUP and shown:
        group = shown.pop(0)
        group.withheld, group.distribution = True, {}
        left_over += group.count


def pulse_results(*, access: Access, survey: PulseSurvey) -> dict[str, Any]:
    """Overall, by side and by team; any group under five responses is withheld,
    and so is any group whose answers could be worked out from the others."""
    if survey.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    spec = survey.bank.bank
    qids = list(spec.question_ids)
    responses = list(PulseResponse.objects.filter(survey=survey).values("side", "team", "answers"))
    overall = _group("Everyone", [r["answers"] for r in responses], qids)
    by_side = [
        _group(label, [r["answers"] for r in responses if r["side"] == side], qids)
        for side, label in ((Side.CUSTOMER, "Customer staff"), (Side.PROVIDER, "Provider staff"))
    ]
    by_team = [_group(team, [r["answers"] for r in responses if r["team"] == team], qids) for team in survey.teams]
    if not overall.withheld:
        _withhold_complement(by_side, len(responses))
        _withhold_complement(by_team, len(responses))
    return {"bank": spec, "overall": overall, "by_side": by_side, "by_team": by_team, "total": len(responses)}
