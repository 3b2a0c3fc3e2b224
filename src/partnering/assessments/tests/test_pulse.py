"""360° staff pulse surveys: agreed in the openness profile, anonymous, and never shown for small groups."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partnering.arrangements.models import OpennessProfile
from partnering.assessments.models import PulseResponse, PulseSurvey
from partnering.assessments.pulse import MIN_GROUP, pulse_close, pulse_create, pulse_respond, pulse_results
from partnering.assessments.tests.test_services import current_bank
from partnering.core.choices import Side

ALL_LARGELY = {f"B{n}": "largely" for n in range(1, 10)}


@pytest.fixture
def openness(world):
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(staff_360_reporting=True)


@pytest.fixture
def survey(world, openness) -> PulseSurvey:
    return pulse_create(
        access=world.access(world.alice),
        bank=current_bank("annex-b"),
        title="Spring pulse",
        teams=["Service desk", "Finance"],
    )


def _respond(survey, n: int, side: str = Side.CUSTOMER, team: str = "", answers=None) -> None:
    for _ in range(n):
        pulse_respond(survey=survey, side=side, team=team, answers=answers or ALL_LARGELY)


def _public(survey) -> str:
    return f"/pulse/{survey.token}/"


def _form(side="customer", team="", value="largely") -> dict[str, str]:
    return {"side": side, "team": team, **{f"q_B{n}": value for n in range(1, 10)}}


# -- creating ---------------------------------------------------------------------------------


def test_a_survey_cannot_be_created_unless_the_arrangement_agreed_360_staff_reporting(world):
    with pytest.raises(ValidationError):
        pulse_create(access=world.access(world.alice), bank=current_bank("annex-b"), title="Pulse", teams=[])

    assert not PulseSurvey.objects.exists()


def test_the_page_to_start_a_survey_refuses_without_360_staff_reporting(client, world):
    client.force_login(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/assessments/pulse/new/"

    response = client.post(url, {"bank": current_bank("annex-b").pk, "title": "Pulse", "teams": ""})

    assert response.status_code == 200
    assert "has not agreed 360° staff reporting" in response.content.decode()
    assert not PulseSurvey.objects.exists()


def test_a_manager_starts_a_survey_with_teams_on_the_page(client, world, openness):
    client.force_login(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/assessments/pulse/new/"

    response = client.post(
        url, {"bank": current_bank("annex-b").pk, "title": "Pulse", "teams": "Service desk\n\nFinance\n"}
    )

    survey = PulseSurvey.objects.get()
    assert response.status_code == 302
    assert survey.teams == ["Service desk", "Finance"]


@pytest.mark.parametrize("who", ["dave", "peter"])
def test_people_without_manage_assessments_cannot_start_a_survey(world, openness, who):
    with pytest.raises(PermissionDenied):
        pulse_create(access=world.access(getattr(world, who)), bank=current_bank("annex-b"), title="Pulse", teams=[])


# -- answering anonymously --------------------------------------------------------------------


def test_a_response_stores_no_identity():
    """No user, no address, no time finer than the day: only what the survey asks."""
    names = {f.name for f in PulseResponse._meta.get_fields()}

    assert names == {"id", "survey", "side", "team", "answers", "submitted_on"}
    assert PulseResponse._meta.get_field("submitted_on").get_internal_type() == "DateField"
    assert PulseResponse._meta.get_field("id").get_internal_type() == "UUIDField"
    assert not hasattr(PulseResponse, "history")


def test_the_public_page_works_without_signing_in(client, survey):
    response = client.get(_public(survey))

    assert response.status_code == 200
    assert "This survey is anonymous" in response.content.decode()


def test_answering_on_the_public_page_stores_only_the_answers_and_the_day(client, survey):
    response = client.post(_public(survey), _form(team="Finance"), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    stored = PulseResponse.objects.get()
    assert (stored.side, stored.team, stored.answers) == (Side.CUSTOMER, "Finance", ALL_LARGELY)
    assert type(stored.submitted_on) is datetime.date
    assert "203.0.113.7" not in repr(PulseResponse.objects.values().get())


def test_answering_leaves_no_session_behind(client, survey):
    client.post(_public(survey), _form())

    assert "sessionid" not in client.cookies


def test_a_team_not_on_the_list_is_refused(client, survey):
    response = client.post(_public(survey), _form(team="Made up"))

    assert response.status_code == 200
    assert not PulseResponse.objects.exists()


def test_an_unanswered_question_is_refused(client, survey):
    data = _form()
    del data["q_B4"]

    client.post(_public(survey), data)

    assert not PulseResponse.objects.exists()


def test_a_closed_survey_is_not_found_on_its_public_link(client, world, survey):
    pulse_close(access=world.access(world.alice), survey=survey)

    assert client.get(_public(survey)).status_code == 404
    assert client.post(_public(survey), _form()).status_code == 404
    assert not PulseResponse.objects.exists()


def test_an_unknown_token_is_not_found(client, survey):
    assert client.get("/pulse/not-a-real-token/").status_code == 404


def test_a_closed_survey_takes_no_response_through_the_service(world, survey):
    pulse_close(access=world.access(world.alice), survey=survey)

    with pytest.raises(ValidationError):
        _respond(survey, 1)


# -- results: small groups withheld -----------------------------------------------------------


def test_with_fewer_than_five_responses_even_the_overall_result_is_withheld(world, survey):
    _respond(survey, MIN_GROUP - 1)

    data = pulse_results(access=world.access(world.alice), survey=survey)

    assert data["overall"].withheld and data["overall"].distribution == {}
    assert all(g.withheld for g in data["by_side"] + data["by_team"])


def test_at_five_responses_the_overall_result_is_shown(world, survey):
    _respond(survey, MIN_GROUP)

    data = pulse_results(access=world.access(world.alice), survey=survey)

    assert not data["overall"].withheld
    assert data["overall"].distribution["B1"] == {"largely": 5}


def test_each_side_is_shown_at_five_responses(world, survey):
    _respond(survey, 5, Side.CUSTOMER)
    _respond(survey, 5, Side.PROVIDER)

    shown = pulse_results(access=world.access(world.alice), survey=survey)

    assert [g.withheld for g in shown["by_side"]] == [False, False]


def test_each_team_is_shown_at_five_responses(world, survey):
    _respond(survey, 5, team="Service desk")
    _respond(survey, 5, team="Finance")
    _respond(survey, 5, team="")

    data = pulse_results(access=world.access(world.alice), survey=survey)

    assert [(g.label, g.withheld) for g in data["by_team"]] == [("Service desk", False), ("Finance", False)]


def test_a_small_side_cannot_be_worked_out_by_subtracting_the_other_from_everyone(world, survey):
    """Six customers and one provider: everyone minus the customers would be the provider's answers."""
    _respond(survey, 6, Side.CUSTOMER)
    _respond(survey, 1, Side.PROVIDER, answers={**ALL_LARGELY, "B1": "not_at_all"})

    data = pulse_results(access=world.access(world.alice), survey=survey)

    assert not data["overall"].withheld
    assert [g.withheld for g in data["by_side"]] == [True, True]


def test_a_small_team_cannot_be_worked_out_by_subtraction(world, survey):
    _respond(survey, 5, team="Service desk")
    _respond(survey, 5, team="Finance")
    _respond(survey, 2, team="")

    data = pulse_results(access=world.access(world.alice), survey=survey)

    # Everyone (12) minus both teams would give the two people who chose no team.
    withheld = [g.label for g in data["by_team"] if g.withheld]
    assert len(withheld) == 1


def test_the_results_page_says_which_groups_are_withheld(client, world, survey):
    _respond(survey, 5, Side.CUSTOMER)
    _respond(survey, 2, Side.PROVIDER)
    client.force_login(world.bob)

    html = client.get(f"/arrangements/{world.arrangement.slug}/assessments/pulse/{survey.uuid}/").content.decode()

    assert "7 responses" in html
    assert html.count("Withheld:") == 2 + 2  # both sides, and both empty teams
    assert "Everyone (7 responses)" in html


def test_results_of_another_arrangements_survey_are_refused(world, survey):
    with pytest.raises(PermissionDenied):
        pulse_results(access=world.access(world.charlie, world.other_arrangement), survey=survey)
