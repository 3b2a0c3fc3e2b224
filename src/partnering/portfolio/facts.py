"""What the early-warning rules read: facts about many arrangements, gathered in bulk.

The rules never query the database. `gather` reads each source once for the
whole batch (one query per source, filtered by a subquery on the batch's
arrangements, never a list of ids), so a portfolio of a thousand arrangements
costs the same number of queries as a portfolio of three.

Everything is seen through a `Viewpoint`: the side the reader stands on in each
arrangement. Private records count only for their own side (the policy's
`visible_q`), and assessments count only once revealed, so that no rule, count
or verdict leaks what the other side keeps to itself.

Sources from features that are not installed are left as None: the rules that
need them are then "not applicable", never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from partnering.actions.models import OPEN_STATUSES, Action
from partnering.arrangements.models import Arrangement, RoleAssignment, SharedOutcome
from partnering.assessments.bank_loader import BankSpec
from partnering.assessments.models import Answer, Assessment, Participation, Perspective, QuestionBank
from partnering.assessments.verdicts import Gap, Verdict, joint_verdict, perception_gaps, verdict_for
from partnering.core.choices import Role, Side, Visibility

ANNEX_A = "annex-a"
ANNEX_B = "annex-b"
HEALTH_CHECK = "annual-health-check"
#: The banks whose revealed answers the rules read.
BANKS_READ = (ANNEX_A, ANNEX_B, HEALTH_CHECK)
#: Roles whose holders the guide wants kept: "continuity of staff can preserve corporate memory".
KEY_ROLES = (Role.SRO, Role.SRIE, Role.RELATIONSHIP_MANAGER)
#: How far back role changes and escalations are counted.
ROLE_WINDOW = timedelta(days=730)
ESCALATION_WINDOW = timedelta(days=90)


# -- whose eyes ------------------------------------------------------------------


@dataclass(frozen=True)
class Viewpoint:
    """The side a reader stands on in each arrangement, and what that side may see.

    A member reads as their membership's side (`for_access`); a portfolio
    manager reads as their organisation's side of each arrangement (`for_organisation`).
    """

    organisation_id: int | None = None
    side: str | None = None

    @classmethod
    def for_access(cls, access: Any) -> Viewpoint:
        return cls(side=access.side)

    @classmethod
    def for_organisation(cls, organisation_id: int) -> Viewpoint:
        return cls(organisation_id=organisation_id)

    def side_in(self, arrangement: Arrangement) -> str:
        if self.side is not None:
            return self.side
        return Side.CUSTOMER if arrangement.customer_id == self.organisation_id else Side.PROVIDER

    def visible_q(self, prefix: str = "") -> Q:
        """Shared records, and private ones of the reader's own side: `Access.visible_q` for a batch."""
        shared = Q(**{f"{prefix}visibility": Visibility.SHARED})
        if self.side is not None:
            if self.side in (Side.CUSTOMER, Side.PROVIDER):
                return shared | Q(**{f"{prefix}visibility": self.side})
            return shared
        org = self.organisation_id
        return (
            shared
            | Q(**{f"{prefix}visibility": Side.CUSTOMER, f"{prefix}arrangement__customer_id": org})
            | Q(**{f"{prefix}visibility": Side.PROVIDER, f"{prefix}arrangement__provider_id": org})
        )


# -- the facts -------------------------------------------------------------------


@dataclass
class AssessmentFacts:
    """One revealed assessment: each visible side's agreed answers ("how we see ourselves")."""

    id: int
    uuid: Any
    title: str
    bank_key: str
    bank: BankSpec
    cycle: int | None
    revealed_at: datetime
    sides: tuple[str, ...]
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    _verdicts: dict[str, Verdict | None] = field(default_factory=dict, repr=False)

    def verdict(self, side: str) -> Verdict | None:
        """The side's verdict, computed once (several rules and the page ask for it)."""
        if side not in self.sides:
            return None
        if side not in self._verdicts:
            try:
                self._verdicts[side] = verdict_for(self.bank, self.answers.get(side, {}))
            except ValueError:  # answers that no longer fit the bank: no verdict rather than an error
                self._verdicts[side] = None
        return self._verdicts[side]

    @property
    def both_sides(self) -> bool:
        return {Side.CUSTOMER, Side.PROVIDER} <= set(self.sides)

    def overall(self) -> Verdict | None:
        """The joint verdict when both sides' answers are visible, else the one side's."""
        try:
            if self.both_sides:
                return joint_verdict(
                    self.bank, self.answers.get(Side.CUSTOMER, {}), self.answers.get(Side.PROVIDER, {})
                )
        except ValueError:
            return None
        return self.verdict(self.sides[0]) if self.sides else None

    def gaps(self) -> list[Gap]:
        if not self.both_sides:
            return []
        try:
            return perception_gaps(self.bank, self.answers.get(Side.CUSTOMER, {}), self.answers.get(Side.PROVIDER, {}))
        except ValueError:
            return []


