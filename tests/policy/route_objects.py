"""Objects that URL kwargs point at, for the route × user access matrix.

Every URL kwarg of the project, other than the arrangement's `slug`, needs a
factory here. The matrix test fails on a kwarg it does not know, so that a
new route cannot slip through unchecked: register one with `@route_object`.

Where one kwarg name means different objects on different routes (the API
names every record `uuid`), register it for a route-name prefix as well:
`@route_object("uuid", routes="api:arrangement-member")`. The most specific
registration wins.

A factory receives the standard test world (`partnering.testing.World`) and
returns the value to put in the URL. Objects belong to `world.arrangement`,
the arrangement alice, bob, dave and fran are members of and charlie is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partnering.testing import World


@dataclass(frozen=True)
class RouteObject:
    make: Callable[[World], Any]
    #: Users (by world attribute) whose GET may answer 404 because the object
    #: is not theirs to see, for example a token of another person. None: all members see it.
    hidden_from: frozenset[str] = frozenset()
    #: True when the value is the arrangement's slug: the route is arrangement-scoped.
    names_arrangement: bool = False


REGISTRY: dict[str, RouteObject] = {}


def route_object(
    kwarg: str, *, routes: str = "", hidden_from: tuple[str, ...] = (), names_arrangement: bool = False
) -> Callable:
    def register(make: Callable[[World], Any]) -> Callable[[World], Any]:
        entry = RouteObject(make, frozenset(hidden_from), names_arrangement)
        REGISTRY[f"{kwarg}@{routes}" if routes else kwarg] = entry
        return make

    return register


def object_for(route_name: str, kwarg: str) -> RouteObject | None:
    """The registration for `kwarg` on the route named `route_name`, the longest prefix first."""
    scoped = [
        (len(key), entry)
        for key, entry in REGISTRY.items()
        if key.startswith(f"{kwarg}@") and route_name.startswith(key.split("@", 1)[1])
    ]
    if scoped:
        return max(scoped, key=lambda found: found[0])[1]
    return REGISTRY.get(kwarg)


@route_object("slug", names_arrangement=True)
@route_object("arrangement_slug", names_arrangement=True)
def _arrangement_slug(world: World) -> str:
    return world.arrangement.slug


@route_object("slug", routes="api:organisation")
def _organisation_slug(world: World) -> str:
    return world.provider.slug


@route_object("membership_uuid")
@route_object("uuid", routes="api:arrangement-member")
def _membership(world: World) -> str:
    # Carol's membership: a customer-side member who is neither SRO nor observer.
    return str(world.arrangement.memberships.get(user=world.carol).uuid)


@route_object("outcome_uuid")
@route_object("uuid", routes="api:arrangement-outcome")
def _outcome(world: World) -> str:
    from partnering.arrangements.models import SharedOutcome

    outcome = SharedOutcome.objects.create(arrangement=world.arrangement, text="Residents served first time")
    return str(outcome.uuid)


@route_object("proposal_uuid")
@route_object("uuid", routes="api:arrangement-openness-proposal")
def _openness_proposal(world: World) -> str:
    from partnering.arrangements import services

    settings = world.arrangement.openness.as_dict() | {"single_project_budget": True}
    proposal = services.openness_propose(access=world.access(world.bob), settings=settings)
    return str(proposal.uuid)


@route_object("action_uuid")
@route_object("uuid", routes="api:arrangement-action")
def _action(world: World) -> str:
    from partnering.actions.models import Action

    action = Action.objects.create(
        arrangement=world.arrangement, title="Agree the exit plan", owner=world.alice, created_by=world.alice
    )
    return str(action.uuid)


@route_object("token_uuid", hidden_from=("bob", "charlie", "dave", "fran"))
def _api_token(world: World) -> str:
    from partnering.accounts.services import token_create

    token, _raw = token_create(user=world.alice, name="Matrix")
    return str(token.uuid)


@route_object("uidb64")
def _password_reset_uid(world: World) -> str:
    return urlsafe_base64_encode(force_bytes(world.alice.pk))


@route_object("token")
def _password_reset_token(world: World) -> str:
    return default_token_generator.make_token(world.alice)


@route_object("format")
def _api_format(world: World) -> str:
    # DRF's format-suffix routes (for example /api/v1/.json).
    return "json"


# -- assessments ---------------------------------------------------------------


def _bank(world: World) -> Any:
    from partnering.assessments.models import QuestionBank
    from partnering.assessments.services import banks_ensure_builtin

    banks_ensure_builtin()
    return QuestionBank.objects.filter(organisation__isnull=True, is_current=True).order_by("key").first()


def _assessment(world: World) -> Any:
    from partnering.assessments.models import Assessment
    from partnering.assessments.services import assessment_start

    found = Assessment.objects.filter(arrangement=world.arrangement).first()
    if found is None:
        found = assessment_start(access=world.access(world.alice), bank=_bank(world))
        # Revealed, so that every page of a finished cycle opens (results, actions, trend).
        # Set directly: answering every question for both sides is not this test's concern.
        Assessment.objects.filter(pk=found.pk).update(status="revealed", revealed_at=timezone.now())
        found.refresh_from_db()
    return found


@route_object("assessment_uuid")
@route_object("uuid", routes="api:arrangement-assessment")
def _assessment_uuid(world: World) -> str:
    return str(_assessment(world).uuid)


@route_object("question_id")
def _question_id(world: World) -> str:
    return _assessment(world).bank.bank.question_ids[0]


@route_object("bank_key")
@route_object("key", routes="api:bank")
def _bank_key(world: World) -> str:
    return _assessment(world).bank.key


@route_object("version")
def _bank_version(world: World) -> int:
    return _bank(world).version


@route_object("survey_uuid")
def _pulse_survey(world: World) -> str:
    survey = _survey(world)
    return str(survey.uuid)


@route_object("token", routes="assessments:pulse_public")
def _pulse_token(world: World) -> str:
    """One person's single-use link: only its hash is stored, so a token is made here."""
    from partnering.assessments.models import PulseInvitation
    from partnering.assessments.pulse import hash_token

    token = "route-matrix-pulse-link"
    survey = _survey(world)
    if not PulseInvitation.objects.filter(token_hash=hash_token(token)).exists():
        PulseInvitation.objects.create(
            survey=survey, token_hash=hash_token(token), side="customer", team="Service desk"
        )
    return token


