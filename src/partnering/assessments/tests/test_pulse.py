"""360° staff pulse surveys: agreed in the openness profile, one single-use link per invited person,
results only once closed, and never shown for small groups."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import TestCase

from partnering.arrangements.models import OpennessProfile
from partnering.assessments.models import PulseInvitation, PulseInvitee, PulseResponse, PulseSurvey
from partnering.assessments.pulse import (
    MIN_GROUP,
    LinkUsed,
    hash_token,
    pulse_close,
    pulse_create,
    pulse_invite,
    pulse_respond,
    pulse_results,
)
from partnering.assessments.tests.test_services import current_bank
from partnering.core.choices import Side

ALL_LARGELY = {f"B{n}": "largely" for n in range(1, 10)}
LINK = re.compile(r"/pulse/([A-Za-z0-9_-]+)/")


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


def invite(world, survey, n: int, *, by=None, team: str = "", start: int = 0) -> list[str]:
    """Invite `n` people; returns the tokens of their links, read from the e-mails sent."""
    sent_before = len(mail.outbox)
    emails = [f"staff{start + i}.{team or 'none'}@example.org".replace(" ", "-").lower() for i in range(n)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        pulse_invite(access=world.access(by or world.alice), survey=survey, emails=emails, team=team)
    return [LINK.search(m.body).group(1) for m in mail.outbox[sent_before:]]


def respond(tokens: list[str], answers=None) -> None:
    for token in tokens:
        pulse_respond(token=token, answers=answers or ALL_LARGELY)


def close(world, survey) -> PulseSurvey:
    return pulse_close(access=world.access(world.alice), survey=survey)


def _form(value="largely") -> dict[str, str]:
    return {f"q_B{n}": value for n in range(1, 10)}


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


# -- inviting ---------------------------------------------------------------------------------


def test_each_invited_person_gets_their_own_link_by_e_mail(world, survey):
    tokens = invite(world, survey, 3, team="Finance")

    assert len(set(tokens)) == 3
    assert [m.to for m in mail.outbox] == [[f"staff{i}.finance@example.org"] for i in range(3)]
    assert "takes one response" in mail.outbox[0].body
    assert set(PulseInvitation.objects.values_list("side", "team", "used")) == {(Side.CUSTOMER, "Finance", False)}


def test_only_the_hash_of_a_link_is_stored_and_nothing_of_the_person(world, survey):
    (token,) = invite(world, survey, 1)

    stored = PulseInvitation.objects.get()
    assert stored.token_hash == hash_token(token)
    assert token not in repr(PulseInvitation.objects.values().get())
    assert "staff0" not in repr(list(PulseInvitation.objects.values())) + repr(list(PulseInvitee.objects.values()))
    assert {f.name for f in PulseInvitation._meta.concrete_fields} == {
        "id",
        "survey",
        "token_hash",
        "side",
        "team",
        "used",
    }
    assert not hasattr(PulseInvitation, "history")


def test_an_address_already_invited_by_the_side_is_not_sent_a_second_link(world, survey):
    invite(world, survey, 2)

    again = pulse_invite(
        access=world.access(world.alice), survey=survey, emails=["STAFF0.none@example.org", "new@example.org"]
    )

    assert again.already == ["staff0.none@example.org"]
    assert again.sent == ["new@example.org"]
    assert PulseInvitation.objects.count() == 3


def test_each_side_invites_in_its_own_side(world, survey):
    invite(world, survey, 2, by=world.bob)

    assert set(PulseInvitation.objects.values_list("side", flat=True)) == {Side.PROVIDER}


def test_the_facilitator_cannot_invite(world, survey):
    with pytest.raises(PermissionDenied):
        pulse_invite(access=world.access(world.fran), survey=survey, emails=["x@example.org"])


def test_a_team_not_on_the_list_and_a_bad_address_are_refused_and_nothing_is_sent(world, survey):
    with pytest.raises(ValidationError):
        pulse_invite(access=world.access(world.alice), survey=survey, emails=["a@example.org"], team="Made up")
    with pytest.raises(ValidationError, match="not-an-address"):
        pulse_invite(access=world.access(world.alice), survey=survey, emails=["a@example.org", "not-an-address"])

    assert not PulseInvitation.objects.exists()
    assert mail.outbox == []


def test_a_closed_survey_sends_no_invitation(world, survey):
    close(world, survey)

    with pytest.raises(ValidationError):
        pulse_invite(access=world.access(world.alice), survey=survey, emails=["a@example.org"])


def test_the_invitation_form_sends_the_links(client, world, survey):
    client.force_login(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/assessments/pulse/{survey.uuid}/invite/"

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"team": "Service desk", "emails": "a@example.org\nb@example.org"}, follow=True)

    assert "2 invitations sent." in response.content.decode()
    assert len(mail.outbox) == 2
    assert mail.outbox[0].body.count("http://testserver/pulse/") == 1


def test_the_invitation_form_shows_a_bad_address_on_the_form(client, world, survey):
    client.force_login(world.alice)
    url = f"/arrangements/{world.arrangement.slug}/assessments/pulse/{survey.uuid}/invite/"

    response = client.post(url, {"team": "", "emails": "a@example.org\nnonsense"})

    assert response.status_code == 400
    assert "Not an e-mail address: nonsense" in response.content.decode()
    assert not PulseInvitation.objects.exists()


def test_an_observer_cannot_use_the_invitation_form(client, world, survey):
    client.force_login(world.dave)
    url = f"/arrangements/{world.arrangement.slug}/assessments/pulse/{survey.uuid}/invite/"

    assert client.post(url, {"team": "", "emails": "a@example.org"}).status_code == 403
    assert not PulseInvitation.objects.exists()


# -- answering anonymously --------------------------------------------------------------------


def test_a_response_stores_no_identity_and_no_time():
    """No user, no address, no time at all, no link to the invitation: only what the survey asks."""
    names = {f.name for f in PulseResponse._meta.get_fields()}

    assert names == {"id", "survey", "side", "team", "answers"}
    assert PulseResponse._meta.get_field("id").get_internal_type() == "UUIDField"
    assert not hasattr(PulseResponse, "history")


def test_the_public_page_works_without_signing_in(client, world, survey):
    (token,) = invite(world, survey, 1, team="Finance")

    response = client.get(f"/pulse/{token}/")

    assert response.status_code == 200
    assert "This survey is anonymous" in response.content.decode()
    assert "customer staff: Finance" in response.content.decode()


def test_answering_stores_the_answers_in_the_links_group_and_uses_the_link_up(client, world, survey):
    (token,) = invite(world, survey, 1, by=world.bob, team="Finance")

    response = client.post(f"/pulse/{token}/", _form(), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    stored = PulseResponse.objects.get()
    assert (stored.side, stored.team, stored.answers) == (Side.PROVIDER, "Finance", ALL_LARGELY)
    assert "203.0.113.7" not in repr(PulseResponse.objects.values().get())
    assert PulseInvitation.objects.get().used


def test_answering_leaves_no_session_behind(client, world, survey):
    (token,) = invite(world, survey, 1)

    client.post(f"/pulse/{token}/", _form())

    assert "sessionid" not in client.cookies


def test_a_used_link_is_refused_on_the_page(client, world, survey):
    (token,) = invite(world, survey, 1)
    client.post(f"/pulse/{token}/", _form())

    assert client.get(f"/pulse/{token}/").status_code == 410
    assert client.post(f"/pulse/{token}/", _form("partly")).status_code == 410
    assert PulseResponse.objects.count() == 1


def test_an_unanswered_question_is_refused_and_the_link_still_works(client, world, survey):
    (token,) = invite(world, survey, 1)
    data = _form()
    del data["q_B4"]

    client.post(f"/pulse/{token}/", data)

    assert not PulseResponse.objects.exists()
    assert not PulseInvitation.objects.get().used


def test_a_closed_survey_is_not_found_on_its_links(client, world, survey):
    (token,) = invite(world, survey, 1)
    close(world, survey)

    assert client.get(f"/pulse/{token}/").status_code == 404
    assert client.post(f"/pulse/{token}/", _form()).status_code == 404
    assert not PulseResponse.objects.exists()


def test_an_unknown_token_is_not_found(client, survey):
    assert client.get("/pulse/not-a-real-token/").status_code == 404


def test_the_service_refuses_a_used_link_and_a_closed_survey(world, survey):
    first, second = invite(world, survey, 2)
    respond([first])

    with pytest.raises(LinkUsed):
        respond([first])
    close(world, survey)
    with pytest.raises(Http404):
        respond([second])
    assert PulseResponse.objects.count() == 1


# -- results: after closing, small groups withheld --------------------------------------------


def test_there_are_no_results_while_the_survey_is_open(world, survey):
    respond(invite(world, survey, 6))

    with pytest.raises(ValidationError):
        pulse_results(access=world.access(world.alice), survey=survey)


def test_the_open_survey_page_shows_no_count_of_responses(client, world, survey):
    respond(invite(world, survey, 6, team="Finance"))
    client.force_login(world.bob)

    html = client.get(f"/arrangements/{world.arrangement.slug}/assessments/pulse/{survey.uuid}/").content.decode()

    assert "Results are shown once the survey is closed" in html
    assert re.search(r"\d+ responses?\b", html) is None
    assert "Your side has sent 0 invitations" in html  # bob's side sent none; alice's six are not his to count


def test_with_fewer_than_five_in_a_group_nothing_is_shown(world, survey):
    respond(invite(world, survey, MIN_GROUP - 1, team="Finance"))
    close(world, survey)

    data = pulse_results(access=world.access(world.alice), survey=survey)

    assert data["overall"].withheld and data["overall"].distribution == {}
    assert all(g.withheld for g in data["by_side"] + data["groups"])


def test_at_five_in_a_group_it_is_shown(world, survey):
    respond(invite(world, survey, MIN_GROUP, team="Finance"))
    close(world, survey)

    data = pulse_results(access=world.access(world.alice), survey=survey)

    (group,) = data["groups"]
    assert (group.label, group.withheld, group.count) == ("Customer staff: Finance", False, 5)
    assert group.distribution["B1"] == {"largely": 5}
    assert data["overall"].distribution["B1"] == {"largely": 5}


def test_a_group_counts_the_links_used_not_the_links_sent(world, survey):
    tokens = invite(world, survey, 8, team="Finance")
    respond(tokens[:4])
    close(world, survey)

    (group,) = pulse_results(access=world.access(world.alice), survey=survey)["groups"]

    assert group.withheld


def test_the_totals_leave_withheld_groups_out(world, survey):
    """Six in Service desk and one in Finance: everyone minus Service desk would be Finance's one."""
    respond(invite(world, survey, 6, team="Service desk"))
    respond(invite(world, survey, 1, team="Finance"), answers={**ALL_LARGELY, "B1": "not_at_all"})
    close(world, survey)

    data = pulse_results(access=world.access(world.alice), survey=survey)

    assert [(g.label, g.withheld) for g in data["groups"]] == [
        ("Customer staff: Service desk", False),
        ("Customer staff: Finance", True),
    ]
    assert data["overall"].count == data["by_side"][0].count == 6
    assert "not_at_all" not in data["overall"].distribution["B1"]
    assert data["by_side"][1].withheld


