"""Reads for self-assessments, with the blind rule.

Until every answering side has submitted, nothing of one side's answers,
individual or agreed, reaches the other side: not in pages, exports or the
API, because they all read through `visible_answers` and `results`. The
partnering facilitator sees both sides only when the arrangement's openness
allows it. Individual answers stay within their own side even after the
reveal: the reveal is of each side's agreed view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnering.actions.models import Action
from partnering.assessments.bank_loader import BankSpec, QuestionSpec
from partnering.assessments.models import Answer, Assessment, Perspective, QuestionBank, Respondent
from partnering.assessments.verdicts import Gap, Verdict, joint_verdict, perception_gaps, verdict_for
from partnering.core import pagecache
from partnering.core.choices import Side
from partnering.core.policy import Access, Perm

#: A bank's questions (its JSON and the YAML it came from) are large: lists that show only a
#: bank's title leave them in the database.
BANK_BODY = ("bank__spec", "bank__source_text")


def assessments_for(*, access: Access) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(arrangement=access.arrangement)
        .select_related("bank")
        .defer(*BANK_BODY)
        .annotate(
            respondent_count=Count("respondents", distinct=True),
            submitted_count=Count("respondents", filter=Q(respondents__submitted_at__isnull=False), distinct=True),
        )
        .order_by("-created_at")
    )


def assessment_get(*, access: Access, assessment_uuid: Any) -> Assessment:
    """An assessment of this arrangement, or 404."""
    return get_object_or_404(
        Assessment.objects.select_related("bank", "arrangement", "previous"),
        arrangement=access.arrangement,
        uuid=assessment_uuid,
    )


def list_page_depends_on(user: Any) -> str:
    """What the assessments page shows from outside this arrangement, for `core.pagecache`:
    the question banks (uploaded by either organisation), and the lessons offered from the
    reader's other arrangements and organisations (see `lessons_suggested`)."""
    from partnering.lessons.models import Lesson

    return pagecache.table_version(QuestionBank) + pagecache.table_version(Lesson) + pagecache.member_scope(user)


def banks_available(*, access: Access) -> QuerySet[QuestionBank]:
    """Current versions of the built-in banks and of the two organisations' own banks."""
    a = access.arrangement
    return (
        QuestionBank.objects.filter(is_current=True)
        .filter(Q(organisation__isnull=True) | Q(organisation_id__in=[a.customer_id, a.provider_id]))
        .order_by("organisation_id", "key")
    )


def bank_precedence(organisation_id: Any) -> Case:
    """Order banks sharing a key (keys are unique per organisation): the built-in one,
    then the reader's own organisation's, then any other."""
    return Case(
        When(organisation__isnull=True, then=Value(0)),
        When(organisation_id=organisation_id, then=Value(1)),
        default=Value(2),
    )


def bank_by_key(*, access: Access, key: str, version: int | None = None) -> QuestionBank | None:
    """A bank available to this arrangement by its key (its current version unless one is named).

    Both organisations may hold a bank under the same key: the member's own comes first.
    """
    a = access.arrangement
    banks = QuestionBank.objects.filter(key=key).filter(
        Q(organisation__isnull=True) | Q(organisation_id__in=[a.customer_id, a.provider_id])
    )
    banks = banks.filter(is_current=True) if version is None else banks.filter(version=version)
    return banks.order_by(bank_precedence(getattr(access.user, "organisation_id", None)), "organisation_id").first()


def banks_suggested(*, access: Access, banks: Iterable[QuestionBank] | None = None) -> list[QuestionBank]:
    """The banks that fit the arrangement's lifecycle stage (of `banks`, default all available)."""
    banks = banks_available(access=access) if banks is None else banks
    return [b for b in banks if access.arrangement.stage in b.spec.get("stages", [])]


def can_see_both_sides_before_reveal(access: Access) -> bool:
    return access.is_neutral and bool(access.openness.facilitator_sees_blind_answers)


def sides_visible(access: Access, assessment: Assessment) -> set[str]:
    """Which sides' agreed answers this member may read now.

    A one-sided assessment (partner suitability: one side's view of a
    potential partner) is never shown to the other side, even once submitted.
    """
    answering = set(assessment.sides)
    if access.side not in answering and not access.is_neutral and len(answering) == 1:
        return set()
    if assessment.is_revealed or can_see_both_sides_before_reveal(access):
        return answering
    if access.side in assessment.sides:
        return {access.side}
    return set()


def visible_answers(*, access: Access, assessment: Assessment, agreed_only: bool = True) -> QuerySet[Answer]:
    """Answers the member may read, in one query.

    Agreed answers of the visible sides; with `agreed_only=False`, also the
    member's own individual answers and, for a side lead, their own side's
    individual answers (the spread the lead agrees from).
    """
    sides = sides_visible(access, assessment)
    q = Q(respondent__isnull=True, side__in=sides)
    if not agreed_only:
        q |= Q(respondent__user=access.user)
        if access.has(Perm.LEAD_SIDE) and access.side in assessment.sides:
            q |= Q(respondent__isnull=False, side=access.side)
    return Answer.objects.filter(assessment=assessment).filter(q).select_related("respondent")