def _survey(world: World) -> Any:
    from partnering.arrangements.models import OpennessProfile
    from partnering.assessments.models import PulseSurvey
    from partnering.assessments.pulse import pulse_create

    found = PulseSurvey.objects.filter(arrangement=world.arrangement).first()
    if found is not None:
        return found
    # Pulse surveys need the 360° staff reporting that both sides agreed.
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(staff_360_reporting=True)
    world.arrangement.openness.refresh_from_db()
    return pulse_create(access=world.access(world.alice), bank=_bank(world), title="Pulse", teams=["Service desk"])


# -- risks -----------------------------------------------------------------------


@route_object("risk_uuid")
def _risk(world: World) -> str:
    from partnering.risks.services import risk_create

    risk = risk_create(
        access=world.access(world.alice), title="Key people leave", owning_side="customer", likelihood=3, impact=4
    )
    return str(risk.uuid)


# -- concerns and peers ------------------------------------------------------------


@route_object("concern_uuid")
def _concern(world: World) -> str:
    from partnering.concerns.services import concern_raise

    concern = concern_raise(
        access=world.access(world.alice),
        title="Change requests wait weeks for a decision",
        description="Requests sit in the queue.",
        impact="Release 2 slips.",
        other_side_view="The provider sees requests arriving without priorities.",
    )
    return str(concern.uuid)


@route_object("peer_uuid")
def _peer_pair(world: World) -> str:
    from partnering.relationships.models import PeerPair

    pair = PeerPair.objects.create(
        arrangement=world.arrangement,
        customer_member=world.arrangement.memberships.get(user=world.alice),
        provider_member=world.arrangement.memberships.get(user=world.bob),
        label="SRO–SRIE",
    )
    return str(pair.uuid)


# -- charter and board -------------------------------------------------------------


