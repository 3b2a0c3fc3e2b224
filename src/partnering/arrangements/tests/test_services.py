"""Writes to arrangements: creation, details, stage, outcomes, members, openness, audit."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from partnering.accounts.models import Organisation, OrganisationKind
from partnering.arrangements import people, services
from partnering.arrangements.models import (
    Arrangement,
    Membership,
    OpennessProfile,
    OpennessProposal,
    ProposalStatus,
    RoleAssignment,
    SharedOutcome,
    StageChange,
)
from partnering.core.audit import arrangement_history
from partnering.core.choices import OpenBook, Role, Side, Stage
from partnering.core.concurrency import EditConflict
from partnering.testing import UserFactory

User = get_user_model()


def _rows() -> dict[str, int]:
    """How many rows each arrangement table holds, to show nothing was half-saved."""
    return {
        model.__name__: model.objects.count()
        for model in (User, Arrangement, OpennessProfile, StageChange, SharedOutcome, Membership, RoleAssignment)
    }


@pytest.fixture(autouse=True)
def _created_by_alice(world):
    # As arrangement_create would have recorded it; see the deleted-creator test below.
    Arrangement.objects.filter(pk=world.arrangement.pk).update(created_by=world.alice)
    world.arrangement.refresh_from_db()


# -- arrangement_create ------------------------------------------------------------


def test_a_customer_creates_an_arrangement_with_everything_it_needs(world):
    arrangement = services.arrangement_create(
        user=world.carol,
        title="  Revenues and benefits  ",
        provider=world.provider,
        contract_start=date(2027, 4, 1),
        contract_end=date(2034, 3, 31),
        outcomes=["Claims decided in 10 days", "  ", "Fewer calls"],
        openness={"open_book": OpenBook.PROVIDER_ONLY},
        creator_role=Role.RELATIONSHIP_MANAGER,
    )

    assert arrangement.title == "Revenues and benefits"
    assert arrangement.customer == world.customer
    assert arrangement.openness.open_book == OpenBook.PROVIDER_ONLY
    assert list(arrangement.outcomes.values_list("text", flat=True)) == ["Claims decided in 10 days", "Fewer calls"]
    membership = Membership.objects.get(arrangement=arrangement, user=world.carol)
    assert membership.side == Side.CUSTOMER
    assert [ra.role for ra in membership.role_assignments.all()] == [Role.RELATIONSHIP_MANAGER]
    change = arrangement.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", Stage.STRATEGIC_ASSESSMENT, world.carol)


def test_a_provider_cannot_create_an_arrangement(world):
    other_provider = Organisation.objects.create(name="Other provider", kind=OrganisationKind.PROVIDER)
    before = _rows()

    with pytest.raises(PermissionDenied):
        services.arrangement_create(user=world.bob, title="Ours", provider=other_provider)

    assert _rows() == before


def test_the_provider_must_be_a_provider_organisation(world):
    before = _rows()

    with pytest.raises(ValidationError) as exc:
        services.arrangement_create(user=world.alice, title="Odd", provider=world.customer)

    assert "provider" in exc.value.message_dict
    assert _rows() == before


def test_an_end_date_before_the_start_is_refused_and_nothing_saved(world):
    before = _rows()

    with pytest.raises(ValidationError) as exc:
        services.arrangement_create(
            user=world.alice,
            title="Backwards",
            provider=world.provider,
            contract_start=date(2030, 1, 1),
            contract_end=date(2029, 1, 1),
        )

    assert "contract_end" in exc.value.message_dict
    assert _rows() == before


def test_a_bad_openness_setting_leaves_nothing_half_saved(world):
    before = _rows()

    with pytest.raises(ValidationError):
        services.arrangement_create(
            user=world.alice, title="Half", provider=world.provider, openness={"open_book": "sometimes"}
        )

    assert _rows() == before


def test_the_creator_must_take_a_customer_role(world):
    with pytest.raises(ValidationError) as exc:
        services.arrangement_create(user=world.alice, title="X", provider=world.provider, creator_role=Role.SRIE)

    assert "creator_role" in exc.value.message_dict


# -- arrangement_update and stage --------------------------------------------------


def test_details_are_saved_and_the_version_moves_on(world):
    access = world.access(world.carol)

    arrangement = services.arrangement_update(
        access=access, expected_version=1, changes={"title": " Digital services 2 ", "description": "New"}
    )

    arrangement.refresh_from_db()
    assert (arrangement.title, arrangement.description, arrangement.version) == ("Digital services 2", "New", 2)


def test_a_save_from_an_old_version_is_refused_and_names_the_changes(world):
    services.arrangement_update(access=world.access(world.alice), expected_version=1, changes={"title": "Alice's"})

    with pytest.raises(EditConflict) as exc:
        services.arrangement_update(
            access=world.access(world.bob), expected_version=1, changes={"title": "Bob's", "description": "Bob"}
        )

    # What alice changed since bob's version: the title, not the description bob typed.
    assert [(c.field, c.theirs, c.yours) for c in exc.value.changes] == [("title", "Alice's", "Bob's")]
    assert exc.value.current.title == "Alice's"
    world.arrangement.refresh_from_db()
    assert (world.arrangement.title, world.arrangement.version) == ("Alice's", 2)


def test_details_can_still_be_edited_after_the_creator_is_deleted(world):
    Arrangement.objects.filter(pk=world.arrangement.pk).update(created_by=None)

    services.arrangement_update(access=world.access(world.carol), expected_version=1, changes={"title": "Kept"})

    world.arrangement.refresh_from_db()
    assert world.arrangement.title == "Kept"


def test_observers_cannot_edit_details(world):
    with pytest.raises(PermissionDenied):
        services.arrangement_update(access=world.access(world.dave), expected_version=1, changes={"title": "X"})


def test_unknown_fields_cannot_be_changed(world):
    with pytest.raises(ValidationError):
        services.arrangement_update(access=world.access(world.alice), expected_version=1, changes={"stage": "exit"})


def test_the_sro_changes_the_stage_and_who_and_when_are_recorded(world):
    change = services.arrangement_change_stage(
        access=world.access(world.alice), stage=Stage.EXIT, reason="Recompetition"
    )

    world.arrangement.refresh_from_db()
    assert world.arrangement.stage == Stage.EXIT
    assert (change.from_stage, change.to_stage, change.changed_by) == (Stage.IN_SERVICE, Stage.EXIT, world.alice)
    assert change.created_at is not None


@pytest.mark.parametrize("user", ["bob", "carol", "dave", "fran"])
def test_only_the_sro_changes_the_stage(world, user):
    with pytest.raises(PermissionDenied):
        services.arrangement_change_stage(access=world.access(getattr(world, user)), stage=Stage.EXIT)


def test_changing_to_the_current_stage_is_refused(world):
    with pytest.raises(ValidationError):
        services.arrangement_change_stage(access=world.access(world.alice), stage=Stage.IN_SERVICE)


# -- outcomes ---------------------------------------------------------------------


def test_editing_an_outcome_clears_both_agreements(world):
    outcome = services.outcome_add(access=world.access(world.alice), text="Residents served first time")
    services.outcomes_agree(access=world.access(world.alice))
    services.outcomes_agree(access=world.access(world.bob))
    outcome.refresh_from_db()
    assert outcome.is_agreed

    services.outcome_update(access=world.access(world.carol), outcome=outcome, text="Residents served online")

    outcome.refresh_from_db()
    assert not outcome.is_agreed
    assert outcome.customer_agreed_by is None and outcome.provider_agreed_by is None


def test_saving_the_same_words_keeps_the_agreements(world):
    outcome = services.outcome_add(access=world.access(world.alice), text="Same")
    services.outcomes_agree(access=world.access(world.alice))

    services.outcome_update(access=world.access(world.alice), outcome=outcome, text=" Same ")

    outcome.refresh_from_db()
    assert outcome.customer_agreed_by == world.alice


def test_the_sro_agrees_for_the_customer_and_the_srie_for_the_provider(world):
    services.outcome_add(access=world.access(world.alice), text="One")
    services.outcome_add(access=world.access(world.alice), text="Two")

    assert services.outcomes_agree(access=world.access(world.alice)) == 2
    assert services.outcomes_agree(access=world.access(world.alice)) == 0
    assert services.outcomes_agree(access=world.access(world.bob)) == 2

    for outcome in world.arrangement.outcomes.all():
        assert (outcome.customer_agreed_by, outcome.provider_agreed_by) == (world.alice, world.bob)
        assert outcome.is_agreed


@pytest.mark.parametrize("user", ["carol", "peter", "dave", "fran"])
def test_only_the_sro_and_srie_agree_outcomes(world, user):
    with pytest.raises(PermissionDenied):
        services.outcomes_agree(access=world.access(getattr(world, user)))


def test_new_outcomes_go_to_the_end_and_empty_ones_are_refused(world):
    first = services.outcome_add(access=world.access(world.alice), text="First")
    second = services.outcome_add(access=world.access(world.alice), text="Second")

    assert second.position == first.position + 1
    with pytest.raises(ValidationError):
        services.outcome_add(access=world.access(world.alice), text="   ")


# -- members and roles ---------------------------------------------------------------


def _invite(world, inviter="alice", **kwargs):
    defaults = {
        "email": "nina@northshire.example",
        "side": Side.CUSTOMER,
        "roles": [Role.CONTRACT_MANAGER],
        "full_name": "Nina North",
    }
    return people.member_invite(access=world.access(getattr(world, inviter)), **(defaults | kwargs))


def test_inviting_a_new_person_creates_an_account_and_sends_a_set_password_link(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = _invite(world, email=" Nina@Northshire.example ")

    user = membership.user
    assert user.email == "nina@northshire.example"
    assert user.organisation == world.customer
    assert not user.has_usable_password()
    assert membership.invited_by == world.alice
    assert [ra.role for ra in membership.role_assignments.all()] == [Role.CONTRACT_MANAGER]
    # The invitee gets the link to set a password; the provider's lead is told (sovereign sides).
    assert [m.to for m in mail.outbox] == [["nina@northshire.example"], [world.bob.email]]
    message = mail.outbox[0]
    link = re.search(r"https?://\S+", message.body).group(0)
    assert "/accounts/password-reset/" in link


def test_the_set_password_link_in_the_invitation_works(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(world)
    path = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)

    response = client.get(path, follow=True)

    assert response.status_code == 200
    assert b"new_password1" in response.content


def test_inviting_an_existing_person_adds_them_and_links_to_the_arrangement(world, django_capture_on_commit_callbacks):
    existing = UserFactory(email="olga@northshire.example", organisation=world.customer)
    users_before = User.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        membership = _invite(world, email="OLGA@northshire.example", full_name="")

    assert membership.user == existing
    assert User.objects.count() == users_before
    assert existing.has_usable_password()
    assert f"/arrangements/{world.arrangement.slug}/" in mail.outbox[0].body


def test_a_new_person_needs_a_name(world):
    before = _rows()

    with pytest.raises(ValidationError) as exc:
        _invite(world, full_name=" ")

    assert "full_name" in exc.value.message_dict
    assert _rows() == before


def test_inviting_a_member_twice_is_refused(world):
    before = _rows()

    with pytest.raises(ValidationError) as exc:
        _invite(world, email=world.carol.email, roles=[Role.BOARD_MEMBER])

    assert "already a member" in exc.value.message_dict["email"][0]
    assert _rows() == before


def test_a_second_sro_is_refused_naming_the_holder_and_nothing_is_saved(world, django_capture_on_commit_callbacks):
    before = _rows()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        _invite(world, roles=[Role.SRO])

    message = exc.value.message_dict["roles"][0]
    assert "Alice Adams" in message and "Senior Responsible Owner" in message
    assert _rows() == before
    assert mail.outbox == []


def test_a_provider_person_cannot_join_the_customer_side(world):
    before = _rows()

    with pytest.raises(ValidationError) as exc:
        _invite(world, email=world.charlie.email, full_name="")

    assert "cannot be added by your side" in exc.value.message_dict["email"][0]
    assert _rows() == before


def test_a_role_must_suit_the_side(world):
    with pytest.raises(ValidationError) as exc:
        _invite(world, roles=[Role.SRIE])

    assert "roles" in exc.value.message_dict


def test_the_srie_cannot_add_people_to_the_customer_side(world):
    with pytest.raises(PermissionDenied):
        _invite(world, inviter="bob")


def test_the_srie_adds_people_to_the_provider_side(world):
    membership = _invite(world, inviter="bob", email="pam@brightwave.example", side=Side.PROVIDER, full_name="Pam")

    assert membership.user.organisation == world.provider
    assert membership.side == Side.PROVIDER


def test_a_former_member_can_be_invited_back(world):
    carol = world.arrangement.memberships.get(user=world.carol)
    people.member_remove(access=world.access(world.alice), membership=carol)

    membership = _invite(world, email=world.carol.email, full_name="", roles=[Role.BOARD_MEMBER])

    assert membership.pk == carol.pk
    assert membership.is_active and membership.left_at is None


def test_changing_roles_keeps_the_history_and_the_handover_note(world):
    carol = world.arrangement.memberships.get(user=world.carol)

    people.member_set_roles(
        access=world.access(world.alice),
        membership=carol,
        roles=[Role.CONTRACT_MANAGER],
        handover_note="Supplier meetings are on Tuesdays.",
    )

    ended = carol.role_assignments.get(role=Role.RELATIONSHIP_MANAGER)
    started = carol.role_assignments.get(role=Role.CONTRACT_MANAGER)
    assert ended.ended_at is not None
    assert ended.handover_note == "Supplier meetings are on Tuesdays."
    assert started.ended_at is None and started.assigned_by == world.alice


def test_handing_over_the_sro_role(world):
    alice = world.arrangement.memberships.get(user=world.alice)
    carol = world.arrangement.memberships.get(user=world.carol)
    with pytest.raises(ValidationError):
        people.member_set_roles(access=world.access(world.alice), membership=carol, roles=[Role.SRO])

    people.member_set_roles(access=world.access(world.alice), membership=alice, roles=[Role.BOARD_MEMBER])
    people.member_set_roles(access=world.access(world.carol), membership=carol, roles=[Role.SRO])

    assert world.access(world.carol).roles == {Role.SRO}


def test_removing_a_member_keeps_their_past_roles(world):
    carol = world.arrangement.memberships.get(user=world.carol)

    people.member_remove(access=world.access(world.alice), membership=carol, handover_note="Over to Nina")

    carol.refresh_from_db()
    assert not carol.is_active and carol.left_at is not None
    assignment = carol.role_assignments.get()
    assert assignment.ended_at is not None and assignment.handover_note == "Over to Nina"


def test_members_cannot_remove_themselves(world):
    alice = world.arrangement.memberships.get(user=world.alice)

    with pytest.raises(ValidationError):
        people.member_remove(access=world.access(world.alice), membership=alice)


def test_the_srie_cannot_remove_customer_members(world):
    carol = world.arrangement.memberships.get(user=world.carol)

    with pytest.raises(PermissionDenied):
        people.member_remove(access=world.access(world.bob), membership=carol)


# -- degree of openness -------------------------------------------------------------


def _settings(world, **changes):
    return world.arrangement.openness.as_dict() | changes


def test_a_proposal_needs_both_the_sro_and_the_srie(world):
    proposal = services.openness_propose(
        access=world.access(world.alice), settings=_settings(world, open_book=OpenBook.NONE), reason="Trial"
    )

    assert proposal.status == ProposalStatus.PENDING
    assert proposal.sro_agreed_by == world.alice and proposal.srie_agreed_by is None
    assert OpennessProfile.objects.get(arrangement=world.arrangement).open_book == OpenBook.BOTH

    proposal = services.openness_agree(access=world.access(world.bob), proposal=proposal)

    assert proposal.status == ProposalStatus.AGREED
    profile = OpennessProfile.objects.get(arrangement=world.arrangement)
    assert profile.open_book == OpenBook.NONE
    assert profile.version == 2


def test_the_proposer_agreeing_again_changes_nothing(world):
    proposal = services.openness_propose(
        access=world.access(world.bob), settings=_settings(world, staff_360_reporting=True)
    )
    first = proposal.srie_agreed_at

    proposal = services.openness_agree(access=world.access(world.bob), proposal=proposal)

    assert proposal.status == ProposalStatus.PENDING
    assert proposal.srie_agreed_at == first


def test_a_new_proposal_supersedes_the_pending_one(world):
    first = services.openness_propose(access=world.access(world.alice), settings=_settings(world, open_book="none"))

    second = services.openness_propose(access=world.access(world.bob), settings=_settings(world, open_book="customer"))

    first.refresh_from_db()
    assert first.status == ProposalStatus.SUPERSEDED
    assert second.status == ProposalStatus.PENDING
    with pytest.raises(ValidationError):
        services.openness_agree(access=world.access(world.alice), proposal=first)


def test_a_withdrawn_proposal_cannot_be_agreed(world):
    proposal = services.openness_propose(access=world.access(world.alice), settings=_settings(world, open_book="none"))

    services.openness_withdraw(access=world.access(world.alice), proposal=proposal)

    assert OpennessProposal.objects.get(pk=proposal.pk).status == ProposalStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.openness_agree(access=world.access(world.bob), proposal=proposal)


def test_proposing_the_settings_in_force_is_refused(world):
    with pytest.raises(ValidationError):
        services.openness_propose(access=world.access(world.alice), settings=_settings(world))


def test_every_question_must_be_answered(world):
    settings = _settings(world, open_book="none")
    del settings["staff_360_reporting"]

    with pytest.raises(ValidationError) as exc:
        services.openness_propose(access=world.access(world.alice), settings=settings)

    assert "staff_360_reporting" in exc.value.message_dict


@pytest.mark.parametrize("user", ["carol", "peter", "dave", "fran"])
def test_only_the_sro_and_srie_propose_and_agree_openness(world, user):
    proposal = services.openness_propose(access=world.access(world.alice), settings=_settings(world, open_book="none"))
    access = world.access(getattr(world, user))

    with pytest.raises(PermissionDenied):
        services.openness_propose(access=access, settings=_settings(world, open_book="customer"))
    with pytest.raises(PermissionDenied):
        services.openness_agree(access=access, proposal=proposal)


def test_a_proposal_of_another_arrangement_cannot_be_agreed(world):
    proposal = services.openness_propose(access=world.access(world.alice), settings=_settings(world, open_book="none"))

    with pytest.raises(OpennessProposal.DoesNotExist):
        services.openness_agree(access=world.access(world.charlie, world.other_arrangement), proposal=proposal)


# -- audit -----------------------------------------------------------------------------


def test_service_writes_record_their_actor_outside_a_request(world):
    services.arrangement_update(access=world.access(world.carol), expected_version=1, changes={"title": "T"})

    entry = next(e for e in arrangement_history(world.access(world.alice)) if e.action == "Changed")
    assert entry.actor == "Carol Chen <carol@northshire.example>"


def test_arrangement_history_lists_old_and_new_values(world):
    services.arrangement_update(access=world.access(world.carol), expected_version=1, changes={"title": "Renamed"})
    services.outcome_add(access=world.access(world.alice), text="A shared outcome")

    entries = arrangement_history(world.access(world.alice))

    changed = next(e for e in entries if e.action == "Changed" and e.model_label == "Arrangement")
    assert ("Title", "Digital services", "Renamed") in changed.changes
    created = next(e for e in entries if e.model_label == "Shared outcome")
    assert created.action == "Created"
    assert ("Outcome", "", "A shared outcome") in created.changes
    assert entries == sorted(entries, key=lambda e: e.when, reverse=True)


def test_every_service_write_leaves_history_rows(world):
    access = world.access(world.alice)
    counts = {}

    def snapshot():
        return {
            m.__name__: m.history.count()
            for m in (Arrangement, SharedOutcome, Membership, RoleAssignment, OpennessProposal, OpennessProfile)
        }

    counts["start"] = snapshot()
    services.arrangement_update(access=access, expected_version=1, changes={"title": "Renamed"})
    services.arrangement_change_stage(access=world.access(world.alice), stage=Stage.EXIT)
    outcome = services.outcome_add(access=access, text="One")
    services.outcome_update(access=access, outcome=outcome, text="Two")
    services.outcomes_agree(access=access)
    membership = _invite(world)
    people.member_set_roles(access=access, membership=membership, roles=[Role.BOARD_MEMBER])
    people.member_remove(access=access, membership=membership)
    proposal = services.openness_propose(access=access, settings=_settings(world, open_book="none"))
    services.openness_agree(access=world.access(world.bob), proposal=proposal)
    end = snapshot()

    grew = {name for name, count in end.items() if count > counts["start"][name]}
    assert grew == set(end), f"no history for {set(end) - grew}"