@dataclass
class QuestionRow:
    question: QuestionSpec
    customer: Answer | None = None
    provider: Answer | None = None
    customer_other: Answer | None = None  # how the customer sees the provider
    provider_other: Answer | None = None  # how the provider sees the customer
    gap: Gap | None = None
    customer_flagged: bool = False
    provider_flagged: bool = False
    changed_customer: bool = False
    changed_provider: bool = False
    actions: list[Action] = field(default_factory=list)


@dataclass
class Results:
    assessment: Assessment
    bank: BankSpec
    rows: list[QuestionRow]
    customer_verdict: Verdict | None
    provider_verdict: Verdict | None
    joint: Verdict | None
    gaps: list[Gap]
    mirror_gaps: dict[str, list[Gap]]
    visible_sides: set[str]
    respondents: list[Respondent]

    @property
    def complete(self) -> bool:
        return self.visible_sides == set(self.assessment.sides)


def _values(answers: list[Answer], side: str, perspective: str) -> dict[str, str]:
    return {a.question_id: a.value for a in answers if a.side == side and a.perspective == perspective and a.value}


def results(*, access: Access, assessment: Assessment) -> Results:
    """Side-by-side results with the guide's verdicts and the perception gaps.

    Four queries whatever the number of questions or respondents: answers,
    respondents, actions, and the assessment itself (passed in).
    """
    spec = assessment.spec
    sides = sides_visible(access, assessment)
    answers = list(visible_answers(access=access, assessment=assessment))
    respondents = list(assessment.respondents.all())
    actions = list(
        Action.objects.filter(source_type=ContentType.objects.get_for_model(Assessment), source_id=assessment.pk)
        .filter(access.visible_q())
        .select_related("owner")
    )
    by_key = {(a.side, a.question_id, a.perspective): a for a in answers}
    cust_self = _values(answers, Side.CUSTOMER, Perspective.SELF)
    prov_self = _values(answers, Side.PROVIDER, Perspective.SELF)
    customer_verdict = verdict_for(spec, cust_self) if Side.CUSTOMER in sides else None
    provider_verdict = verdict_for(spec, prov_self) if Side.PROVIDER in sides else None
    both = {Side.CUSTOMER, Side.PROVIDER} <= sides
    joint = joint_verdict(spec, cust_self, prov_self) if both else None
    gaps = perception_gaps(spec, cust_self, prov_self) if both else []
    mirror: dict[str, list[Gap]] = {}
    if both and Perspective.OTHER in spec.perspectives:
        # "How we see ourselves" against "how they see us".
        mirror["customer"] = perception_gaps(spec, cust_self, _values(answers, Side.PROVIDER, Perspective.OTHER))
        mirror["provider"] = perception_gaps(spec, _values(answers, Side.CUSTOMER, Perspective.OTHER), prov_self)
    gap_by_q = {g.question_id: g for g in gaps}
    rows = []
    for q in spec.questions:
        row = QuestionRow(
            question=q,
            customer=by_key.get((Side.CUSTOMER, q.id, Perspective.SELF)),
            provider=by_key.get((Side.PROVIDER, q.id, Perspective.SELF)),
            customer_other=by_key.get((Side.CUSTOMER, q.id, Perspective.OTHER)),
            provider_other=by_key.get((Side.PROVIDER, q.id, Perspective.OTHER)),
            gap=gap_by_q.get(q.id),
            customer_flagged=bool(customer_verdict and q.id in customer_verdict.flagged),
            provider_flagged=bool(provider_verdict and q.id in provider_verdict.flagged),
            actions=[
                a
                for a in actions
                if a.source_detail.endswith(f"question {q.id} (perception gap)")
                or a.source_detail.endswith(f"question {q.id} (needs attention)")
            ],
        )
        row.changed_customer = bool(
            row.customer and row.customer.carried_from and row.customer.carried_from != row.customer.value
        )
        row.changed_provider = bool(
            row.provider and row.provider.carried_from and row.provider.carried_from != row.provider.value
        )
        rows.append(row)
    return Results(
        assessment=assessment,
        bank=spec,
        rows=rows,
        customer_verdict=customer_verdict,
        provider_verdict=provider_verdict,
        joint=joint,
        gaps=gaps,
        mirror_gaps=mirror,
        visible_sides=sides,
        respondents=respondents,
    )


@dataclass
class SpreadRow:
    question: QuestionSpec
    perspective: str
    counts: dict[str, int]
    comments: list[tuple[str, str]]
    agreed: Answer | None
    suggested: str


