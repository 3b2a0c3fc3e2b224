"""Demo portfolio: more Northshire arrangements, in different states, so warnings show something real.

Helen Carter (the demo SRO) becomes a portfolio manager of Northshire County
Council. Each extra arrangement is looked up by title first, so running the
demo twice changes nothing. Records are set up directly (this is fictional
history, with dates in the past), not through the services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from partnering.actions.models import Action
from partnering.arrangements.models import (
    Arrangement,
    Membership,
    OpennessProfile,
    RoleAssignment,
    SharedOutcome,
    new_slug,
)
from partnering.assessments.models import Answer, Assessment, AssessmentStatus, Participation, Perspective, QuestionBank
from partnering.core.choices import Role, Side, Stage
from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for

User = get_user_model()

PORTFOLIO_MANAGER = "helen.carter@northshire.example"

HEALTHY = "Northshire school admissions platform"
BEFORE_AWARD = "Northshire adult social care case management"
NOT_READY = "Northshire libraries digital service"
NEAR_EXIT = "Northshire data centre and hosting"


def _person(email: str) -> Any:
    return User.objects.get(email=email)


def _arrangement(
    main: Arrangement,
    title: str,
    *,
    stage: str,
    start_days: int | None,
    end_days: int | None,
    people: list[tuple[str, str, str]],
    outcomes: list[str],
    agreed: bool,
) -> Arrangement:
    now = timezone.now()
    today = timezone.localdate()
    arrangement = Arrangement.objects.create(
        slug=new_slug(title),
        title=title,
        customer=main.customer,
        provider=main.provider,
        stage=stage,
        contract_start=today - timedelta(days=start_days) if start_days is not None else None,
        contract_end=today + timedelta(days=end_days) if end_days is not None else None,
        created_by=_person(PORTFOLIO_MANAGER),
    )
    OpennessProfile.objects.create(arrangement=arrangement)
    for email, side, role in people:
        membership, _ = Membership.objects.get_or_create(
            arrangement=arrangement, user=_person(email), defaults={"side": side}
        )
        started = now - timedelta(days=start_days or 90)
        RoleAssignment.objects.create(arrangement=arrangement, membership=membership, role=role, started_at=started)
    for position, text in enumerate(outcomes):
        SharedOutcome.objects.create(
            arrangement=arrangement,
            text=text,
            position=position,
            customer_agreed_at=now if agreed else None,
            provider_agreed_at=now if agreed else None,
        )
    return arrangement


def _revealed(
    arrangement: Arrangement,
    key: str,
    *,
    days_ago: int,
    cycle: int | None,
    answers: dict[str, list[str]],
    participation: str = Participation.BOTH,
) -> Assessment:
    bank = QuestionBank.objects.get(key=key, is_current=True, organisation__isnull=True)
    when = timezone.now() - timedelta(days=days_ago)
    assessment = Assessment.objects.create(
        arrangement=arrangement,
        bank=bank,
        title=f"{bank.title}{f' (year {cycle})' if cycle else ''}",
        participation=participation,
        status=AssessmentStatus.REVEALED,
        cycle=cycle,
        customer_submitted_at=when if Side.CUSTOMER in answers else None,
        provider_submitted_at=when if Side.PROVIDER in answers else None,
        revealed_at=when,
    )
    ids = bank.bank.question_ids
    Answer.objects.bulk_create(
        Answer(assessment=assessment, side=side, question_id=qid, perspective=Perspective.SELF, value=value)
        for side, values in answers.items()
        for qid, value in zip(ids, values, strict=False)
    )
    return assessment


def _charter(arrangement: Arrangement, *, agreed: bool, review_days: int) -> None:
    if not apps.is_installed("partnering.charter"):
        return
    from partnering.charter.models import Charter, CharterVersion, VersionStatus

    now = timezone.now()
    charter = Charter.objects.create(
        arrangement=arrangement, review_date=timezone.localdate() + timedelta(days=review_days)
    )
    CharterVersion.objects.create(
        arrangement=arrangement,
        charter=charter,
        number=1,
        status=VersionStatus.AGREED if agreed else VersionStatus.DRAFT,
        principles="No blame; problems raised early; decisions at the lowest sensible level.",
        sro_signed_at=now if agreed else None,
        srie_signed_at=now if agreed else None,
        agreed_at=now if agreed else None,
    )


LEADS = [
    ("priya.shah@northshire.example", Side.CUSTOMER, Role.SRO),
    ("sophie.turner@brightwave.example", Side.PROVIDER, Role.SRIE),
    ("audit@northshire.example", Side.CUSTOMER, Role.OBSERVER),
]


@demo_hook
@transaction.atomic
def demo_portfolio(main: Arrangement) -> None:
    from partnering.assessments.services import banks_sync_builtin

    User.objects.filter(email=PORTFOLIO_MANAGER).update(is_portfolio_manager=True)
    if Arrangement.objects.filter(customer=main.customer, title=HEALTHY).exists():
        return
    banks_sync_builtin()
    today = timezone.localdate()

    # Healthy: in service for 14 months, the council's Annex A done before award, last year's health
    # check all 'Yes', charter agreed, a KPI with an agreed baseline.
    healthy = _arrangement(
        main,
        HEALTHY,
        stage=Stage.IN_SERVICE,
        start_days=425,
        end_days=4 * 365,
        people=LEADS,
        outcomes=["Every family applies for a school place online, first time."],
        agreed=True,
    )
    _revealed(
        healthy,
        "annual-health-check",
        days_ago=50,
        cycle=1,
        answers={Side.CUSTOMER: ["yes"] * 5, Side.PROVIDER: ["yes"] * 5},
    )
    annex_a = QuestionBank.objects.get(key="annex-a", is_current=True, organisation__isnull=True).bank
    _revealed(
        healthy,
        "annex-a",
        days_ago=425 + 200,
        cycle=None,
        answers={Side.CUSTOMER: ["yes"] * len(annex_a.question_ids)},
        participation=Participation.CUSTOMER,
    )
    _charter(healthy, agreed=True, review_days=200)
    _agreed_exit_strategy(healthy)
    _kpi_with_agreed_baseline(healthy, "Applications completed online first time", unit="%", baseline="82")

    # Before award, with its procurement strategy under way: the SRO is named (no SRIE is expected yet),
    # but the outcomes the council wants are not written down and nobody has answered Annex A.
    _arrangement(
        main,
        BEFORE_AWARD,
        stage=Stage.PROCUREMENT_STRATEGY,
        start_days=None,
        end_days=None,
        people=[("daniel.okafor@northshire.example", Side.CUSTOMER, Role.SRO)],
        outcomes=[],
        agreed=False,
    )

    # In its third year: only the first health check done, and the council's own Annex A has a 'No'.
    not_ready = _arrangement(
        main,
        NOT_READY,
        stage=Stage.IN_SERVICE,
        start_days=2 * 365 + 60,
        end_days=3 * 365,
        people=LEADS,
        outcomes=["Library members borrow e-books and book rooms online."],
        agreed=True,
    )
    _revealed(
        not_ready,
        "annual-health-check",
        days_ago=2 * 365 - 30,
        cycle=1,
        answers={
            Side.CUSTOMER: ["yes", "partly", "yes", "yes", "partly"],
            Side.PROVIDER: ["yes", "yes", "yes", "yes", "yes"],
        },
    )
    readiness = ["yes"] * len(annex_a.question_ids)
    readiness[2] = "no"
    _revealed(
        not_ready,
        "annex-a",
        days_ago=120,
        cycle=None,
        answers={Side.CUSTOMER: readiness},
        participation=Participation.CUSTOMER,
    )
    _charter(not_ready, agreed=True, review_days=-40)

    # Near its end with no exit strategy; a red risk nobody owns; actions left overdue.
    near_exit = _arrangement(
        main,
        NEAR_EXIT,
        stage=Stage.EXIT,
        start_days=7 * 365 - 150,
        end_days=150,
        people=LEADS,
        outcomes=["The council's systems run in an accredited data centre at a lower cost."],
        agreed=True,
    )
    _charter(near_exit, agreed=True, review_days=100)
    from partnering.risks import scoring
    from partnering.risks.models import Risk

    Risk.objects.create(
        arrangement=near_exit,
        reference="R-001",
        number=1,
        title="Systems not migrated before the contract ends",
        owning_side="joint",
        likelihood=4,
        impact=5,
        score=20,
        rating=scoring.rating_for(20),
        category="implementation",
    )
    for title, days in (("Agree the migration plan", 30), ("Name the receiving team", 12)):
        Action.objects.create(
            arrangement=near_exit,
            title=title,
            owner=_person("priya.shah@northshire.example"),
            due_date=today - timedelta(days=days),
        )


def _kpi_with_agreed_baseline(arrangement: Arrangement, name: str, *, unit: str, baseline: str) -> None:
    """A KPI whose baseline the provider proposed and the customer agreed, as both sides do on the KPIs page."""
    if not apps.is_installed("partnering.kpis"):
        return
    from decimal import Decimal

    from partnering.kpis.models import BaselineProposal, Kpi

    kpi = Kpi.objects.create(arrangement=arrangement, name=name, unit=unit, created_by=_person(LEADS[0][0]))
    BaselineProposal.objects.create(
        kpi=kpi,
        value=Decimal(baseline),
        proposed_by=_person(LEADS[1][0]),
        proposed_side=Side.PROVIDER,
        agreed_by=_person(LEADS[0][0]),
        agreed_side=Side.CUSTOMER,
        agreed_at=timezone.now(),
    )


def _agreed_exit_strategy(arrangement: Arrangement) -> None:
    """An exit strategy both leads agreed before award, as the guide asks."""
    if not apps.is_installed("partnering.exit"):
        return
    from partnering.exit import services as exit_services

    sro = access_for(user=User.objects.get(email=LEADS[0][0]), arrangement_slug=arrangement.slug)
    exit_services.exit_strategy_save(
        access=sro,
        expected_version=0,
        values={
            "triggers": "End of contract term; persistent failure of the service credits regime.",
            "timeline": "Recompetition decision 18 months before the end; handover in the last 6 months.",
            "continuity": "Parallel running of the admissions service for one full admissions round.",
        },
    )
    exit_services.exit_strategy_agree(access=sro)
    srie = access_for(user=User.objects.get(email=LEADS[1][0]), arrangement_slug=arrangement.slug)
    exit_services.exit_strategy_agree(access=srie)
