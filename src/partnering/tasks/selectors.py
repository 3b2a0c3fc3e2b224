"""What is waiting for each person, across their arrangements: one list for the home page,
the API (`/api/v1/me/tasks/`) and the daily reminder digests (`archive.reminders`).

`waiting(today=..., user=...)` gives one person's tasks; `waiting(today=...)` everyone's, as
(user id, task) pairs, for the digests. Either way each kind of task costs one query, whatever
the number of arrangements or records: a query of the person's current roles, then one per kind
below, each scoped to the arrangements where someone holds the role that acts on it.

Who is asked to act (the guide names the SRO and the SRIE as each side's lead; the rest is ours):

- *Answers to give*: an invited respondent who has not submitted, while their side has not.
- *Your side's answers to agree*: the side lead, once every invited respondent of the side has
  answered and the side has not submitted.
- *Agreements waiting for your side*: the side lead (SRO for the customer, SRIE for the provider)
  for openness proposals, shared business outcomes, charter signatures, gain-share proposals and
  the exit strategy (once its required parts are written); KPI baselines and targets proposed by
  the other side go to the side lead and the side's contract manager.
- *Concerns to answer*: a shared, open concern raised by the other side that has no statement
  from your side yet, for the side's relationship manager and its lead.
- *Actions due and overdue*: open actions you own due within a week or overdue.
- *Reviews due and overdue*: open risks you own whose review is due within a week or overdue; the
  partnering charter's review (within 30 days) for the SRO and the SRIE.

Nothing private to the other side is listed: actions and risks only where the owner's side may
see them, concerns only once shared, a side's respondents only to its own lead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from partnering.core.choices import Role, Side, Visibility

#: Actions and risk reviews are listed from this many days before they fall due.
DUE_WITHIN_DAYS = 7

#: The headings of the list, in the order shown, by kind of task.
GROUPS: dict[str, str] = {
    "answer": "Answers to give",
    "agree_side": "Your side's answers to agree",
    "agreement": "Agreements waiting for your side",
    "concern": "Concerns to answer",
    "action": "Actions due and overdue",
    "review": "Reviews due and overdue",
}

_LEADS = {Side.CUSTOMER: Role.SRO, Side.PROVIDER: Role.SRIE}
_OTHER = {Side.CUSTOMER: Side.PROVIDER, Side.PROVIDER: Side.CUSTOMER}


@dataclass(frozen=True)
class Task:
    """One thing one person should do, with the page where they do it."""

    group: str  # a key of GROUPS
    kind: str  # e.g. "answer", "openness", "kpi_baseline", "action", "risk_review"
    what: str  # what to do, in words: "Answer the assessment"
    title: str  # the record's own title
    arrangement_slug: str
    arrangement_title: str
    path: str  # the page where it is done, from the site's root
    due: date | None = None
    overdue: bool = False
    #: Names the event once, for reminders ("action:<uuid>:overdue:<date>").
    key: str = ""
    detail: str = ""

    @property
    def heading(self) -> str:
        return GROUPS[self.group]


@dataclass
class _Roles:
    """Who holds which current role where: {arrangement id: {(side, role): [user id, ...]}}."""

    held: dict[int, dict[tuple[str, str], list[int]]] = field(default_factory=lambda: defaultdict(dict))

    def holders(self, arrangement_id: int, side: str, *roles: str) -> list[int]:
        out: list[int] = []
        for role in roles:
            for uid in self.held.get(arrangement_id, {}).get((side, role), []):
                if uid not in out:
                    out.append(uid)
        return out

    def lead(self, arrangement_id: int, side: str) -> list[int]:
        return self.holders(arrangement_id, side, _LEADS[side]) if side in _LEADS else []


def _role_rows(user: Any, roles: Iterable[str]) -> QuerySet:
    from partnering.arrangements.models import RoleAssignment

    rows = RoleAssignment.objects.filter(ended_at__isnull=True, membership__is_active=True, role__in=list(roles))
    if user is not None:
        rows = rows.filter(membership__user=user)
    return rows


def _where_held(user: Any, *roles: str) -> Q:
    """Rows of arrangements where `user` (or anyone, for the digests) holds one of `roles`:
    a subquery, never a list of ids."""
    return Q(arrangement__in=_role_rows(user, roles).values("arrangement_id"))


def _active_member(user_ref: str, arrangement_ref: str = "arrangement") -> Exists:
    from partnering.arrangements.models import Membership

    return Exists(
        Membership.objects.filter(arrangement=OuterRef(arrangement_ref), user=OuterRef(user_ref), is_active=True)
    )


def _seen_by_owner(owner_ref: str = "owner") -> Q:
    """Shared records, or records private to the side the owner is on: never the other side's."""
    from partnering.arrangements.models import Membership

    own_side = Membership.objects.filter(
        arrangement=OuterRef("arrangement"), user=OuterRef(owner_ref), is_active=True, side=OuterRef("visibility")
    )
    return Q(visibility=Visibility.SHARED) | Q(Exists(own_side))


