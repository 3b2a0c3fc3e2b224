"""The blind rule: neither side reads the other's answers until both have submitted.

Then only each side's agreed answers are revealed; individual answers never leave their side.
Every page and selector that shows answers is checked with distinctive comment strings.
"""

from __future__ import annotations

import pytest

from partnering.arrangements.models import OpennessProfile
from partnering.assessments import selectors, services
from partnering.assessments.models import Assessment
from partnering.assessments.tests.test_services import agree_all, answer_all, invite, start, submit_side
from partnering.core.choices import Side

CUSTOMER_INDIVIDUAL = "CUSTOMER-SECRET-42"
CUSTOMER_AGREED = "CUSTOMER-AGREED-7"
PROVIDER_INDIVIDUAL = "PROVIDER-OWN-9"
PROVIDER_AGREED = "PROVIDER-AGREED-3"
CUSTOMER_STRINGS = (CUSTOMER_INDIVIDUAL, CUSTOMER_AGREED)


@pytest.fixture
def assessment(world) -> Assessment:
    """Annex B with both sides' individual and agreed answers; only the customer has submitted."""
    a = start(world, "annex-b")
    invite(world, a, world.carol, world.peter, world.bob)
    answer_all(world, a, world.carol, "partly", comment=CUSTOMER_INDIVIDUAL)
    answer_all(world, a, world.peter, "fully", comment=PROVIDER_INDIVIDUAL)
    agree_all(world, a, world.alice, "not_at_all", comment=CUSTOMER_AGREED)
    agree_all(world, a, world.bob, "fully", comment=PROVIDER_AGREED)
    return submit_side(world, a, world.alice)


def _reveal(world, assessment: Assessment) -> Assessment:
    return submit_side(world, assessment, world.bob)


def _urls(world, assessment: Assessment) -> dict[str, str]:
    base = f"/arrangements/{world.arrangement.slug}/assessments/"
    a = f"{base}{assessment.uuid}/"
    return {
        "list": base,
        "detail": a,
        "answer": a + "answer/",
        "side": a + "side/",
        "results": a + "results/",
        "action": a + "questions/B1/action/",
        "trend": base + "trend/annex-b/",
        "history": f"/arrangements/{world.arrangement.slug}/history/",
    }


def _get(client, user, url: str):
    client.force_login(user)
    return client.get(url)


def _facilitator_sees_blind_answers(world, allowed: bool) -> None:
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(facilitator_sees_blind_answers=allowed)


# -- before the reveal: the provider sees nothing of the customer's -----------------------------


@pytest.mark.parametrize("page", ["list", "detail", "answer", "side", "results"])
def test_before_the_reveal_the_provider_reads_no_customer_answer_on_any_page(client, world, assessment, page):
    response = _get(client, world.bob, _urls(world, assessment)[page])

    assert response.status_code == 200
    html = response.content.decode()
    for secret in CUSTOMER_STRINGS:
        assert secret not in html


def test_before_the_reveal_the_provider_sees_only_its_own_side_on_the_results_page(client, world, assessment):
    html = _get(client, world.bob, _urls(world, assessment)["results"]).content.decode()

    assert PROVIDER_AGREED in html
    assert "Only your side's answers are shown" in html
    assert "Not at all" not in html  # the customer's agreed value


def test_before_the_reveal_the_provider_lead_sees_his_own_sides_spread_only(client, world, assessment):
    html = _get(client, world.bob, _urls(world, assessment)["side"]).content.decode()

    assert PROVIDER_INDIVIDUAL in html
    assert "Partly 0" in html  # carol's "partly" answers are not counted on the provider side


@pytest.mark.parametrize("page", ["action", "trend"])
def test_before_the_reveal_nothing_is_derived_from_the_answers(client, world, assessment, page):
    assert _get(client, world.bob, _urls(world, assessment)[page]).status_code == 404


def test_the_arrangement_history_does_not_show_blind_answers(client, world, assessment):
    response = _get(client, world.bob, _urls(world, assessment)["history"])

    assert response.status_code == 200
    for secret in CUSTOMER_STRINGS:
        assert secret not in response.content.decode()