@dataclass
class KpiFacts:
    name: str
    baseline_agreed: bool
    status: str  # kpis.rag.Rag value


@dataclass
class CharterFacts:
    exists: bool
    agreed: bool
    review_date: date | None


@dataclass
class Facts:
    """Everything the rules know about one arrangement, as the reader's side may see it."""

    arrangement: Arrangement
    side: str
    today: date
    leaders: dict[str, str] = field(default_factory=dict)  # current SRO / SRIE: role -> name
    role_starts: dict[str, list[datetime]] = field(default_factory=dict)  # key role -> starts in the window
    outcomes: int = 0
    outcomes_agreed: int = 0
    assessments: dict[str, list[AssessmentFacts]] = field(default_factory=dict)  # bank key -> oldest first
    open_actions: int = 0
    overdue_actions: int = 0
    action_questions: dict[int, set[str]] = field(default_factory=dict)  # assessment id -> question ids
    open_high_risks: int = 0
    unowned_high_risks: int = 0
    open_concerns: int | None = None
    open_escalations: int | None = None
    escalations_recent: int | None = None
    escalations_before: int | None = None
    kpis: list[KpiFacts] | None = None
    charter: CharterFacts | None = None
    exit_strategy: bool | None = None  # from an exit feature, when one is installed
    procurement: Any = None  # procurement.selectors.Duty, when the contract facts are recorded

    @property
    def stage(self) -> str:
        return self.arrangement.stage

    def latest(self, bank_key: str) -> AssessmentFacts | None:
        found = self.assessments.get(bank_key) or []
        return found[-1] if found else None


# -- gathering -------------------------------------------------------------------

#: The sources, in order. Each reads one kind of record for the whole batch.
Source = Callable[[QuerySet, Viewpoint, dict[int, Facts]], None]
SOURCES: list[Source] = []


def source(func: Source) -> Source:
    SOURCES.append(func)
    return func


def gather(arrangements: QuerySet[Arrangement], viewpoint: Viewpoint) -> list[Facts]:
    """The facts of every arrangement in `arrangements`, one query per source."""
    today = timezone.localdate()
    rows = list(arrangements.select_related("customer", "provider"))
    by_id = {a.pk: Facts(arrangement=a, side=viewpoint.side_in(a), today=today) for a in rows}
    if by_id:
        scope = arrangements.order_by().values("pk")
        for read in SOURCES:
            read(scope, viewpoint, by_id)
    return list(by_id.values())