def _when(due: date, today: date) -> str:
    return "overdue" if due < today else "due"


def _task(arrangement: Any, **kw: Any) -> Task:
    return Task(arrangement_slug=arrangement.slug, arrangement_title=arrangement.title, **kw)


Found = list[tuple[int, Task]]


# -- answers and sides ------------------------------------------------------------------


def _answers(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.assessments.models import AssessmentStatus, Respondent

    side_open = Q(side=Side.CUSTOMER, assessment__customer_submitted_at__isnull=True) | Q(
        side=Side.PROVIDER, assessment__provider_submitted_at__isnull=True
    )
    rows = (
        Respondent.objects.filter(
            user__isnull=False, submitted_at__isnull=True, assessment__status=AssessmentStatus.COLLECTING
        )
        .filter(side_open)
        .filter(_active_member("user", "assessment__arrangement"))
        .select_related("assessment__arrangement")
        .only("user_id", "side", *_ASSESSMENT_FIELDS)
    )
    if user is not None:
        rows = rows.filter(user=user)
    out = []
    for r in rows:
        a = r.assessment
        due = a.due_date
        out.append(
            (
                r.user_id,
                _task(
                    a.arrangement,
                    group="answer",
                    kind="answer",
                    what="Answer the assessment",
                    title=a.title,
                    path=reverse("assessments:answer", args=[a.arrangement.slug, a.uuid]),
                    due=due,
                    overdue=bool(due and due < today),
                    key=f"assessment:{a.uuid}:{_when(due, today)}:{due.isoformat()}" if due else "",
                ),
            )
        )
    return out


_ASSESSMENT_FIELDS = (
    "assessment__uuid",
    "assessment__title",
    "assessment__due_date",
    "assessment__participation",
    "assessment__arrangement__slug",
    "assessment__arrangement__title",
)


def _sides_to_agree(today: date, user: Any, roles: _Roles) -> Found:
    """A side lead's assessments whose invited respondents have all answered."""
    from partnering.assessments.models import Assessment, AssessmentStatus

    def counts(side: str) -> dict[str, Count]:
        return {
            f"{side}_invited": Count("respondents", filter=Q(respondents__side=side), distinct=True),
            f"{side}_answered": Count(
                "respondents",
                filter=Q(respondents__side=side, respondents__submitted_at__isnull=False),
                distinct=True,
            ),
        }

    rows = (
        Assessment.objects.filter(status=AssessmentStatus.COLLECTING)
        .filter(_where_held(user, Role.SRO, Role.SRIE))
        .annotate(**counts(Side.CUSTOMER), **counts(Side.PROVIDER))
        .select_related("arrangement")
        .only(
            "uuid",
            "title",
            "due_date",
            "participation",
            "customer_submitted_at",
            "provider_submitted_at",
            "arrangement__slug",
            "arrangement__title",
        )
    )
    out = []
    for a in rows:
        for side in a.sides:
            invited, answered = getattr(a, f"{side}_invited"), getattr(a, f"{side}_answered")
            if a.submitted_at(side) is not None or not invited or answered < invited:
                continue
            for uid in roles.lead(a.arrangement_id, side):
                out.append(
                    (
                        uid,
                        _task(
                            a.arrangement,
                            group="agree_side",
                            kind="agree_side",
                            what="Agree and submit your side's answers",
                            title=a.title,
                            path=reverse("assessments:side", args=[a.arrangement.slug, a.uuid]),
                            due=a.due_date,
                            overdue=bool(a.due_date and a.due_date < today),
                            detail=f"All {invited} of your side's respondents have answered.",
                        ),
                    )
                )
    return out


# -- agreements ---------------------------------------------------------------------------


def _two_signatures(
    rows: Iterable[Any], roles: _Roles, *, customer: str, provider: str, make: Callable[[Any], dict[str, Any]]
) -> Found:
    """For records the SRO and the SRIE each agree: a task for each lead whose agreement is missing."""
    out = []
    for record in rows:
        for side, attr in ((Side.CUSTOMER, customer), (Side.PROVIDER, provider)):
            if getattr(record, attr) is None:
                out += [
                    (uid, _task(record.arrangement, **make(record))) for uid in roles.lead(record.arrangement_id, side)
                ]
    return out


def _openness(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.arrangements.models import OpennessProposal, ProposalStatus

    rows = (
        OpennessProposal.objects.filter(status=ProposalStatus.PENDING)
        .filter(_where_held(user, Role.SRO, Role.SRIE))
        .select_related("arrangement")
    )
    return _two_signatures(
        rows,
        roles,
        customer="sro_agreed_at",
        provider="srie_agreed_at",
        make=lambda p: {
            "group": "agreement",
            "kind": "openness",
            "what": "Agree or decline the proposed degree of openness",
            "title": p.reason or "A change to the degree of openness",
            "path": reverse("arrangements:openness", args=[p.arrangement.slug]),
        },
    )


def _facilitators(today: date, user: Any, roles: _Roles) -> Found:
    """A facilitator proposed by one lead waits for the other (sovereign sides)."""
    from partnering.arrangements.models import Invitation, InvitationKind, InvitationStatus

    rows = (
        Invitation.objects.filter(kind=InvitationKind.FACILITATOR, status=InvitationStatus.PENDING)
        .filter(_where_held(user, Role.SRO, Role.SRIE))
        .select_related("arrangement", "user")
    )
    return _two_signatures(
        rows,
        roles,
        customer="sro_agreed_at",
        provider="srie_agreed_at",
        make=lambda i: {
            "group": "agreement",
            "kind": "facilitator",
            "what": "Agree or withdraw the proposed partnering facilitator",
            "title": i.user.full_name,
            "path": reverse("arrangements:members", args=[i.arrangement.slug]),
        },
    )


def _lead_invitations(today: date, user: Any, roles: _Roles) -> Found:
    """An invitation to lead a provider side waits for the person invited, who is not a member yet."""
    from partnering.arrangements.models import Invitation, InvitationKind, InvitationStatus

    rows = Invitation.objects.filter(kind=InvitationKind.PROVIDER_LEAD, status=InvitationStatus.PENDING).select_related(
        "arrangement"
    )
    if user is not None:
        rows = rows.filter(user=user)
    return [
        (
            i.user_id,
            _task(
                i.arrangement,
                group="agreement",
                kind="lead_invitation",
                what="Accept or decline the invitation to lead the provider side",
                title=i.arrangement.title,
                path=reverse("arrangements:invitations"),
            ),
        )
        for i in rows
    ]


def _outcomes(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.arrangements.models import Arrangement

    rows = (
        Arrangement.objects.filter(Q(pk__in=_role_rows(user, (Role.SRO, Role.SRIE)).values("arrangement_id")))
        .annotate(
            customer_to_agree=Count("outcomes", filter=Q(outcomes__customer_agreed_at__isnull=True)),
            provider_to_agree=Count("outcomes", filter=Q(outcomes__provider_agreed_at__isnull=True)),
        )
        .filter(Q(customer_to_agree__gt=0) | Q(provider_to_agree__gt=0))
        .only("slug", "title")
    )
    out = []
    for arrangement in rows:
        for side in (Side.CUSTOMER, Side.PROVIDER):
            n = getattr(arrangement, f"{side}_to_agree")
            if not n:
                continue
            task = _task(
                arrangement,
                group="agreement",
                kind="outcomes",
                what="Agree the shared business outcomes",
                title=f"{n} shared business outcome{'s' if n != 1 else ''} not yet agreed by your side",
                path=reverse("arrangements:overview", args=[arrangement.slug]) + "#outcomes",
            )
            out += [(uid, task) for uid in roles.lead(arrangement.pk, side)]
    return out


def _charter(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.charter.models import CharterVersion, VersionStatus

    rows = (
        CharterVersion.objects.filter(status=VersionStatus.DRAFT)
        .filter(_where_held(user, Role.SRO, Role.SRIE))
        .select_related("arrangement")
        .only("uuid", "number", "sro_signed_at", "srie_signed_at", "arrangement__slug", "arrangement__title")
    )
    return _two_signatures(
        rows,
        roles,
        customer="sro_signed_at",
        provider="srie_signed_at",
        make=lambda v: {
            "group": "agreement",
            "kind": "charter",
            "what": "Read and sign the partnering charter",
            "title": f"Charter version {v.number}",
            "path": reverse("charter:version", args=[v.arrangement.slug, v.uuid]),
        },
    )


def _kpi_proposals(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.kpis.models import BaselineProposal, TargetProposal

    out = []
    for model, what in ((BaselineProposal, "baseline"), (TargetProposal, "target")):
        rows = (
            model.objects.filter(agreed_at__isnull=True, superseded_at__isnull=True)
            .filter(Q(kpi__arrangement__in=_role_rows(user, _KPI_AGREERS).values("arrangement_id")))
            .select_related("kpi__arrangement")
            .only(
                "uuid", "proposed_side", "kpi__uuid", "kpi__name", "kpi__arrangement__slug", "kpi__arrangement__title"
            )
        )
        for p in rows:
            side = _OTHER.get(p.proposed_side)
            if side is None:
                continue
            arrangement = p.kpi.arrangement
            task = _task(
                arrangement,
                group="agreement",
                kind=f"kpi_{what}",
                what=f"Agree the {what} the {p.proposed_side} proposed",
                title=p.kpi.name,
                path=reverse("kpis:detail", args=[arrangement.slug, p.kpi.uuid]),
            )
            out += [(uid, task) for uid in roles.holders(arrangement.pk, side, _LEADS[side], Role.CONTRACT_MANAGER)]
    return out


_KPI_AGREERS = (Role.SRO, Role.SRIE, Role.CONTRACT_MANAGER)


def _gain_share(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.arrangements.models import ProposalStatus
    from partnering.finance.models import IncentiveProposal

    rows = (
        IncentiveProposal.objects.filter(status=ProposalStatus.PENDING)
        .filter(_where_held(user, Role.SRO, Role.SRIE))
        .select_related("arrangement")
    )
    return _two_signatures(
        rows,
        roles,
        customer="sro_agreed_at",
        provider="srie_agreed_at",
        make=lambda p: {
            "group": "agreement",
            "kind": "gain_share",
            "what": "Agree or decline the proposed incentive terms",
            "title": str(p.proposed_terms.get("name") or "Gain share and incentives"),
            "path": reverse("finance:incentives", args=[p.arrangement.slug]),
        },
    )


def _exit_plan(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.exit.models import ExitStatus, ExitStrategy
    from partnering.exit.services import REQUIRED_TO_AGREE

    written = Q()
    for name in REQUIRED_TO_AGREE:
        written &= ~Q(**{name: ""})
    rows = (
        ExitStrategy.objects.filter(status=ExitStatus.DRAFT)
        .filter(written)
        .filter(_where_held(user, Role.SRO, Role.SRIE))
        .select_related("arrangement")
        .only("sro_agreed_at", "srie_agreed_at", "arrangement__slug", "arrangement__title")
    )
    return _two_signatures(
        rows,
        roles,
        customer="sro_agreed_at",
        provider="srie_agreed_at",
        make=lambda s: {
            "group": "agreement",
            "kind": "exit_plan",
            "what": "Agree the exit and recompetition strategy",
            "title": "Exit strategy",
            "path": reverse("exit:detail", args=[s.arrangement.slug]),
        },
    )


# -- concerns, actions and reviews ------------------------------------------------------------------


def _concerns(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.concerns.models import Concern, ConcernStatement, ConcernStatus

    def stated(side: str) -> Exists:
        return Exists(ConcernStatement.objects.filter(concern=OuterRef("pk"), side=side))

    rows = (
        Concern.objects.filter(status=ConcernStatus.OPEN, visibility=Visibility.SHARED)
        .filter(_where_held(user, Role.SRO, Role.SRIE, Role.RELATIONSHIP_MANAGER))
        .annotate(customer_stated=stated(Side.CUSTOMER), provider_stated=stated(Side.PROVIDER))
        .select_related("arrangement")
        .only("uuid", "reference", "title", "raised_by_side", "arrangement__slug", "arrangement__title")
    )
    out = []
    for c in rows:
        for side in (Side.CUSTOMER, Side.PROVIDER):
            if side == c.raised_by_side or getattr(c, f"{side}_stated"):
                continue
            task = _task(
                c.arrangement,
                group="concern",
                kind="concern",
                what="Add your side's statement of the concern",
                title=f"{c.reference} {c.title}",
                path=reverse("concerns:detail", args=[c.arrangement.slug, c.uuid]),
            )
            out += [
                (uid, task) for uid in roles.holders(c.arrangement_id, side, _LEADS[side], Role.RELATIONSHIP_MANAGER)
            ]
    return out


def _actions(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.actions.models import OPEN_STATUSES, Action

    rows = (
        Action.objects.filter(
            status__in=OPEN_STATUSES, owner__isnull=False, due_date__lte=today + timedelta(days=DUE_WITHIN_DAYS)
        )
        .filter(_active_member("owner"))
        .filter(_seen_by_owner())
        .select_related("arrangement")
        .only("uuid", "title", "due_date", "owner_id", "arrangement__slug", "arrangement__title")
    )
    if user is not None:
        rows = rows.filter(owner=user)
    return [
        (
            a.owner_id,
            _task(
                a.arrangement,
                group="action",
                kind="action",
                what="Do the action",
                title=a.title,
                path=reverse("actions:edit", args=[a.arrangement.slug, a.uuid]),
                due=a.due_date,
                overdue=a.due_date < today,
                key=f"action:{a.uuid}:{_when(a.due_date, today)}:{a.due_date.isoformat()}",
            ),
        )
        for a in rows
    ]


def _risk_reviews(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.risks.models import Risk, RiskStatus

    rows = (
        Risk.objects.filter(
            status=RiskStatus.OPEN, owner__isnull=False, next_review_date__lte=today + timedelta(days=DUE_WITHIN_DAYS)
        )
        .filter(_active_member("owner"))
        .filter(_seen_by_owner())
        .select_related("arrangement")
        .only("uuid", "reference", "title", "next_review_date", "owner_id", "arrangement__slug", "arrangement__title")
    )
    if user is not None:
        rows = rows.filter(owner=user)
    return [
        (
            r.owner_id,
            _task(
                r.arrangement,
                group="review",
                kind="risk_review",
                what="Review the risk",
                title=str(r),
                path=reverse("risks:detail", args=[r.arrangement.slug, r.uuid]),
                due=r.next_review_date,
                overdue=r.next_review_date < today,
                key=f"risk-review:{r.uuid}:{_when(r.next_review_date, today)}:{r.next_review_date.isoformat()}",
            ),
        )
        for r in rows
    ]


def _charter_reviews(today: date, user: Any, roles: _Roles) -> Found:
    from partnering.charter.models import REVIEW_DUE_WITHIN_DAYS, Charter

    rows = (
        Charter.objects.filter(review_date__lte=today + timedelta(days=REVIEW_DUE_WITHIN_DAYS))
        .filter(_where_held(user, Role.SRO, Role.SRIE))
        .select_related("arrangement")
        .only("uuid", "review_date", "arrangement__slug", "arrangement__title")
    )
    out = []
    for c in rows:
        task = _task(
            c.arrangement,
            group="review",
            kind="charter_review",
            what="Review the partnering charter",
            title="Partnering charter",
            path=reverse("charter:detail", args=[c.arrangement.slug]),
            due=c.review_date,
            overdue=c.review_date < today,
            key=f"charter-review:{c.uuid}:{_when(c.review_date, today)}:{c.review_date.isoformat()}",
        )
        out += [(uid, task) for side in (Side.CUSTOMER, Side.PROVIDER) for uid in roles.lead(c.arrangement_id, side)]
    return out


def _procurement_notices(today: date, user: Any, roles: _Roles) -> Found:
    """A contract performance notice due within 30 days or overdue (Procurement Act 2023, s.71),
    for the customer's managers who prepare it: three queries whatever the number."""
    from partnering.arrangements.models import Arrangement
    from partnering.core.policy import PERMISSIONS, Perm
    from partnering.procurement.due import DUE_SOON_DAYS
    from partnering.procurement.selectors import duties_for

    managers = sorted(PERMISSIONS[Perm.EDIT_ARRANGEMENT])
    held = _role_rows(user, managers).filter(membership__side=Side.CUSTOMER).values("arrangement_id")
    soon = today + timedelta(days=DUE_SOON_DAYS)
    out: Found = []
    for pk, duty in duties_for(Arrangement.objects.filter(pk__in=held), today=today).items():
        due = duty.due
        if due is None or due.on > soon:
            continue
        arrangement = duty.facts.arrangement
        task = _task(
            arrangement,
            group="review",
            kind="procurement_notice",
            what="Prepare the contract performance notice" + (" on termination" if due.reason == "termination" else ""),
            title="Contract performance notice",
            path=reverse("procurement:overview", args=[arrangement.slug]),
            due=due.on,
            overdue=due.on < today,
        )
        out += [(uid, task) for uid in roles.holders(pk, Side.CUSTOMER, *managers)]
    return out


#: Each kind: the app it reads and the function that finds it (one query each).
KINDS: dict[str, tuple[str, Callable[[date, Any, _Roles], Found]]] = {
    "answer": ("partnering.assessments", _answers),
    "agree_side": ("partnering.assessments", _sides_to_agree),
    "openness": ("partnering.arrangements", _openness),
    "outcomes": ("partnering.arrangements", _outcomes),
    "facilitator": ("partnering.arrangements", _facilitators),
    "lead_invitation": ("partnering.arrangements", _lead_invitations),
    "charter": ("partnering.charter", _charter),
    "kpi": ("partnering.kpis", _kpi_proposals),
    "gain_share": ("partnering.finance", _gain_share),
    "exit_plan": ("partnering.exit", _exit_plan),
    "concern": ("partnering.concerns", _concerns),
    "action": ("partnering.actions", _actions),
    "risk_review": ("partnering.risks", _risk_reviews),
    "charter_review": ("partnering.charter", _charter_reviews),
    "procurement_notice": ("partnering.procurement", _procurement_notices),
}


def waiting(*, today: date, user: Any = None, kinds: Iterable[str] | None = None) -> Found:
    """(user id, task) for what waits for `user`, or for everyone when `user` is None.

    `kinds` limits the search to some keys of KINDS (the digests remind of dated tasks only).
    """
    wanted = [k for k in (kinds or KINDS) if apps.is_installed(KINDS[k][0])]
    roles = _Roles()
    rows = _role_rows(user, Role.values).values_list(
        "arrangement_id", "membership__side", "role", "membership__user_id"
    )
    for arrangement_id, side, role, uid in rows:
        roles.held[arrangement_id].setdefault((side, role), []).append(uid)
    found: Found = []
    for kind in wanted:
        found += KINDS[kind][1](today, user, roles)
    return found


def _order(task: Task) -> tuple[Any, ...]:
    return (list(GROUPS).index(task.group), not task.overdue, task.due or date.max, task.arrangement_title, task.title)


def tasks_for(*, user: Any, today: date) -> list[Task]:
    """The signed-in person's own tasks, overdue first within each group."""
    if user is None or not user.is_authenticated:
        return []
    return sorted({t for _uid, t in waiting(today=today, user=user)}, key=_order)


def grouped(tasks: list[Task]) -> list[tuple[str, list[Task]]]:
    """The tasks under their headings, in GROUPS' order, leaving out empty groups."""
    by_group: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_group[task.group].append(task)
    return [(GROUPS[g], by_group[g]) for g in GROUPS if by_group[g]]
