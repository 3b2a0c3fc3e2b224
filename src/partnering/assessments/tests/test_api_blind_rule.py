"""The blind rule through the API: no endpoint gives one side the other's answers before the reveal.

After the reveal only each side's agreed answers cross over; individual answers never leave their
side. Every GET endpoint's raw JSON is searched for distinctive comment strings.
"""

from __future__ import annotations

import pytest

from partnering.arrangements.models import OpennessProfile
from partnering.assessments.tests.test_api import (
    API,
    agree_and_submit,
    api,
    assessment_url,
    assessments_url,
    every_answer,
    invite,
    row,
    start,
)

CUSTOMER_INDIVIDUAL = "CUSTOMER-SECRET-42"
CUSTOMER_AGREED = "CUSTOMER-AGREED-7"
PROVIDER_INDIVIDUAL = "PROVIDER-OWN-9"
PROVIDER_AGREED = "PROVIDER-AGREED-3"
CUSTOMER_STRINGS = (CUSTOMER_INDIVIDUAL, CUSTOMER_AGREED)
PROVIDER_STRINGS = (PROVIDER_INDIVIDUAL, PROVIDER_AGREED)


@pytest.fixture
def uuid(world) -> str:
    """Annex B with both sides' individual and agreed answers; only the customer has submitted."""
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example", "peter@brightwave.example", "bob@brightwave.example"])
    for user, value, comment in (
        (world.carol, "partly", CUSTOMER_INDIVIDUAL),
        (world.peter, "fully", PROVIDER_INDIVIDUAL),
    ):
        saved = api(user).put(assessment_url(world, uuid, "my-answers/"), every_answer(value, comment), format="json")
        assert saved.status_code == 200, saved.data
    agree_and_submit(world, uuid, world.alice, "not_at_all", CUSTOMER_AGREED)
    agree_and_submit(world, uuid, world.bob, "fully", PROVIDER_AGREED, submit=False)
    return uuid


