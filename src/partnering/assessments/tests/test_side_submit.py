"""Submitting a side while invited respondents have not answered: the lead sees who and confirms;
a late respondent is told; the report says how the side's answers were agreed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from partnering.assessments import reports, selectors, services
from partnering.assessments.tests.test_services import agree_all, answer_all, invite, start

A_ALL = [f"A{n}" for n in range(1, 11)]


@pytest.fixture
def waiting_for_carol(world):
    """Annex A: alice (customer SRO) invited carol, who has not answered; alice's agreed answers are ready."""
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    agree_all(world, assessment, world.alice, "yes")
    return assessment


def _url(world, assessment, page: str = "") -> str:
    return f"/arrangements/{world.arrangement.slug}/assessments/{assessment.uuid}/{page}"


def _submit_data(**extra: str) -> dict[str, str]:
    return {**{f"value:{qid}:self": "yes" for qid in A_ALL}, "action": "submit", **extra}


def test_the_service_refuses_to_submit_without_the_leads_confirmation_naming_who_has_not_answered(
    world, waiting_for_carol
):
    with pytest.raises(ValidationError) as refused:
        services.side_submit(access=world.access(world.alice), assessment=waiting_for_carol)

    assert refused.value.code == "respondents_waiting"
    assert "Carol Chen" in refused.value.messages[0]
    waiting_for_carol.refresh_from_db()
    assert waiting_for_carol.customer_submitted_at is None

    submitted = services.side_submit(
        access=world.access(world.alice), assessment=waiting_for_carol, unanswered_confirmed=True
    )
    assert submitted.customer_submitted_at is not None


def test_no_confirmation_is_asked_once_every_respondent_has_answered(world, waiting_for_carol):
    answer_all(world, waiting_for_carol, world.carol, "yes")
    services.respondent_submit(access=world.access(world.carol), assessment=waiting_for_carol)

    submitted = services.side_submit(access=world.access(world.alice), assessment=waiting_for_carol)

    assert submitted.customer_submitted_at is not None


def test_the_side_page_lists_who_has_not_answered_and_asks_the_lead_to_confirm(client, world, waiting_for_carol):
    client.force_login(world.alice)

    page = client.get(_url(world, waiting_for_carol, "side/")).content.decode()

    assert "1 of the 1 people invited to answer for your side has not answered yet" in page
    assert '<ul class="govuk-list govuk-list--bullet" id="waiting-respondents"><li>Carol Chen</li></ul>' in page
    assert 'name="confirm_unanswered"' in page


def test_submitting_without_confirming_keeps_the_side_open_and_says_why(client, world, waiting_for_carol):
    client.force_login(world.alice)

    response = client.post(_url(world, waiting_for_carol, "side/"), _submit_data())

    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="#confirm_unanswered">' in page and "Carol Chen" in page
    assert "govuk-form-group--error" in page
    waiting_for_carol.refresh_from_db()
    assert waiting_for_carol.customer_submitted_at is None


def test_submitting_with_the_confirmation_submits(client, world, waiting_for_carol):
    client.force_login(world.alice)

    response = client.post(_url(world, waiting_for_carol, "side/"), _submit_data(confirm_unanswered="yes"))

    assert response.status_code == 302
    waiting_for_carol.refresh_from_db()
    assert waiting_for_carol.customer_submitted_at is not None


def test_a_late_respondent_is_told_the_side_was_submitted_without_their_answers(client, world, waiting_for_carol):
    services.side_submit(access=world.access(world.alice), assessment=waiting_for_carol, unanswered_confirmed=True)
    client.force_login(world.carol)

    page = client.get(_url(world, waiting_for_carol, "answer/")).content.decode()
    posted = client.post(_url(world, waiting_for_carol, "answer/"), _submit_data())

    assert "Your side's answers were submitted on" in page
    assert "so this assessment no longer takes your answers" in page
    assert "Your answers are submitted" not in page  # she never submitted them
    assert posted.status_code == 302 and posted["Location"] == _url(world, waiting_for_carol, "answer/")
    detail = client.get(_url(world, waiting_for_carol)).content.decode()
    assert "Did not answer" in detail


def test_the_api_refuses_until_the_lead_confirms(world, waiting_for_carol):
    api = APIClient()
    api.force_login(world.alice)
    url = f"/api/v1{_url(world, waiting_for_carol, 'side-answers/submit/')}"

    refused = api.post(url, {}, format="json")
    confirmed = api.post(url, {"confirm_unanswered": True}, format="json")

    assert refused.status_code == 400
    assert refused.data["respondents_waiting"] == ["Carol Chen"]
    assert confirmed.status_code == 200


def test_the_report_does_not_say_the_lead_agreed_from_answers_that_were_never_given(world, waiting_for_carol):
    alice = world.access(world.alice)
    submitted = services.side_submit(access=alice, assessment=waiting_for_carol, unanswered_confirmed=True)
    report = reports.Report(
        access=alice,
        results=selectors.results(access=alice, assessment=submitted),
        generated_on=submitted.created_at.date(),
    )

    html = reports.report_html(report)

    assert "from its respondents' individual answers" not in html
    assert "before any respondent had answered (Carol Chen had not)" in html
    assert 'Carol Chen <span class="muted">(not answered)</span>' in html
