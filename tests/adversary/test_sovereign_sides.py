"""Issue 13, finding 1: each side tries to cross into the other's people and agreements.

The customer's SRO once could invite an address she controlled as a *provider* member (its
account created in the provider's organisation), read the provider's private records through
it, take the SRIE role from the provider's lead and agree an openness change "as the
provider". Every attempt below goes through the pages and the API as a member would, and each
must be refused with nothing written.

The people (conftest.py): alice (customer SRO), carol (customer relationship manager), bob
(provider SRIE), peter (provider service delivery manager), fran (facilitator), charlie
(another council's SRO).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from partnering.accounts.models import Organisation, OrganisationKind, User
from partnering.arrangements import people, services
from partnering.arrangements.models import (
    Arrangement,
    Invitation,
    InvitationStatus,
    Membership,
    OpennessProfile,
    RoleAssignment,
)
from partnering.core.choices import OpenBook, Role, Side
from partnering.testing import UserFactory, add_member

API = "/api/v1"


def page_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def membership(world: Any, user: Any) -> Membership:
    return Membership.objects.get(arrangement=world.arrangement, user=user)


def people_rows() -> tuple[int, int, int, int]:
    """Everything a write to people could leave behind."""
    return (
        User.objects.count(),
        Membership.objects.filter(is_active=True).count(),
        RoleAssignment.objects.filter(ended_at__isnull=True).count(),
        Invitation.objects.count(),
    )


def roles_of(world: Any, user: Any) -> set[str]:
    return set(membership(world, user).role_assignments.filter(ended_at__isnull=True).values_list("role", flat=True))


@pytest.fixture
def sophie(world):
    """A provider relationship manager: a manager, but not the provider's lead."""
    user = UserFactory(email="sophie@brightwave.example", full_name="Sophie Shaw", organisation=world.provider)
    add_member(world.arrangement, user, Side.PROVIDER, Role.RELATIONSHIP_MANAGER)
    return user


# -- the finding, as it was reproduced ----------------------------------------------------


def test_the_sro_cannot_plant_an_account_in_the_providers_organisation(world):
    before = people_rows()

    response = api_client(world.alice).post(
        f"{API}/arrangements/{world.arrangement.slug}/members/",
        {"email": "helen.own@attacker.example", "full_name": "Not James", "side": "provider", "roles": ["srie"]},
        format="json",
    )

    assert response.status_code == 403
    assert people_rows() == before
    assert not User.objects.filter(email="helen.own@attacker.example").exists()
    assert not User.objects.filter(organisation=world.provider).exclude(pk__in=[world.bob.pk, world.peter.pk]).exists()


def test_an_invitation_through_the_page_lands_on_the_inviters_own_side_and_organisation(world):
    response = page_client(world.alice).post(
        reverse("arrangements:members", args=[world.arrangement.slug]),
        {
            "email": "helen.own@attacker.example",
            "full_name": "Not James",
            "side": "provider",
            "roles": ["board_member"],
        },
    )

    assert response.status_code == 302
    planted = User.objects.get(email="helen.own@attacker.example")
    assert planted.organisation == world.customer
    assert membership(world, planted).side == Side.CUSTOMER


@pytest.mark.parametrize("attacker", ["alice", "carol"])
@pytest.mark.parametrize("target", ["bob", "peter"])
def test_the_customer_cannot_change_or_remove_provider_members(world, attacker, target):
    attacker_user, target_user = getattr(world, attacker), getattr(world, target)
    before = people_rows(), roles_of(world, target_user)
    member = membership(world, target_user)
    api = api_client(attacker_user)
    detail = f"{API}/arrangements/{world.arrangement.slug}/members/{member.uuid}/"
    page = reverse("arrangements:member_edit", args=[world.arrangement.slug, member.uuid])

    answers = [
        api.patch(detail, {"roles": ["observer"]}, format="json").status_code,
        api.delete(detail).status_code,
        page_client(attacker_user).get(page).status_code,
        page_client(attacker_user).post(page, {"roles": ["observer"]}).status_code,
        page_client(attacker_user).post(page, {"action": "remove"}).status_code,
    ]

    assert answers == [403] * 5
    assert (people_rows(), roles_of(world, target_user)) == before


@pytest.mark.parametrize("attacker", ["bob", "peter"])
@pytest.mark.parametrize("target", ["alice", "carol"])
def test_the_provider_cannot_change_or_remove_customer_members(world, attacker, target):
    attacker_user, target_user = getattr(world, attacker), getattr(world, target)
    before = people_rows(), roles_of(world, target_user)
    member = membership(world, target_user)
    detail = f"{API}/arrangements/{world.arrangement.slug}/members/{member.uuid}/"

    patched = api_client(attacker_user).patch(detail, {"roles": ["observer"]}, format="json").status_code
    deleted = api_client(attacker_user).delete(detail).status_code

    assert (patched, deleted) == (403, 403)
    assert (people_rows(), roles_of(world, target_user)) == before