def test_a_survey_answered_through_the_old_shared_link_shows_nothing(world, survey):
    """Responses with no invitation behind them could be anyone's, any number of times."""
    for _ in range(6):
        PulseResponse.objects.create(survey=survey, side=Side.CUSTOMER, team="Finance", answers=ALL_LARGELY)
    close(world, survey)

    data = pulse_results(access=world.access(world.alice), survey=survey)

    assert data["overall"].withheld
    assert all(g.withheld for g in data["groups"])


def test_the_results_page_says_which_groups_are_withheld(client, world, survey):
    respond(invite(world, survey, 5, team="Finance"))
    respond(invite(world, survey, 2, by=world.bob, team="Finance"))
    close(world, survey)
    client.force_login(world.bob)

    html = client.get(f"/arrangements/{world.arrangement.slug}/assessments/pulse/{survey.uuid}/").content.decode()

    assert "Customer staff: Finance (5 responses)" in html
    assert "Everyone in the groups shown (5 responses)" in html
    assert "7 responses" not in html
    assert "1 group withheld" in html
    assert html.count("Withheld:") == 2  # the provider's group, and so the provider side


def test_closing_on_the_page_stops_the_links(client, world, survey):
    (token,) = invite(world, survey, 1)
    client.force_login(world.alice)

    client.post(f"/arrangements/{world.arrangement.slug}/assessments/pulse/{survey.uuid}/")

    survey.refresh_from_db()
    assert not survey.is_open
    assert client.get(f"/pulse/{token}/").status_code == 404


def test_results_of_another_arrangements_survey_are_refused(world, survey):
    close(world, survey)

    with pytest.raises(PermissionDenied):
        pulse_results(access=world.access(world.charlie, world.other_arrangement), survey=survey)