@route_object("version_uuid")
def _charter_version(world: World) -> str:
    from partnering.charter.services import charter_edit

    version = charter_edit(
        access=world.access(world.alice), expected_number=0, expected_version=0, values={"principles": "No blame."}
    )
    return str(version.uuid)


@route_object("workshop_uuid")
def _charter_workshop(world: World) -> str:
    from django.utils import timezone

    from partnering.charter.services import workshop_create

    workshop = workshop_create(
        access=world.access(world.alice),
        title="Charter workshop",
        held_on=timezone.localdate(),
        attendees=[world.alice, world.bob],
    )
    return str(workshop.uuid)


def _board_meeting(world: World) -> Any:
    from django.utils import timezone

    from partnering.board.models import Meeting
    from partnering.board.services import meeting_create

    found = Meeting.objects.filter(arrangement=world.arrangement).first()
    return found or meeting_create(access=world.access(world.alice), title="Board", held_on=timezone.localdate())


@route_object("meeting_uuid")
def _board_meeting_uuid(world: World) -> str:
    return str(_board_meeting(world).uuid)


@route_object("decision_uuid")
def _board_decision(world: World) -> str:
    from partnering.board.services import decision_add

    decision = decision_add(access=world.access(world.alice), meeting=_board_meeting(world), title="Go ahead")
    return str(decision.uuid)


# -- KPIs ---------------------------------------------------------------------------


def _kpi(world: World) -> Any:
    from partnering.kpis.models import Kpi
    from partnering.kpis.services import kpi_create

    found = Kpi.objects.filter(arrangement=world.arrangement).first()
    return found or kpi_create(access=world.access(world.alice), name="First-time fix", unit="%")


@route_object("kpi_uuid")
def _kpi_uuid(world: World) -> str:
    return str(_kpi(world).uuid)


def _kpi_proposal(world: World, what: str) -> str:
    # The provider proposes, so that the customer (alice) may agree and the provider (bob) may not.
    from partnering.kpis.services import proposal_make

    proposal = proposal_make(access=world.access(world.bob), kpi=_kpi(world), what=what, value=80)
    return str(proposal.uuid)


@route_object("baseline_uuid")
def _kpi_baseline(world: World) -> str:
    return _kpi_proposal(world, "baseline")


@route_object("target_uuid")
def _kpi_target(world: World) -> str:
    return _kpi_proposal(world, "target")


@route_object("measurement_uuid")
def _measurement(world: World) -> str:
    from django.utils import timezone

    from partnering.kpis.services import measurement_record

    measurement = measurement_record(
        access=world.access(world.bob), kpi=_kpi(world), period=timezone.localdate(), value=82
    )
    return str(measurement.uuid)


# -- open book and incentives (partnering.finance) ---------------------------------


@route_object("line_uuid", hidden_from=("fran",))  # the facilitator reads neither book
@route_object("uuid", routes="api:arrangement-cost-line", hidden_from=("fran",))
def _cost_line(world: World) -> str:
    from datetime import date
    from decimal import Decimal

    from partnering.finance.services import cost_line_create

    line = cost_line_create(
        access=world.access(world.alice),
        period=date(2026, 4, 1),
        category="staff",
        description="Contract management team",
        planned=Decimal("1000.00"),
    )
    return str(line.uuid)


def _incentive(world: World) -> Any:
    from decimal import Decimal

    from partnering.finance.models import IncentiveMechanism
    from partnering.finance.services import incentive_agree, incentive_propose

    found = IncentiveMechanism.objects.filter(arrangement=world.arrangement).first()
    if found is None:
        terms = {
            "name": "Hosting savings",
            "basis": "cost",
            "baseline": Decimal("10000.00"),
            "customer_gain_pct": 50,
            "provider_gain_pct": 50,
            "customer_pain_pct": 50,
            "provider_pain_pct": 50,
        }
        proposal = incentive_propose(access=world.access(world.alice), terms=terms)
        found = incentive_agree(access=world.access(world.bob), proposal=proposal).mechanism
    return found


@route_object("mechanism_uuid")
@route_object("uuid", routes="api:arrangement-incentive")
def _incentive_uuid(world: World) -> str:
    return str(_incentive(world).uuid)