@pytest.mark.parametrize("side", ["provider", "neutral"])
def test_nobody_adds_members_to_another_side_or_the_neutral_side(world, side):
    before = people_rows()

    answers = [
        api_client(user)
        .post(
            f"{API}/arrangements/{world.arrangement.slug}/members/",
            {"email": "pat@brightwave.example", "full_name": "Pat", "side": side, "roles": ["observer"]},
            format="json",
        )
        .status_code
        for user in (world.alice, world.carol)
    ]

    assert answers == [403, 403]
    assert people_rows() == before


def test_the_sro_cannot_take_the_srie_role_for_herself(world):
    """Neither by giving it to her own membership nor by taking it from the provider's lead."""
    before = roles_of(world, world.alice), roles_of(world, world.bob)
    api = api_client(world.alice)
    mine = f"{API}/arrangements/{world.arrangement.slug}/members/{membership(world, world.alice).uuid}/"

    answer = api.patch(mine, {"roles": ["sro", "srie"]}, format="json")

    assert answer.status_code == 400  # the SRIE is a provider-side role
    assert (roles_of(world, world.alice), roles_of(world, world.bob)) == before


def test_a_provider_manager_cannot_take_the_lead_role_from_the_srie(world, sophie):
    detail = f"{API}/arrangements/{world.arrangement.slug}/members/{membership(world, world.bob).uuid}/"

    answer = api_client(sophie).patch(detail, {"roles": ["board_member"]}, format="json")
    removed = api_client(sophie).delete(detail)

    assert answer.status_code == 400 and "hand" in str(answer.data)
    assert removed.status_code == 400
    assert Role.SRIE in roles_of(world, world.bob)


def test_one_message_for_every_address_the_inviter_may_not_add(world):
    """The form says nothing about which organisation an existing account belongs to."""
    api = api_client(world.alice)
    messages = []
    for email in (world.bob.email, world.charlie.email, world.fran.email):
        response = api.post(
            f"{API}/arrangements/{world.arrangement.slug}/members/",
            {"email": email, "roles": ["observer"]},
            format="json",
        )
        assert response.status_code == 400
        messages.append(response.data["email"][0].replace(email, "<email>"))

    assert len(set(messages)) == 1
    assert "Brightwave" not in messages[0] and "Eastbridge" not in messages[0] and "Meridian" not in messages[0]


# -- two-party agreements ----------------------------------------------------------------


def _propose_openness(world, user):
    settings = world.arrangement.openness.as_dict() | {"open_book": OpenBook.NONE}
    return services.openness_propose(access=world.access(user), settings=settings, reason="Trial")


def test_a_stray_provider_membership_of_a_customer_person_cannot_agree_for_the_provider(world):
    """A customer person who somehow holds the SRIE role acts for no side."""
    planted = UserFactory(email="planted@northshire.example", organisation=world.customer)
    add_member(world.arrangement, planted, Side.PROVIDER, Role.RELATIONSHIP_MANAGER)
    RoleAssignment.objects.filter(membership__user=world.bob, role=Role.SRIE).update(ended_at="2026-01-01T00:00Z")
    RoleAssignment.objects.create(
        arrangement=world.arrangement,
        membership=membership(world, planted),
        role=Role.SRIE,
        started_at="2026-01-02T00:00Z",
    )
    proposal = _propose_openness(world, world.alice)

    response = api_client(planted).post(
        f"{API}/arrangements/{world.arrangement.slug}/openness/proposals/{proposal.uuid}/agree/"
    )

    assert response.status_code == 403
    assert OpennessProfile.objects.get(arrangement=world.arrangement).open_book == OpenBook.BOTH


def test_an_organisation_change_between_proposal_and_agreement_cannot_give_one_organisation_both_halves(world):
    proposal = _propose_openness(world, world.bob)  # the provider's half, given by bob
    world.bob.organisation = world.customer  # bob then moves to the council
    world.bob.save()

    response = api_client(world.alice).post(
        f"{API}/arrangements/{world.arrangement.slug}/openness/proposals/{proposal.uuid}/agree/"
    )

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    assert OpennessProfile.objects.get(arrangement=world.arrangement).open_book == OpenBook.BOTH


