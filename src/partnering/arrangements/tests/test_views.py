"""Arrangement pages: forms show GOV.UK errors in place, lists stay fast, history shows changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.arrangements.models import Arrangement
from partnering.core.choices import Role, Side
from partnering.testing import ArrangementFactory, add_member


@pytest.fixture(autouse=True)
def _created_by_alice(world):
    Arrangement.objects.filter(pk=world.arrangement.pk).update(created_by=world.alice)


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/{page}"


def _assert_govuk_errors(response, *messages):
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "govuk-error-message" in body
    for message in messages:
        assert message in body
    return body


CREATE = {
    "title": "Revenues and benefits",
    "description": "Kept when the form comes back",
    "contract_start": "2027-04-01",
    "contract_end": "2034-03-31",
    "stage": "strategic_assessment",
    "creator_role": Role.SRO,
    "openness-joint_project_board": "yes",
    "openness-single_risk_register": "yes",
    "openness-problems_visible": "yes",
    "openness-open_book": "both",
    "openness-single_project_budget": "no",
    "openness-staff_360_reporting": "no",
    "openness-facilitator_sees_blind_answers": "no",
}


def test_a_customer_creates_an_arrangement(client, world):
    client.force_login(world.carol)

    response = client.post("/arrangements/new/", CREATE | {"provider": world.provider.pk})

    arrangement = Arrangement.objects.get(title="Revenues and benefits")
    assert response.status_code == 302
    assert response["Location"] == f"/arrangements/{arrangement.slug}/members/"


def test_create_without_a_title_shows_the_error_in_place(client, world):
    client.force_login(world.alice)

    response = client.post("/arrangements/new/", CREATE | {"title": "", "provider": world.provider.pk})

    body = _assert_govuk_errors(response)
    assert "Kept when the form comes back" in body
    assert not Arrangement.objects.filter(description="Kept when the form comes back").exists()


def test_create_with_the_end_before_the_start_shows_the_error_in_place(client, world):
    client.force_login(world.alice)

    response = client.post("/arrangements/new/", CREATE | {"provider": world.provider.pk, "contract_end": "2020-01-01"})

    body = _assert_govuk_errors(response, "The contract end date must be on or after the start date.")
    assert 'value="Revenues and benefits"' in body
    assert 'value="2020-01-01"' in body


def test_providers_cannot_open_the_create_page(client, world):
    client.force_login(world.bob)

    assert client.get("/arrangements/new/").status_code == 403


def test_a_duplicate_invitation_shows_the_error_in_place(client, world):
    client.force_login(world.alice)

    response = client.post(
        _url(world, "members/"),
        {"email": world.carol.email, "side": Side.CUSTOMER, "roles": [Role.BOARD_MEMBER]},
    )

    body = _assert_govuk_errors(response, "already a member of this arrangement")
    assert world.carol.email in body


def test_a_second_sro_shows_the_error_naming_the_holder(client, world):
    client.force_login(world.alice)

    response = client.post(
        _url(world, "members/"),
        {"email": "nina@northshire.example", "full_name": "Nina North", "side": Side.CUSTOMER, "roles": [Role.SRO]},
    )

    _assert_govuk_errors(response, "Alice Adams is already the Senior Responsible Owner (SRO)")
    assert not world.arrangement.memberships.filter(user__email="nina@northshire.example").exists()


def test_observers_cannot_invite(client, world):
    client.force_login(world.dave)

    response = client.post(
        _url(world, "members/"), {"email": "x@northshire.example", "side": Side.CUSTOMER, "roles": ["observer"]}
    )

    assert response.status_code == 403


def test_the_list_shows_only_my_arrangements(client, world):
    client.force_login(world.alice)

    body = client.get("/arrangements/").content.decode()

    assert world.arrangement.title in body
    assert world.other_arrangement.title not in body


def _list_queries(client, user) -> CaptureQueriesContext:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/arrangements/").status_code == 200
    return queries


def test_the_list_takes_the_same_number_of_queries_for_1_or_10_arrangements(client, world):
    one = _list_queries(client, world.alice)
    for n in range(9):
        arrangement = ArrangementFactory(title=f"More {n}", customer=world.customer, provider=world.provider)
        add_member(arrangement, world.alice, Side.CUSTOMER, Role.SRO)
        add_member(arrangement, world.bob, Side.PROVIDER, Role.SRIE)

    ten = _list_queries(client, world.alice)

    assert len(ten) == len(one), "\n".join(q["sql"] for q in ten.captured_queries)
    assert client.get("/arrangements/").content.decode().count("/arrangements/more-") >= 9


def test_the_history_page_shows_changes(client, world):
    client.force_login(world.carol)
    client.post(_url(world, "edit/"), {"title": "Digital services renewed", "version": 1})

    body = client.get(_url(world, "history/")).content.decode()

    assert "Digital services renewed" in body
    assert "Carol Chen" in body


def test_an_edit_from_an_old_version_shows_what_changed(client, world):
    client.force_login(world.carol)
    client.post(_url(world, "edit/"), {"title": "First save", "version": 1})

    response = client.post(_url(world, "edit/"), {"title": "Second save", "version": 1})

    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Someone else changed this arrangement" in body
    assert "First save" in body
    assert Arrangement.objects.get(pk=world.arrangement.pk).title == "First save"


def test_the_sro_changes_the_stage(client, world):
    client.force_login(world.alice)

    response = client.post(_url(world, "stage/"), {"stage": "exit", "reason": "Recompetition"})

    assert response.status_code == 302
    assert Arrangement.objects.get(pk=world.arrangement.pk).stage == "exit"


def test_the_srie_cannot_change_the_stage(client, world):
    client.force_login(world.bob)

    assert client.post(_url(world, "stage/"), {"stage": "exit"}).status_code == 403


def test_openness_proposal_comes_into_force_when_both_agree(client, world):
    form = {
        f"{k}": ("yes" if v is True else "no" if v is False else v)
        for k, v in world.arrangement.openness.as_dict().items()
    } | {"open_book": "none"}
    client.force_login(world.alice)
    assert client.post(_url(world, "openness/"), form).status_code == 302
    proposal = world.arrangement.openness_proposals.get()

    client.force_login(world.bob)
    client.post(_url(world, f"openness/{proposal.uuid}/"), {"decision": "agree"})

    world.arrangement.openness.refresh_from_db()
    assert world.arrangement.openness.open_book == "none"