def test_the_autosave_of_the_provider_lead_writes_and_echoes_only_his_own_side(client, world, assessment):
    client.force_login(world.bob)
    url = _urls(world, assessment)["detail"] + "autosave/"

    response = client.post(
        url,
        {"question_id": "B1", "perspective": "self", "lead": "1", "value:B1:self": "largely"},
        HTTP_HX_REQUEST="true",
    )

    assert "Saved" in response.content.decode()
    assert CUSTOMER_AGREED not in response.content.decode()
    agreed = dict(
        assessment.answers.filter(respondent=None, question_id="B1", perspective="self").values_list("side", "value")
    )
    assert agreed == {Side.CUSTOMER: "not_at_all", Side.PROVIDER: "largely"}


def test_before_the_reveal_the_selectors_give_the_provider_no_customer_answer(world, assessment):
    access = world.access(world.bob)

    visible = list(selectors.visible_answers(access=access, assessment=assessment, agreed_only=False))
    res = selectors.results(access=access, assessment=assessment)

    assert visible and {a.side for a in visible} == {Side.PROVIDER}
    assert res.visible_sides == {Side.PROVIDER}
    assert all(row.customer is None and row.customer_other is None for row in res.rows)
    assert res.customer_verdict is None and res.joint is None and res.gaps == []


def test_the_customer_is_equally_blind_to_the_provider(client, world, assessment):
    html = _get(client, world.alice, _urls(world, assessment)["results"]).content.decode()

    assert CUSTOMER_AGREED in html
    assert PROVIDER_AGREED not in html and PROVIDER_INDIVIDUAL not in html


# -- after the reveal: agreed answers only ------------------------------------------------------


def test_after_the_reveal_the_provider_reads_the_customers_agreed_answers(client, world, assessment):
    _reveal(world, assessment)

    html = _get(client, world.bob, _urls(world, assessment)["results"]).content.decode()

    assert CUSTOMER_AGREED in html and PROVIDER_AGREED in html
    assert "Only your side" not in html


@pytest.mark.parametrize("page", ["list", "detail", "answer", "side", "results", "history"])
def test_after_the_reveal_individual_answers_never_reach_the_other_side(client, world, assessment, page):
    _reveal(world, assessment)

    html = _get(client, world.bob, _urls(world, assessment)[page]).content.decode()

    assert CUSTOMER_INDIVIDUAL not in html
    html = _get(client, world.alice, _urls(world, assessment)[page]).content.decode()
    assert PROVIDER_INDIVIDUAL not in html


def test_after_the_reveal_the_selectors_give_no_individual_answer_of_the_other_side(world, assessment):
    _reveal(world, assessment)

    visible = selectors.visible_answers(
        access=world.access(world.bob), assessment=Assessment.objects.get(pk=assessment.pk), agreed_only=False
    )

    customer = [a for a in visible if a.side == Side.CUSTOMER]
    assert customer and all(a.respondent_id is None for a in customer)


# -- the facilitator, the observer, the outsider --------------------------------------------------


def test_the_facilitator_sees_nothing_before_the_reveal_by_default(client, world, assessment):
    _facilitator_sees_blind_answers(world, False)

    assert _get(client, world.fran, _urls(world, assessment)["results"]).status_code == 403
    assert selectors.sides_visible(world.access(world.fran), assessment) == set()


def test_the_facilitator_sees_both_sides_before_the_reveal_when_openness_allows(client, world, assessment):
    _facilitator_sees_blind_answers(world, True)

    html = _get(client, world.fran, _urls(world, assessment)["results"]).content.decode()

    assert CUSTOMER_AGREED in html and PROVIDER_AGREED in html
    assert CUSTOMER_INDIVIDUAL not in html and PROVIDER_INDIVIDUAL not in html


def test_the_facilitator_sees_both_agreed_views_after_the_reveal(client, world, assessment):
    _reveal(world, assessment)

    html = _get(client, world.fran, _urls(world, assessment)["results"]).content.decode()

    assert CUSTOMER_AGREED in html and PROVIDER_AGREED in html
    assert CUSTOMER_INDIVIDUAL not in html and PROVIDER_INDIVIDUAL not in html