def test_the_sro_cannot_agree_both_halves_of_an_openness_change(world):
    proposal = _propose_openness(world, world.alice)

    again = api_client(world.alice).post(
        f"{API}/arrangements/{world.arrangement.slug}/openness/proposals/{proposal.uuid}/agree/"
    )

    assert again.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == "pending" and proposal.srie_agreed_at is None


def test_outcomes_need_both_organisations(world):
    services.outcome_add(access=world.access(world.alice), text="Residents served first time")
    services.outcomes_agree(access=world.access(world.alice))
    world.alice.organisation = world.provider  # the customer's half now comes from the provider's organisation
    world.alice.save()

    response = api_client(world.bob).post(f"{API}/arrangements/{world.arrangement.slug}/outcomes/agree/")

    assert response.status_code == 403
    assert not world.arrangement.outcomes.get().is_agreed


# -- how the provider side arrives --------------------------------------------------------


@pytest.fixture
def pre_award(world):
    """An arrangement of alice's whose provider side has nobody yet."""
    arrangement = services.arrangement_create(
        user=world.alice, title="Waste services", provider=world.provider, stage="contract_let"
    )
    return arrangement


def test_the_customer_invites_the_provider_lead_once_and_the_side_is_then_theirs(world, pre_award):
    access = world.access(world.alice, pre_award)
    invitation = people.provider_lead_invite(access=access, email=world.peter.email)
    assert not Membership.objects.filter(arrangement=pre_award, side=Side.PROVIDER).exists()

    joined = people.invitation_accept(user=world.peter, invitation=invitation)

    assert joined.side == Side.PROVIDER
    assert set(joined.role_assignments.values_list("role", flat=True)) == {Role.SRIE}
    api = api_client(world.alice)
    again = api.post(
        f"{API}/arrangements/{pre_award.slug}/invitations/",
        {"kind": "provider_lead", "email": world.bob.email},
        format="json",
    )
    changed = api.patch(
        f"{API}/arrangements/{pre_award.slug}/members/{joined.uuid}/", {"roles": ["observer"]}, format="json"
    )
    assert again.status_code == 400
    assert changed.status_code == 403


def test_the_provider_lead_invitation_goes_to_a_person_of_an_existing_provider_organisation(world, pre_award):
    before = people_rows()
    api = api_client(world.alice)

    planted = api.post(
        f"{API}/arrangements/{pre_award.slug}/invitations/",
        {"kind": "provider_lead", "email": "helen.own@attacker.example", "full_name": "Not James"},
        format="json",
    )
    foreign = api.post(
        f"{API}/arrangements/{pre_award.slug}/invitations/",
        {"kind": "provider_lead", "email": world.charlie.email},
        format="json",
    )

    assert planted.status_code == 400 and foreign.status_code == 400
    assert people_rows() == before


def test_a_new_provider_organisation_gets_its_first_account_from_the_lead_invitation(world):
    arrangement = services.arrangement_create(
        user=world.alice, title="Parking", new_provider="Fresh Digital Ltd", stage="contract_let"
    )
    access = world.access(world.alice, arrangement)

    invitation = people.provider_lead_invite(access=access, email="lead@fresh.example", full_name="Lee Lead")

    assert invitation.user.organisation.name == "Fresh Digital Ltd"
    assert invitation.user.organisation.kind == OrganisationKind.PROVIDER


def test_only_the_invited_person_accepts(world, pre_award):
    invitation = people.provider_lead_invite(access=world.access(world.alice, pre_award), email=world.peter.email)

    stolen = api_client(world.bob).post(f"{API}/invitations/mine/{invitation.uuid}/accept/")
    own = api_client(world.alice).post(f"{API}/invitations/mine/{invitation.uuid}/accept/")

    assert (stolen.status_code, own.status_code) == (404, 404)
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_the_provider_lead_accepts_through_the_invitations_page(world, pre_award):
    invitation = people.provider_lead_invite(access=world.access(world.alice, pre_award), email=world.peter.email)
    client = page_client(world.peter)

    listed = client.get(reverse("arrangements:invitations"))
    accepted = client.post(reverse("arrangements:invitations"), {"invitation": str(invitation.uuid)})

    assert b"Waste services" in listed.content
    assert accepted.status_code == 302
    assert Membership.objects.get(arrangement=pre_award, user=world.peter).side == Side.PROVIDER