def side_spread(*, access: Access, assessment: Assessment) -> list[SpreadRow]:
    """For the side lead: how their own side's respondents answered each question."""
    spec = assessment.spec
    answers = list(visible_answers(access=access, assessment=assessment, agreed_only=False).filter(side=access.side))
    agreed = {(a.question_id, a.perspective): a for a in answers if a.respondent_id is None}
    rows = []
    for q in spec.questions:
        for perspective in spec.perspectives:
            individual = [
                a for a in answers if a.respondent_id and a.question_id == q.id and a.perspective == perspective
            ]
            counts = {o.value: 0 for o in spec.scale.options}
            for a in individual:
                if a.value in counts:
                    counts[a.value] += 1
            # Suggest the most common answer; ties go to the more cautious (lower) one.
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], spec.scale.score(kv[0]) or 0))
            suggested = ranked[0][0] if ranked and ranked[0][1] else ""
            comments = [(a.respondent.name, a.comment) for a in individual if a.comment]
            rows.append(SpreadRow(q, perspective, counts, comments, agreed.get((q.id, perspective)), suggested))
    return rows


# -- schedule and trend ----------------------------------------------------------


@dataclass
class ScheduleItem:
    bank_key: str
    title: str
    cycle: int
    due: date
    assessment: Assessment | None

    @property
    def status(self) -> str:
        if self.assessment is not None and self.assessment.is_revealed:
            return "done"
        if self.due < timezone.localdate():
            return "overdue"
        if self.due - timezone.localdate() <= timedelta(days=60):
            return "due"
        return "scheduled"


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def schedule(*, access: Access, banks: Iterable[QuestionBank] | None = None) -> list[ScheduleItem]:
    """The annual health check and Annex B are due each year from contract award."""
    start = access.arrangement.contract_start
    if start is None:
        return []
    banks = banks_available(access=access) if banks is None else banks
    recurring = [b for b in banks if b.spec.get("recurrence") == "annual" and b.organisation_id is None]
    existing = {
        (a.bank.key, a.cycle): a
        for a in Assessment.objects.filter(arrangement=access.arrangement, cycle__isnull=False)
        .select_related("bank")
        .defer(*BANK_BODY)
    }
    today = timezone.localdate()
    end = access.arrangement.contract_end
    items = []
    for bank in recurring:
        cycle = 1
        while True:
            due = _add_years(start, cycle)
            if (end and due > _add_years(end, 0) + timedelta(days=1)) or due > _add_years(today, 1):
                break
            items.append(ScheduleItem(bank.key, bank.title, cycle, due, existing.get((bank.key, cycle))))
            cycle += 1
    return sorted(items, key=lambda i: (i.due, i.bank_key))


@dataclass
class TrendPoint:
    assessment: Assessment
    customer: dict[str, str]
    provider: dict[str, str]
    customer_verdict: Verdict | None
    provider_verdict: Verdict | None


def trend(*, access: Access, bank_key: str) -> tuple[BankSpec | None, list[TrendPoint]]:
    """How each question and the verdict moved from cycle to cycle, for each side.

    Only revealed cycles count: before the reveal a side's answers are blind.
    Each cycle shows only the sides `sides_visible` allows (a one-sided
    assessment never reaches the other side).
    """
    cycles = list(
        Assessment.objects.filter(arrangement=access.arrangement, bank__key=bank_key, revealed_at__isnull=False)
        .select_related("bank")
        .order_by("revealed_at")
    )
    visible = {c.pk: sides_visible(access, c) for c in cycles}
    cycles = [c for c in cycles if visible[c.pk]]
    if not cycles:
        return None, []
    # Two organisations' banks may share a key: a trend follows one bank, the reader's own first.
    own = getattr(access.user, "organisation_id", None)
    owners = {c.bank.organisation_id for c in cycles}
    owner = None if None in owners else own if own in owners else min(owners)
    cycles = [c for c in cycles if c.bank.organisation_id == owner]
    answers = Answer.objects.filter(assessment__in=cycles, respondent__isnull=True, perspective=Perspective.SELF)
    grouped: dict[int, list[Answer]] = {}
    for a in answers:
        grouped.setdefault(a.assessment_id, []).append(a)
    points = []
    for c in cycles:
        spec = c.spec
        rows = [a for a in grouped.get(c.pk, []) if a.side in visible[c.pk]]
        cust, prov = _values(rows, Side.CUSTOMER, Perspective.SELF), _values(rows, Side.PROVIDER, Perspective.SELF)
        points.append(
            TrendPoint(
                c,
                cust,
                prov,
                verdict_for(spec, cust) if Side.CUSTOMER in visible[c.pk] else None,
                verdict_for(spec, prov) if Side.PROVIDER in visible[c.pk] else None,
            )
        )
    return cycles[-1].spec, points