def reveal(world, uuid: str) -> None:
    response = api(world.bob).post(
        assessment_url(world, uuid, "side-answers/submit/"), {"confirm_unanswered": True}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "revealed", response.data


def every_get(world, uuid: str) -> list[str]:
    """Every GET endpoint that could carry an answer, and the arrangement's own."""
    arrangement = f"{API}/arrangements/{world.arrangement.slug}/"
    return [
        assessments_url(world),
        assessment_url(world, uuid),
        assessment_url(world, uuid, "my-answers/"),
        assessment_url(world, uuid, "side-answers/"),
        assessment_url(world, uuid, "results/"),
        f"{API}/banks/",
        f"{API}/banks/annex-b/v1/",
        arrangement,
        arrangement + "actions/",
        arrangement + "members/",
    ]


def raw(world, user, url: str) -> str:
    response = api(user).get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    return response.content.decode()


def facilitator_sees_blind_answers(world, allowed: bool) -> None:
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(facilitator_sees_blind_answers=allowed)


# -- before the reveal --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "peter"])
def test_before_the_reveal_no_provider_response_holds_a_customer_answer(world, uuid, who):
    for url in every_get(world, uuid):
        body = raw(world, getattr(world, who), url)
        for secret in CUSTOMER_STRINGS:
            assert secret not in body, url


def test_before_the_reveal_the_provider_results_show_only_the_provider_side(world, uuid):
    response = api(world.bob).get(assessment_url(world, uuid, "results/"))

    data = response.data
    assert (data["revealed"], data["complete"], data["visible_sides"]) == (False, False, ["provider"])
    assert data["verdicts"]["customer"] is None and data["verdicts"]["joint"] is None
    assert data["verdicts"]["provider"]["code"] == "going_well"
    assert data["gaps"] == [] and data["mirror_gaps"] is None
    for r in data["rows"]:
        assert r["customer"] is None and r["customer_other"] is None
        assert r["customer_flagged"] is None and r["changed_customer"] is None and r["gap"] is None
    assert row(data, "B1")["provider"]["comment"] == PROVIDER_AGREED
    assert "not_at_all" not in response.content.decode()  # the customer's agreed value


def test_before_the_reveal_the_provider_lead_sees_only_his_own_sides_spread(world, uuid):
    data = api(world.bob).get(assessment_url(world, uuid, "side-answers/")).data

    b1 = next(r for r in data["rows"] if r["question_id"] == "B1" and r["perspective"] == "self")
    assert {c["value"]: c["count"] for c in b1["counts"]} == {"fully": 1, "largely": 0, "partly": 0, "not_at_all": 0}
    assert b1["comments"] == [{"name": "Peter Price", "comment": PROVIDER_INDIVIDUAL}]
    assert (data["side"], data["locked"]) == ("provider", False)


def test_the_provider_leads_saves_echo_only_his_own_side(world, uuid):
    response = api(world.bob).patch(
        assessment_url(world, uuid, "side-answers/"), [{"question_id": "B1", "value": "largely"}], format="json"
    )

    assert response.status_code == 200
    for secret in CUSTOMER_STRINGS:
        assert secret not in response.content.decode()


def test_the_customer_is_equally_blind_to_the_provider(world, uuid):
    for who in ("alice", "carol", "dave"):
        for url in every_get(world, uuid):
            body = raw(world, getattr(world, who), url)
            for secret in PROVIDER_STRINGS:
                assert secret not in body, (who, url)
    assert CUSTOMER_AGREED in raw(world, world.alice, assessment_url(world, uuid, "results/"))


def test_the_facilitator_reads_no_answer_before_the_reveal_unless_the_openness_allows_it(world, uuid):
    for url in every_get(world, uuid):
        body = raw(world, world.fran, url)
        for secret in CUSTOMER_STRINGS + PROVIDER_STRINGS:
            assert secret not in body, url
    assert api(world.fran).get(assessment_url(world, uuid, "results/")).status_code == 403

    facilitator_sees_blind_answers(world, True)
    results = raw(world, world.fran, assessment_url(world, uuid, "results/"))

    assert CUSTOMER_AGREED in results and PROVIDER_AGREED in results
    assert CUSTOMER_INDIVIDUAL not in results and PROVIDER_INDIVIDUAL not in results


def test_a_customer_respondent_reads_only_their_own_answers(world, uuid):
    mine = raw(world, world.carol, assessment_url(world, uuid, "my-answers/"))

    assert CUSTOMER_INDIVIDUAL in mine
    assert CUSTOMER_AGREED not in mine and PROVIDER_INDIVIDUAL not in mine


# -- after the reveal ---------------------------------------------------------------------------


def test_after_the_reveal_the_provider_reads_the_customers_agreed_answers(world, uuid):
    reveal(world, uuid)

    response = api(world.bob).get(assessment_url(world, uuid, "results/"))

    data = response.data
    assert (data["revealed"], data["complete"]) == (True, True)
    assert row(data, "B1")["customer"]["value"] == "not_at_all"
    assert row(data, "B1")["customer"]["comment"] == CUSTOMER_AGREED
    assert data["verdicts"]["customer"]["code"] == "needs_attention"
    assert {g["question_id"] for g in data["gaps"]} == {f"B{n}" for n in range(1, 10)}


@pytest.mark.parametrize("who", ["bob", "peter"])
def test_after_the_reveal_no_provider_response_holds_a_customers_individual_answer(world, uuid, who):
    reveal(world, uuid)

    for url in every_get(world, uuid):
        assert CUSTOMER_INDIVIDUAL not in raw(world, getattr(world, who), url), url


def test_after_the_reveal_no_customer_response_holds_a_providers_individual_answer(world, uuid):
    reveal(world, uuid)

    for who in ("alice", "carol", "dave"):
        for url in every_get(world, uuid):
            assert PROVIDER_INDIVIDUAL not in raw(world, getattr(world, who), url), (who, url)
    assert PROVIDER_AGREED in raw(world, world.alice, assessment_url(world, uuid, "results/"))