def test_a_refused_arrangement_leaves_no_new_organisation_behind(world):
    before = Organisation.objects.count()

    response = page_client(world.alice).post(
        reverse("arrangements:create"),
        {
            "title": "Refused",
            "new_provider": "Ghost Provider Ltd",
            "stage": "strategic_assessment",
            "creator_role": "sro",
            "contract_start": "2027-04-01",
            "contract_end": "2026-04-01",  # before the start: refused by the service too
            "openness-joint_project_board": "yes",
            "openness-single_risk_register": "yes",
            "openness-problems_visible": "yes",
            "openness-open_book": "both",
            "openness-single_project_budget": "no",
            "openness-staff_360_reporting": "no",
            "openness-facilitator_sees_blind_answers": "no",
        },
    )

    assert response.status_code == 200
    assert Organisation.objects.count() == before
    assert not Arrangement.objects.filter(title="Refused").exists()


def test_a_refused_arrangement_through_the_service_leaves_no_organisation(world):
    from django.core.exceptions import ValidationError

    before = Organisation.objects.count()
    with pytest.raises(ValidationError):
        services.arrangement_create(
            user=world.alice, title="Refused", new_provider="Ghost Provider Ltd", creator_role=Role.SRIE
        )

    assert Organisation.objects.count() == before


# -- the facilitator, with both leads' agreement ------------------------------------------


def test_a_facilitator_joins_only_when_both_leads_agree(world, django_capture_on_commit_callbacks):
    neutral = Organisation.objects.get(name="Meridian Facilitation")
    gill = UserFactory(email="gill@meridian.example", full_name="Gill Green", organisation=neutral)
    api = api_client(world.alice)

    proposed = api.post(
        f"{API}/arrangements/{world.arrangement.slug}/invitations/",
        {"kind": "facilitator", "email": gill.email},
        format="json",
    )
    again = api.post(f"{API}/arrangements/{world.arrangement.slug}/invitations/{proposed.data['uuid']}/agree/")
    assert proposed.status_code == 201 and again.status_code == 400
    assert not Membership.objects.filter(arrangement=world.arrangement, user=gill).exists()

    with django_capture_on_commit_callbacks(execute=True):
        agreed = api_client(world.bob).post(
            f"{API}/arrangements/{world.arrangement.slug}/invitations/{proposed.data['uuid']}/agree/"
        )

    assert agreed.status_code == 200
    assert membership(world, gill).side == Side.NEUTRAL
    assert gill.email in {address for m in mail.outbox for address in m.to}


def test_only_a_lead_proposes_a_facilitator(world):
    response = api_client(world.carol).post(
        f"{API}/arrangements/{world.arrangement.slug}/invitations/",
        {"kind": "facilitator", "email": "someone@meridian.example", "full_name": "Some One", "organisation_name": "M"},
        format="json",
    )

    assert response.status_code == 403


# -- handover and notice -------------------------------------------------------------------


def test_the_sro_hands_over_to_a_colleague_and_the_srie_is_told(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(world.alice).post(
            f"{API}/arrangements/{world.arrangement.slug}/members/handover/",
            {"successor": str(membership(world, world.carol).uuid), "handover_note": "Board papers on Fridays."},
            format="json",
        )

    assert response.status_code == 200
    assert Role.SRO in roles_of(world, world.carol) and Role.SRO not in roles_of(world, world.alice)
    ended = RoleAssignment.objects.get(membership__user=world.alice, role=Role.SRO)
    assert ended.handover_note == "Board papers on Fridays."
    told = [m for m in mail.outbox if m.to == [world.bob.email]]
    assert told and "handed the Senior Responsible Owner" in told[0].body


@pytest.mark.parametrize("successor", ["peter", "fran"])
def test_a_lead_cannot_hand_over_across_sides(world, successor):
    response = api_client(world.alice).post(
        f"{API}/arrangements/{world.arrangement.slug}/members/handover/",
        {"successor": str(membership(world, getattr(world, successor)).uuid)},
        format="json",
    )

    assert response.status_code == 400
    assert Role.SRO in roles_of(world, world.alice)


def test_only_a_lead_hands_over(world):
    response = api_client(world.carol).post(
        f"{API}/arrangements/{world.arrangement.slug}/members/handover/",
        {"successor": str(membership(world, world.dave).uuid)},
        format="json",
    )

    assert response.status_code == 403


def test_every_change_to_a_sides_people_reaches_the_other_lead(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        joined = people.member_invite(
            access=world.access(world.bob), email="pia@brightwave.example", full_name="Pia", roles=[Role.OBSERVER]
        )
        people.member_set_roles(access=world.access(world.bob), membership=joined, roles=[Role.BOARD_MEMBER])
        people.member_remove(access=world.access(world.bob), membership=joined)

    to_alice = [m.body for m in mail.outbox if m.to == [world.alice.email]]
    assert len(to_alice) == 3
    assert "Pia joined the provider side" in to_alice[0]
    assert "Board member" in to_alice[1]
    assert "Pia left the provider side" in to_alice[2]
