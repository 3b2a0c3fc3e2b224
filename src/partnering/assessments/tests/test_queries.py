"""Query counts: the assessment pages cost the same whatever the number of questions, respondents or rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnering.assessments import services
from partnering.assessments.models import Assessment
from partnering.assessments.tests.test_services import agree_all, answer_all, invite, start, submit_side
from partnering.core.choices import Role, Side
from partnering.testing import UserFactory, add_member


def _people(world, n: int) -> list:
    """`n` extra people who can answer, half on each side."""
    people = []
    for i in range(n):
        side = Side.CUSTOMER if i % 2 == 0 else Side.PROVIDER
        org = world.customer if side == Side.CUSTOMER else world.provider
        user = UserFactory(email=f"extra{i}@{side}.example", full_name=f"Extra {i}", organisation=org)
        add_member(world.arrangement, user, side, Role.CONTRACT_MANAGER)
        people.append(user)
    return people


def _revealed(world, key: str, respondents: list, *, comment: str = "A comment") -> Assessment:
    """An assessment every respondent answered (with comments), revealed, with an action on each question.

    Only the sides the bank asks answer: both for the annexes, the customer alone for the SRO's banks.
    """
    assessment = start(world, key)
    respondents = [p for p in respondents if world.access(p).side in assessment.sides]
    invite(world, assessment, *respondents)
    values = assessment.bank.bank.scale.values
    for person in respondents:
        answer_all(world, assessment, person, values[1], comment=comment)
    leads = {Side.CUSTOMER: (world.alice, values[0]), Side.PROVIDER: (world.bob, values[1])}
    for side in assessment.sides:
        agree_all(world, assessment, leads[side][0], leads[side][1], comment=comment)
    for side in assessment.sides:
        assessment = submit_side(world, assessment, leads[side][0])
    for qid in assessment.bank.bank.question_ids:
        services.action_from_assessment(
            access=world.access(world.alice),
            assessment=assessment,
            question_id=qid,
            reason="gap" if len(assessment.sides) == 2 else "attention",
            title=f"Act on {qid}",
            owner=world.carol,
            due_date=timezone.localdate() + timedelta(days=7),
        )
    return assessment


def _count(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _explain(small: list[str], large: list[str]) -> str:
    return "small:\n" + "\n".join(small) + "\n\nlarge:\n" + "\n".join(large)


def _url(world, assessment: Assessment, page: str) -> str:
    return f"/arrangements/{world.arrangement.slug}/assessments/{assessment.uuid}/{page}"


@pytest.fixture
def small_and_large(world):
    """Annex A (10 questions, both sides) with 2 respondents; Gate 2 (14 questions, the SRO's: the
    customer side alone) with its 4 customer-side respondents."""
    people = _people(world, 6)
    small = _revealed(world, "annex-a", [world.carol, world.peter])
    large = _revealed(world, "gate-2", [world.carol, world.peter, *people])
    return small, large


def test_the_results_page_costs_the_same_for_more_questions_and_respondents(client, world, small_and_large):
    small, large = small_and_large
    client.force_login(world.alice)
    client.get(_url(world, small, "results/"))  # warm the content type cache, as in a running server

    n_small, q_small = _count(client, _url(world, small, "results/"))
    n_large, q_large = _count(client, _url(world, large, "results/"))

    assert n_small == n_large, _explain(q_small, q_large)


def test_the_results_page_reads_the_answers_respondents_and_actions_once_each(
    client, world, small_and_large, django_assert_num_queries
):
    _small, large = small_and_large
    client.force_login(world.alice)
    client.get(_url(world, large, "results/"))

    # 1 session, 2 user, 3 membership with arrangement, organisations and openness, 4 current roles,
    # 5 the assessment with its bank and previous cycle, 6 the visible answers, 7 the respondents,
    # 8 the actions raised from the assessment, with their owners.
    with django_assert_num_queries(8):
        response = client.get(_url(world, large, "results/"))

    assert len(response.context["r"].rows) == 14


def test_the_side_page_costs_the_same_for_more_questions_and_respondents(client, world):
    people = [p for p in _people(world, 6) if p.organisation == world.customer]  # Gate 2 is the SRO's
    small = start(world, "annex-a")
    invite(world, small, world.carol, world.alice)
    large = start(world, "gate-2")
    invite(world, large, world.carol, world.alice, *people)
    for assessment, respondents in ((small, [world.carol, world.alice]), (large, [world.carol, world.alice, *people])):
        for person in respondents:
            answer_all(world, assessment, person, assessment.bank.bank.scale.values[0], comment="Why")
    client.force_login(world.alice)
    client.get(_url(world, small, "side/"))

    n_small, q_small = _count(client, _url(world, small, "side/"))
    n_large, q_large = _count(client, _url(world, large, "side/"))

    assert n_small == n_large, _explain(q_small, q_large)


def test_the_detail_page_costs_the_same_for_more_respondents(client, world):
    people = _people(world, 6)
    small = start(world, "annex-a")
    invite(world, small, world.carol, world.peter)
    large = start(world, "gate-2")
    invite(world, large, world.carol, world.peter, *people)
    client.force_login(world.alice)
    client.get(_url(world, small, ""))

    n_small, q_small = _count(client, _url(world, small, ""))
    n_large, q_large = _count(client, _url(world, large, ""))

    assert n_small == n_large, _explain(q_small, q_large)


def test_the_list_page_costs_the_same_for_more_assessments(client, world):
    from partnering.arrangements.models import Arrangement

    Arrangement.objects.filter(pk=world.arrangement.pk).update(
        contract_start=timezone.localdate() - timedelta(days=3 * 365)
    )
    url = f"/arrangements/{world.arrangement.slug}/assessments/"
    first = _revealed(world, "annex-b", [world.carol, world.peter])
    client.force_login(world.alice)
    client.get(url)
    n_small, q_small = _count(client, url)

    people = _people(world, 6)
    for key in ("annex-a", "gate-2", "annual-health-check", "annex-b"):
        _revealed(world, key, [world.carol, world.peter, *people])
    services.assessment_start(access=world.access(world.alice), bank=first.bank, previous=first)
    n_large, q_large = _count(client, url)

    assert n_small == n_large, _explain(q_small, q_large)
