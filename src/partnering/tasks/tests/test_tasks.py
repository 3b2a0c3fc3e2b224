"""What is waiting for each person: the home page, the API and the selector behind both."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partnering.actions.services import action_create
from partnering.arrangements.models import Membership, OpennessProposal
from partnering.arrangements.services import openness_propose
from partnering.assessments.models import QuestionBank, Respondent
from partnering.assessments.services import assessment_start, banks_ensure_builtin
from partnering.concerns.services import concern_raise
from partnering.core.choices import Role, Side, Visibility
from partnering.tasks.selectors import tasks_for
from partnering.testing import ArrangementFactory, add_member

TODAY = timezone.localdate()


def titles(user: Any, group: str | None = None) -> list[str]:
    return [t.title for t in tasks_for(user=user, today=TODAY) if group is None or t.group == group]


def both_sides(world: Any, arrangement: Any = None, title: str = "Readiness review") -> Any:
    banks_ensure_builtin()
    bank = QuestionBank.objects.get(key="annex-a", is_current=True)
    return assessment_start(
        access=world.access(world.alice, arrangement), bank=bank, title=title, due_date=TODAY + timedelta(days=3)
    )


def invite(assessment: Any, *people: tuple[Any, str], submitted: bool = False) -> None:
    for user, side in people:
        Respondent.objects.create(
            assessment=assessment,
            user=user,
            name=user.get_full_name(),
            side=side,
            submitted_at=timezone.now() if submitted else None,
        )


def propose_openness(world: Any, user: Any, arrangement: Any = None, reason: str = "", **change: Any) -> Any:
    arrangement = arrangement or world.arrangement
    settings = {**arrangement.openness.as_dict(), **change}
    return openness_propose(access=world.access(user, arrangement), settings=settings, reason=reason)


def raise_concern(world: Any, user: Any, title: str = "Invoices late") -> Any:
    return concern_raise(
        access=world.access(user), title=title, description="d", impact="i", other_side_view="They see it as minor."
    )


def test_an_invited_respondent_is_asked_for_their_answers_until_their_side_submits(world):
    assessment = both_sides(world)
    invite(assessment, (world.carol, Side.CUSTOMER), (world.peter, Side.PROVIDER))

    assert titles(world.carol, "answer") == ["Readiness review"]
    assert titles(world.peter, "answer") == ["Readiness review"]
    assert titles(world.charlie) == titles(world.dave) == []

    assessment.customer_submitted_at = timezone.now()
    assessment.save()

    assert titles(world.carol, "answer") == []
    assert titles(world.peter, "answer") == ["Readiness review"]


def test_the_side_lead_is_asked_to_agree_once_every_respondent_of_the_side_has_answered(world):
    assessment = both_sides(world)
    invite(assessment, (world.carol, Side.CUSTOMER))
    invite(assessment, (world.peter, Side.PROVIDER), submitted=True)

    assert titles(world.alice, "agree_side") == []  # carol has not answered yet
    assert titles(world.bob, "agree_side") == ["Readiness review"]
    Respondent.objects.filter(user=world.carol).update(submitted_at=timezone.now())
    assert titles(world.alice, "agree_side") == ["Readiness review"]
    assert titles(world.carol, "agree_side") == titles(world.fran, "agree_side") == []


def test_an_openness_proposal_waits_for_the_side_that_has_not_agreed(world):
    propose_openness(world, world.alice, reason="Own registers", single_risk_register=False)

    assert titles(world.bob, "agreement") == ["Own registers"]
    assert titles(world.alice, "agreement") == []  # the proposer's agreement counts at once
    assert titles(world.peter) == titles(world.charlie) == []

    OpennessProposal.objects.update(status="agreed")
    assert titles(world.bob, "agreement") == []


def test_a_concern_waits_for_the_other_side_only_once_shared(world):
    shared = raise_concern(world, world.alice, "Shared concern")
    private = raise_concern(world, world.alice, "Private concern")
    private.visibility = Visibility.CUSTOMER_ONLY
    private.save()

    assert titles(world.bob, "concern") == [f"{shared.reference} Shared concern"]
    assert titles(world.alice, "concern") == titles(world.carol, "concern") == []  # their own side raised it
    assert titles(world.peter, "concern") == []  # only the relationship manager and the lead are asked


def test_actions_due_within_a_week_are_listed_but_never_the_other_sides_private_ones(world):
    bob = world.access(world.bob)
    action_create(access=bob, title="Ours, overdue", owner=world.bob, due_date=TODAY - timedelta(days=1))
    action_create(access=bob, title="Ours, next month", owner=world.bob, due_date=TODAY + timedelta(days=30))
    secret = action_create(access=world.access(world.alice), title="Customer only", owner=world.alice, due_date=TODAY)
    # An action private to the customer whose owner is (wrongly) on the provider side stays hidden from him.
    type(secret).objects.filter(pk=secret.pk).update(owner=world.bob, visibility=Visibility.CUSTOMER_ONLY)

    tasks = tasks_for(user=world.bob, today=TODAY)

    assert [(t.title, t.overdue) for t in tasks if t.group == "action"] == [("Ours, overdue", True)]


def test_nothing_is_listed_from_an_arrangement_the_person_has_left(world):
    assessment = both_sides(world)
    invite(assessment, (world.carol, Side.CUSTOMER))
    Membership.objects.filter(user=world.carol).update(is_active=False)

    assert titles(world.carol) == []


def test_a_proposed_facilitator_waits_for_the_other_lead_only(world):
    from partnering.accounts.models import Organisation
    from partnering.arrangements.people import facilitator_propose
    from partnering.testing import UserFactory

    neutral = Organisation.objects.get(name="Meridian Facilitation")
    UserFactory(email="gill@meridian.example", full_name="Gill Green", organisation=neutral)
    facilitator_propose(access=world.access(world.alice), email="gill@meridian.example")

    assert titles(world.bob, "agreement") == ["Gill Green"]
    assert titles(world.alice, "agreement") == []
    assert titles(world.peter) == titles(world.fran) == []


def test_an_invitation_to_lead_the_provider_side_waits_for_the_person_invited(world):
    from partnering.arrangements.people import provider_lead_invite
    from partnering.arrangements.services import arrangement_create

    arrangement = arrangement_create(user=world.alice, title="Waste services", provider=world.provider)
    provider_lead_invite(access=world.access(world.alice, arrangement), email=world.peter.email)

    assert titles(world.peter, "agreement") == ["Waste services"]
    assert "Waste services" not in titles(world.alice) + titles(world.bob)


def test_a_contract_performance_notice_due_waits_for_the_customers_managers(world):
    from decimal import Decimal

    from partnering.procurement.models import ContractFacts

    world.arrangement.contract_start = TODAY - timedelta(days=350)
    world.arrangement.stage = "in_service"
    world.arrangement.save()
    ContractFacts.objects.create(arrangement=world.arrangement, estimated_value=Decimal("6000000"))

    assert titles(world.alice, "review") == ["Contract performance notice"]
    assert titles(world.carol, "review") == ["Contract performance notice"]
    assert titles(world.bob) == titles(world.peter) == titles(world.dave) == []


def test_the_number_of_queries_does_not_grow_with_arrangements_or_tasks(world):
    def add_arrangement(n: int) -> None:
        for i in range(n):
            arrangement = ArrangementFactory(customer=world.customer, provider=world.provider)
            add_member(arrangement, world.alice, Side.CUSTOMER, Role.SRO)
            add_member(arrangement, world.bob, Side.PROVIDER, Role.SRIE)
            assessment = both_sides(world, arrangement, title=f"Gate 0 {n}-{i}")
            invite(assessment, (world.alice, Side.CUSTOMER))
            propose_openness(world, world.bob, arrangement, open_book="none")
            action_create(
                access=world.access(world.alice, arrangement), title="Follow up", owner=world.alice, due_date=TODAY
            )

    counts = []
    for n in (1, 4):
        add_arrangement(n)
        with CaptureQueriesContext(connection) as ctx:
            tasks = tasks_for(user=world.alice, today=TODAY)
        assert len(tasks) >= 3 * n
        counts.append(len(ctx.captured_queries))
    # One query of the person's roles, then one per kind of task (KINDS), whatever their number.
    assert counts == [17, 17]


def test_the_home_page_lists_what_waits_and_links_to_where_it_is_done(client, world):
    assessment = both_sides(world)
    invite(assessment, (world.carol, Side.CUSTOMER))
    client.force_login(world.carol)

    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Answers to give" in page
    assert f"/arrangements/{world.arrangement.slug}/assessments/{assessment.uuid}/answer/" in page
    assert "Digital services" in page  # the arrangement, named under the task


def test_the_home_page_says_when_nothing_waits(client, world):
    client.force_login(world.dave)

    page = client.get("/").content.decode()

    assert "Nothing is waiting for you today" in page
    assert "Your arrangements" in page


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_the_api_gives_the_same_list(world):
    assessment = both_sides(world)
    invite(assessment, (world.peter, Side.PROVIDER))
    api = APIClient()
    api.force_login(world.peter)

    response = api.get("/api/v1/me/tasks/")

    assert response.status_code == 200
    assert [(t["kind"], t["title"], t["arrangement"]["slug"]) for t in response.data] == [
        ("answer", "Readiness review", world.arrangement.slug)
    ]
    assert response.data[0]["url"].endswith(f"/assessments/{assessment.uuid}/answer/")
    assert APIClient().get("/api/v1/me/tasks/").status_code == 401


def test_the_api_schema_documents_the_list(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "/api/v1/me/tasks/" in schema["paths"]
    assert "Task" in schema["components"]["schemas"]


@pytest.mark.parametrize("kind", ["exit_plan", "charter"])
def test_two_signature_agreements_wait_for_the_lead_who_has_not_signed(world, kind):
    if kind == "exit_plan":
        from partnering.exit.models import ExitStrategy

        ExitStrategy.objects.create(
            arrangement=world.arrangement, triggers="t", timeline="t", continuity="c", sro_agreed_at=timezone.now()
        )
    else:
        from partnering.charter.models import Charter, CharterVersion

        charter = Charter.objects.create(arrangement=world.arrangement)
        CharterVersion.objects.create(
            arrangement=world.arrangement, charter=charter, number=1, sro_signed_at=timezone.now()
        )

    assert [t.kind for t in tasks_for(user=world.bob, today=TODAY)] == [kind]
    assert tasks_for(user=world.alice, today=TODAY) == []
    assert tasks_for(user=world.peter, today=TODAY) == []


def test_the_reminder_digests_come_from_the_same_list(world):
    from django.conf import settings

    from partnering.archive.reminders import digests

    assessment = both_sides(world)
    invite(assessment, (world.carol, Side.CUSTOMER), (world.peter, Side.PROVIDER))
    assert [i.title for i in digests(today=TODAY)[world.carol]] == ["Readiness review"]

    assessment.customer_submitted_at = timezone.now()
    assessment.save()

    # Once her side has submitted, carol can no longer answer: neither listed nor reminded.
    reminded = digests(today=TODAY)
    assert world.carol not in reminded
    assert [i.url for i in reminded[world.peter]] == [
        settings.SITE_URL.rstrip("/") + f"/arrangements/{world.arrangement.slug}/assessments/{assessment.uuid}/answer/"
    ]