def test_an_observer_reads_his_own_sides_agreed_answers_but_not_the_other_side(client, world, assessment):
    """Dave watches on the customer side: the blind rule is between the sides, not within one."""
    html = _get(client, world.dave, _urls(world, assessment)["results"]).content.decode()

    assert CUSTOMER_AGREED in html
    assert CUSTOMER_INDIVIDUAL not in html
    assert PROVIDER_AGREED not in html and PROVIDER_INDIVIDUAL not in html


def test_an_observer_cannot_open_the_side_leads_page(client, world, assessment):
    assert _get(client, world.dave, _urls(world, assessment)["side"]).status_code == 403


def test_a_side_member_who_is_not_the_lead_does_not_see_colleagues_individual_answers(client, world, assessment):
    """Peter answers for the provider; the spread of his colleagues' answers is for the SRIE."""
    assert _get(client, world.peter, _urls(world, assessment)["side"]).status_code == 403
    html = _get(client, world.peter, _urls(world, assessment)["results"]).content.decode()
    assert PROVIDER_AGREED in html


def test_the_outsider_gets_404_on_every_assessment_page(client, world, assessment):
    client.force_login(world.charlie)
    urls = {
        **_urls(world, assessment),
        "autosave": _urls(world, assessment)["detail"] + "autosave/",
        "pdf": _urls(world, assessment)["detail"] + "report.pdf",
        "xlsx": _urls(world, assessment)["detail"] + "answers.xlsx",
        "pulse_new": f"/arrangements/{world.arrangement.slug}/assessments/pulse/new/",
    }
    del urls["history"]

    for name, url in urls.items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"action": "submit"}).status_code == 404, name


def test_the_outsider_gets_the_same_404_for_a_missing_assessment(client, world, assessment):
    client.force_login(world.alice)
    base = f"/arrangements/{world.arrangement.slug}/assessments/"

    assert client.get(f"{base}00000000-0000-0000-0000-000000000000/results/").status_code == 404


def test_an_assessment_of_another_arrangement_is_404(client, world, assessment):
    """Charlie's own arrangement does not open the door to this assessment by its id."""
    client.force_login(world.charlie)
    url = f"/arrangements/{world.other_arrangement.slug}/assessments/{assessment.uuid}/results/"

    assert client.get(url).status_code == 404


def test_services_refuse_to_act_on_another_arrangements_assessment(world, assessment):
    with pytest.raises(Exception) as exc:
        services.agreed_answer_save(
            access=world.access(world.charlie, world.other_arrangement),
            assessment=assessment,
            question_id="B1",
            value="fully",
        )

    assert type(exc.value).__name__ == "PermissionDenied"


# -- one-sided assessments ------------------------------------------------------------------------


def test_a_one_sided_assessment_stays_with_the_side_that_answered_it(client, world):
    """The SRO's view of a potential provider is not for the provider, even once submitted."""
    a = start(world, "partner-suitability-sro", subject="Brightwave Digital")
    agree_all(world, a, world.alice, "partly", comment=CUSTOMER_AGREED)
    a = submit_side(world, a, world.alice)
    assert a.is_revealed

    response = _get(client, world.bob, _urls(world, a)["results"])

    assert response.status_code == 403
    assert CUSTOMER_AGREED not in _get(client, world.bob, _urls(world, a)["detail"]).content.decode()
    assert selectors.visible_answers(access=world.access(world.bob), assessment=a).count() == 0
    assert CUSTOMER_AGREED in _get(client, world.dave, _urls(world, a)["results"]).content.decode()


def test_provider_cannot_read_a_one_sided_customer_assessment_on_the_trend_page(client, world):
    a = start(world, "partner-suitability-sro", subject="Brightwave Digital")
    agree_all(world, a, world.alice, "partly", comment=CUSTOMER_AGREED)
    a = submit_side(world, a, world.alice)
    url = f"/arrangements/{world.arrangement.slug}/assessments/trend/partner-suitability-sro/"

    assert _get(client, world.bob, url).status_code == 404
    assert selectors.trend(access=world.access(world.bob), bank_key="partner-suitability-sro") == (None, [])
    assert "Partly" in _get(client, world.alice, url).content.decode()