@source
def _roles(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    since = timezone.now() - ROLE_WINDOW
    rows = (
        RoleAssignment.objects.filter(arrangement__in=scope, role__in=KEY_ROLES)
        .filter(Q(ended_at__isnull=True) | Q(started_at__gte=since))
        .values_list("arrangement_id", "role", "started_at", "ended_at", "membership__user__full_name")
    )
    for arrangement_id, role, started_at, ended_at, name in rows:
        f = facts[arrangement_id]
        if ended_at is None and role in (Role.SRO, Role.SRIE):
            f.leaders[role] = name
        if started_at >= since:
            f.role_starts.setdefault(role, []).append(started_at)


@source
def _outcomes(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    agreed = Q(customer_agreed_at__isnull=False, provider_agreed_at__isnull=False)
    rows = (
        SharedOutcome.objects.filter(arrangement__in=scope)
        .order_by()
        .values("arrangement_id")
        .annotate(total=Count("id"), agreed=Count("id", filter=agreed))
    )
    for row in rows:
        facts[row["arrangement_id"]].outcomes = row["total"]
        facts[row["arrangement_id"]].outcomes_agreed = row["agreed"]


_ANSWERING = {
    Participation.CUSTOMER: (Side.CUSTOMER,),
    Participation.PROVIDER: (Side.PROVIDER,),
    Participation.BOTH: (Side.CUSTOMER, Side.PROVIDER),
}


def _sides_seen(side: str, participation: str) -> tuple[str, ...]:
    """Which sides' revealed answers a reader on `side` may read (as assessments.selectors.sides_visible).

    A one-sided assessment (a side's own readiness, or its view of a potential
    partner) is never shown to the other side.
    """
    answering = _ANSWERING.get(participation, _ANSWERING[Participation.BOTH])
    if len(answering) == 1 and side not in answering and side != Side.NEUTRAL:
        return ()
    return answering


@source
def _assessments(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    revealed = Assessment.objects.filter(arrangement__in=scope, revealed_at__isnull=False, bank__key__in=BANKS_READ)
    rows = list(
        revealed.order_by("revealed_at", "id").values(
            "id", "uuid", "title", "arrangement_id", "bank_id", "bank__key", "participation", "cycle", "revealed_at"
        )
    )
    if not rows:
        return
    # Each bank's JSON is parsed once for the whole batch, not once per assessment.
    banks = {bank.pk: bank.bank for bank in QuestionBank.objects.filter(pk__in=revealed.order_by().values("bank_id"))}
    by_id: dict[int, AssessmentFacts] = {}
    for row in rows:
        f = facts[row["arrangement_id"]]
        item = AssessmentFacts(
            id=row["id"],
            uuid=row["uuid"],
            title=row["title"],
            bank_key=row["bank__key"],
            bank=banks[row["bank_id"]],
            cycle=row["cycle"],
            revealed_at=row["revealed_at"],
            sides=_sides_seen(f.side, row["participation"]),
        )
        if item.sides:
            f.assessments.setdefault(item.bank_key, []).append(item)
            by_id[item.id] = item
    # Rules read the latest cycle of a bank and the one before it (to compare gaps): the
    # answers of older cycles are not fetched, however long the arrangement has run. The rows
    # are oldest first, so the last two per arrangement and bank are the ones wanted. (A
    # correlated "how many are newer" subquery did the same in SQL, at ten times the cost.)
    wanted: dict[tuple[int, str], list[int]] = {}
    for row in rows:
        if row["id"] in by_id:  # only what this side may see: a one-sided one of the other side's is not a cycle
            wanted.setdefault((row["arrangement_id"], row["bank__key"]), []).append(row["id"])
    recent = [pk for ids in wanted.values() for pk in ids[-2:]]
    answers = Answer.objects.filter(
        assessment_id__in=recent, respondent__isnull=True, perspective=Perspective.SELF
    ).values_list("assessment_id", "side", "question_id", "value")
    for assessment_id, side, question_id, value in answers:
        item = by_id.get(assessment_id)
        if item is not None and side in item.sides and value:
            item.answers.setdefault(side, {})[question_id] = value


@source
def _actions(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    from django.contrib.contenttypes.models import ContentType

    today = timezone.localdate()
    visible = Action.objects.filter(arrangement__in=scope).filter(viewpoint.visible_q())
    rows = (
        visible.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("arrangement_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    )
    for row in rows:
        facts[row["arrangement_id"]].open_actions = row["open"]
        facts[row["arrangement_id"]].overdue_actions = row["overdue"]
    # Actions raised from an assessment's results name their question in source_detail
    # ("…, question B3 (needs attention)"): see assessments.services.action_from_assessment.
    linked = visible.filter(source_type=ContentType.objects.get_for_model(Assessment)).values_list(
        "arrangement_id", "source_id", "source_detail"
    )
    for arrangement_id, source_id, detail in linked:
        marker = detail.rsplit(", question ", 1)
        if len(marker) == 2:
            question_id = marker[1].split(" (", 1)[0]
            facts[arrangement_id].action_questions.setdefault(source_id, set()).add(question_id)


@source
def _risks(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    from partnering.risks.models import Risk, RiskStatus
    from partnering.risks.scoring import Rating

    rows = (
        Risk.objects.filter(arrangement__in=scope, status=RiskStatus.OPEN, rating=Rating.RED)
        .filter(viewpoint.visible_q())
        .order_by()
        .values("arrangement_id")
        .annotate(high=Count("id"), unowned=Count("id", filter=Q(owner__isnull=True)))
    )
    for row in rows:
        facts[row["arrangement_id"]].open_high_risks = row["high"]
        facts[row["arrangement_id"]].unowned_high_risks = row["unowned"]


@source
def _concerns(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    if not apps.is_installed("partnering.concerns"):
        return
    from partnering.concerns.models import Concern, ConcernStatus, EscalationEvent, Level

    for f in facts.values():
        f.open_concerns = f.open_escalations = f.escalations_recent = f.escalations_before = 0
    rows = (
        Concern.objects.filter(arrangement__in=scope, status=ConcernStatus.OPEN)
        .filter(viewpoint.visible_q())
        .order_by()
        .values("arrangement_id")
        .annotate(open=Count("id"), escalated=Count("id", filter=Q(level__gt=Level.WORKING)))
    )
    for row in rows:
        facts[row["arrangement_id"]].open_concerns = row["open"]
        facts[row["arrangement_id"]].open_escalations = row["escalated"]
    now = timezone.now()
    steps_up = (
        EscalationEvent.objects.filter(
            concern__arrangement__in=scope,
            from_level__isnull=False,
            to_level__gt=F("from_level"),
            created_at__gte=now - 2 * ESCALATION_WINDOW,
        )
        .filter(viewpoint.visible_q("concern__"))
        .order_by()
        .values("concern__arrangement_id")
        .annotate(
            recent=Count("id", filter=Q(created_at__gte=now - ESCALATION_WINDOW)),
            before=Count("id", filter=Q(created_at__lt=now - ESCALATION_WINDOW)),
        )
    )
    for row in steps_up:
        facts[row["concern__arrangement_id"]].escalations_recent = row["recent"]
        facts[row["concern__arrangement_id"]].escalations_before = row["before"]


@source
def _kpis(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    if not apps.is_installed("partnering.kpis"):
        return
    from partnering.kpis import rag
    from partnering.kpis.models import BaselineProposal, Kpi, Measurement, TargetProposal

    for f in facts.values():
        f.kpis = []

    def agreed(model: Any) -> Subquery:
        return Subquery(
            model.objects.filter(kpi=OuterRef("pk"), agreed_at__isnull=False, superseded_at__isnull=True)
            .order_by("-agreed_at", "-id")
            .values("value")[:1]
        )

    rows = (
        Kpi.objects.filter(arrangement__in=scope)
        .annotate(
            baseline=agreed(BaselineProposal),
            target=agreed(TargetProposal),
            latest=Subquery(Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period").values("value")[:1]),
        )
        .values_list("arrangement_id", "name", "direction", "baseline", "target", "latest")
    )
    for arrangement_id, name, direction, baseline, target, latest in rows:
        status = rag.status(latest, baseline=baseline, target=target, direction=direction)
        facts[arrangement_id].kpis.append(KpiFacts(name, baseline is not None, str(status.value)))  # type: ignore[union-attr]


@source
def _charter(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    if not apps.is_installed("partnering.charter"):
        return
    from partnering.charter.models import Charter, CharterVersion, VersionStatus

    for f in facts.values():
        f.charter = CharterFacts(exists=False, agreed=False, review_date=None)
    agreed = CharterVersion.objects.filter(charter=OuterRef("pk"), status=VersionStatus.AGREED)
    rows = (
        Charter.objects.filter(arrangement__in=scope)
        .annotate(agreed=Exists(agreed))
        .values_list("arrangement_id", "agreed", "review_date")
    )
    for arrangement_id, is_agreed, review_date in rows:
        facts[arrangement_id].charter = CharterFacts(exists=True, agreed=is_agreed, review_date=review_date)


@source
def _exit(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    """An exit feature, when installed, says which arrangements have an exit strategy.

    Its contract: `partnering.exit.selectors.arrangements_with_exit_strategy(arrangements)`
    returns the subset (a queryset or ids) that have one.
    """
    if not apps.is_installed("partnering.exit"):
        return
    import importlib

    try:
        selectors = importlib.import_module("partnering.exit.selectors")
    except ModuleNotFoundError:
        return
    find = getattr(selectors, "arrangements_with_exit_strategy", None)
    if find is None:
        return
    having = set(_ids(find(Arrangement.objects.filter(pk__in=scope))))
    for pk, f in facts.items():
        f.exit_strategy = pk in having


@source
def _procurement(scope: QuerySet, viewpoint: Viewpoint, facts: dict[int, Facts]) -> None:
    """The Procurement Act duties (published KPIs, notices due), when that feature is installed.

    Nothing in them is private to one side: `procurement.selectors.duties_for` reads the contract
    facts, the published KPIs and the publication dates of approved notices only.
    """
    if not apps.is_installed("partnering.procurement"):
        return
    from partnering.procurement.selectors import duties_for

    for pk, duty in duties_for(Arrangement.objects.filter(pk__in=scope), today=timezone.localdate()).items():
        facts[pk].procurement = duty


def _ids(found: Iterable[Any]) -> Iterable[int]:
    for item in found:
        yield getattr(item, "pk", item)