@route_object("proposal_uuid", routes="finance:")
def _incentive_proposal(world: World) -> str:
    from decimal import Decimal

    from partnering.finance.services import incentive_propose

    mechanism = _incentive(world)
    terms = mechanism.terms_dict() | {"baseline": Decimal("12000.00")}
    return str(incentive_propose(access=world.access(world.alice), mechanism=mechanism, terms=terms).uuid)


# -- lessons and exit --------------------------------------------------------------


@route_object("lesson_uuid")
def _lesson(world: World) -> str:
    from partnering.lessons.services import lesson_create

    lesson = lesson_create(
        access=world.access(world.alice),
        title="Agree data quality before migration",
        what_happened="Migration slipped while both sides debated what clean data meant.",
        lesson="Acceptance criteria belong in the contract.",
        tags="data, migration",
    )
    return str(lesson.uuid)


@route_object("item_uuid")
def _handover_item(world: World) -> str:
    from partnering.exit.services import handover_item_add

    item = handover_item_add(access=world.access(world.alice), title="Runbooks", owner=world.bob)
    return str(item.uuid)


# -- archive: Gateway packs --------------------------------------------------------


@route_object("gate")
def _gateway_gate(world: World) -> int:
    return 0


@route_object("invitation_uuid")
@route_object("uuid", routes="api:arrangement-invitation")
def _facilitator_proposal(world: World) -> str:
    """A facilitator proposed by the customer's SRO, waiting for the SRIE."""
    from partnering.accounts.models import Organisation
    from partnering.arrangements import people
    from partnering.testing import UserFactory

    neutral = Organisation.objects.get(name="Meridian Facilitation")
    UserFactory(email="gill@meridian.example", full_name="Gill Green", organisation=neutral)
    proposal = people.facilitator_propose(access=world.access(world.alice), email="gill@meridian.example")
    return str(proposal.uuid)


@route_object("uuid", routes="api:my-invitation", hidden_from=("alice", "bob", "charlie", "dave", "fran"))
def _provider_lead_invitation(world: World) -> str:
    """Peter's invitation to lead the provider side of another arrangement of alice's: his alone."""
    from partnering.arrangements import people, services

    arrangement = services.arrangement_create(user=world.alice, title="Waste services", provider=world.provider)
    invitation = people.provider_lead_invite(access=world.access(world.alice, arrangement), email=world.peter.email)
    return str(invitation.uuid)


# -- the Procurement Act 2023 (partnering.procurement) ----------------------------------


def _performance_assessment(world: World) -> Any:
    """A shared assessment (both sides and the facilitator see it) rating one published KPI."""
    from datetime import date

    from partnering.procurement.models import PerformanceAssessment, PublishedKpi
    from partnering.procurement.services import assessment_share, assessment_start, kpi_publish

    found = PerformanceAssessment.objects.filter(arrangement=world.arrangement).first()
    if found is None:
        kpi = _kpi(world)
        alice = world.access(world.alice)
        if not PublishedKpi.objects.filter(kpi=kpi).exists():
            kpi_publish(access=alice, kpi=kpi)
        found = assessment_start(access=alice, period_start=date(2025, 4, 1), period_end=date(2026, 3, 31))
        found = assessment_share(access=alice, assessment=found)
    return found


@route_object("assessment_uuid", routes="procurement:")
@route_object("uuid", routes="api:arrangement-performance-assessment")
def _performance_assessment_uuid(world: World) -> str:
    return str(_performance_assessment(world).uuid)


@route_object("rating_uuid")
def _kpi_rating(world: World) -> str:
    return str(_performance_assessment(world).ratings.first().uuid)


@route_object("issue_uuid")
@route_object("uuid", routes="api:arrangement-performance-issue")
def _performance_issue(world: World) -> str:
    # Told to the provider, so that every member may see it (an untold one is the customer's alone).
    from datetime import date

    from partnering.procurement.services import issue_add, issue_tell_provider

    alice = world.access(world.alice)
    issue = issue_add(access=alice, kind="poor_performance", description="Late release.", occurred_on=date(2026, 5, 1))
    return str(issue_tell_provider(access=alice, issue=issue).uuid)
