"""Issue 13, finding 3: anonymity that holds.

The 360° pulse survey had one public link that took any number of responses, each for any team
the person chose: padding a group of one with four known answers published the victim's answers.
Now each invited person has one single-use link in the group they were invited in; the product
never stores who answered what; results only once the survey closes; a group counts the distinct
links used and is withheld below five, and no figure shown, minus another, gives a withheld
group away.
"""

from __future__ import annotations

import re
import secrets

import pytest
from django.core import mail
from django.test import TestCase

from partnering.arrangements.models import OpennessProfile
from partnering.assessments.models import PulseInvitation, PulseResponse, QuestionBank
from partnering.assessments.pulse import LinkUsed, hash_token, pulse_close, pulse_create, pulse_invite, pulse_results

KIND = {f"B{n}": "fully" for n in range(1, 10)}
VICTIM = {**KIND, "B3": "not_at_all"}
LINK = re.compile(r"/pulse/([A-Za-z0-9_-]+)/")


@pytest.fixture
def survey(world):
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(staff_360_reporting=True)
    world.arrangement.openness.refresh_from_db()
    return pulse_create(
        access=world.access(world.bob),
        bank=QuestionBank.objects.get(key="annex-b", is_current=True),
        title="Staff pulse",
        teams=["Service desk", "Finance"],
    )


def _invite(world, survey, emails, team):
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        pulse_invite(access=world.access(world.bob), survey=survey, emails=emails, team=team)
    return [LINK.search(m.body).group(1) for m in mail.outbox[before:]]


def _answer(client, token, answers):
    return client.post(f"/pulse/{token}/", {f"q_{q}": v for q, v in answers.items()})


def _results_page(client, world, survey) -> str:
    client.force_login(world.alice)
    return client.get(f"/arrangements/{world.arrangement.slug}/assessments/pulse/{survey.uuid}/").content.decode()


@pytest.mark.django_db
def test_padding_the_victims_group_with_the_same_link_is_refused(client, world, survey):
    """The attack of the finding: one person in Finance answers; the attacker answers four more
    times 'as Finance' to lift the group to five, then reads the victim's answers off the results."""
    (victim,) = _invite(world, survey, ["victim@brightwave.example"], "Finance")
    (attacker,) = _invite(world, survey, ["attacker@brightwave.example"], "Service desk")
    _invite(world, survey, [f"desk{i}@brightwave.example" for i in range(5)], "Service desk")
    assert _answer(client, victim, VICTIM).status_code == 200

    assert _answer(client, attacker, KIND).status_code == 200
    for _ in range(4):
        assert _answer(client, attacker, KIND).status_code == 410  # the link took its one response

    assert PulseResponse.objects.count() == 2
    assert set(PulseResponse.objects.values_list("team", flat=True)) == {"Finance", "Service desk"}
    pulse_close(access=world.access(world.bob), survey=survey)
    html = _results_page(client, world, survey)
    assert "Provider staff: Finance" in html
    assert "Finance (5 responses)" not in html
    data = pulse_results(access=world.access(world.alice), survey=survey)
    assert all(g.withheld for g in data["groups"])
    assert data["overall"].withheld


@pytest.mark.django_db
def test_a_forged_or_guessed_link_is_refused(client, world, survey):
    _invite(world, survey, ["someone@brightwave.example"], "Finance")

    for token in (secrets.token_urlsafe(32), "0" * 43, PulseInvitation.objects.get().token_hash):
        assert client.get(f"/pulse/{token}/").status_code == 404
        assert _answer(client, token, KIND).status_code == 404

    assert not PulseResponse.objects.exists()


@pytest.mark.django_db
def test_the_response_cannot_be_joined_to_its_link_or_person(client, world, survey):
    tokens = _invite(world, survey, [f"p{i}@brightwave.example" for i in range(3)], "Finance")
    _answer(client, tokens[1], VICTIM)

    response = PulseResponse.objects.values().get()
    stored = repr(response) + repr(list(PulseInvitation.objects.values()))
    assert set(response) == {"id", "survey_id", "side", "team", "answers"}  # no time, no link, no person
    assert "p1@brightwave.example" not in stored
    assert tokens[1] not in stored
    assert PulseInvitation.objects.filter(token_hash=hash_token(tokens[1]), used=True).exists()


@pytest.mark.django_db
def test_no_result_and_no_count_before_the_survey_closes(client, world, survey):
    for token in _invite(world, survey, [f"d{i}@brightwave.example" for i in range(6)], "Service desk"):
        _answer(client, token, KIND)

    html = _results_page(client, world, survey)

    assert "Results are shown once the survey is closed" in html
    assert re.search(r"\d+ responses?\b", html) is None
    assert "<table" not in html


@pytest.mark.django_db
def test_a_group_of_four_is_withheld_and_cannot_be_worked_out_from_the_totals(client, world, survey):
    for token in _invite(world, survey, [f"d{i}@brightwave.example" for i in range(6)], "Service desk"):
        _answer(client, token, KIND)
    for token in _invite(world, survey, [f"f{i}@brightwave.example" for i in range(4)], "Finance"):
        _answer(client, token, VICTIM)
    pulse_close(access=world.access(world.bob), survey=survey)

    data = pulse_results(access=world.access(world.alice), survey=survey)
    shown = {g.label: g for g in data["groups"]}

    assert shown["Provider staff: Finance"].withheld
    # Every figure is the Service desk's alone: subtracting any from another leaves nothing.
    for figure in (data["overall"], data["by_side"][1], shown["Provider staff: Service desk"]):
        assert figure.count == 6
        assert figure.distribution["B3"] == {"fully": 6}
    html = _results_page(client, world, survey)
    assert "10 responses" not in html and "4 responses" not in html


@pytest.mark.django_db
def test_the_same_link_used_at_the_same_time_counts_once(world, survey, monkeypatch):
    """Two requests read the link as unused; the link is used up in the response's own
    transaction by a conditional update, so only the first stores a response."""
    from partnering.assessments import pulse

    (token,) = _invite(world, survey, ["x@brightwave.example"], "Finance")
    seen_unused = pulse.pulse_invitation_by_token(token)
    pulse.pulse_respond(token=token, answers=KIND)  # the first request
    monkeypatch.setattr(pulse, "pulse_invitation_by_token", lambda _token: seen_unused)

    with pytest.raises(LinkUsed):
        pulse.pulse_respond(token=token, answers=VICTIM)  # the second, which read the link before
    assert list(PulseResponse.objects.values_list("answers", flat=True)) == [KIND]
