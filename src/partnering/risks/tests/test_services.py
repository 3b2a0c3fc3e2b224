"""Risk services: references, owners, openness, sharing, locking, actions and comments."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partnering.actions.models import Action
from partnering.core.concurrency import EditConflict
from partnering.risks import selectors, services
from partnering.risks.models import Risk, RiskComment
from partnering.risks.tests.factories import make_risk


def test_references_count_up_per_arrangement(world):
    first = make_risk(world.access(world.alice))
    second = make_risk(world.access(world.bob))
    elsewhere = make_risk(world.access(world.charlie, world.other_arrangement))

    assert [first.reference, second.reference, elsewhere.reference] == ["R-001", "R-002", "R-001"]


def test_a_given_reference_is_kept_and_numbering_continues_after_it(world):
    access = world.access(world.alice)
    make_risk(access, reference="R-041")

    assert make_risk(access).reference == "R-042"


def test_a_reference_is_unique_in_its_arrangement(world):
    access = world.access(world.alice)
    make_risk(access, reference="R-007")

    with pytest.raises(ValidationError):
        make_risk(access, reference="r-007")


def test_observers_cannot_add_risks(world):
    with pytest.raises(PermissionDenied):
        make_risk(world.access(world.dave))


def test_the_owner_must_be_a_member(world):
    with pytest.raises(ValidationError) as exc:
        make_risk(world.access(world.alice), owner=world.charlie)

    assert "owner" in exc.value.message_dict


def test_a_provider_risk_is_owned_by_someone_on_the_provider_side(world):
    with pytest.raises(ValidationError) as exc:
        make_risk(world.access(world.alice), owning_side="provider", owner=world.alice)

    assert "provider side" in exc.value.message_dict["owner"][0]


def test_a_joint_risk_may_be_owned_by_either_side(world):
    risk = make_risk(world.access(world.alice), owning_side="joint", owner=world.bob)

    assert risk.owner == world.bob


def test_with_a_single_risk_register_every_risk_is_shared(world):
    with pytest.raises(ValidationError) as exc:
        make_risk(world.access(world.alice), visibility="customer")

    assert "single risk register" in exc.value.message_dict["visibility"][0]


def test_without_a_single_register_a_side_keeps_a_private_risk(private_registers):
    world = private_registers
    risk = make_risk(world.access(world.bob), visibility="provider", owning_side="provider")

    assert risk.visibility == "provider"
    assert risk.shared_at is None


def test_a_side_cannot_make_a_risk_private_to_the_other_side(private_registers):
    world = private_registers
    with pytest.raises(ValidationError):
        make_risk(world.access(world.alice), visibility="provider")


def test_the_facilitator_has_no_side_to_keep_risks_private_for(private_registers):
    world = private_registers
    assert services.may_keep_private_risks(world.access(world.fran)) is False


def test_a_private_risk_is_owned_on_its_side(private_registers):
    world = private_registers
    with pytest.raises(ValidationError):
        make_risk(world.access(world.alice), visibility="customer", owning_side="joint", owner=world.bob)


def test_sharing_shows_the_risk_and_its_actions_to_the_other_side(private_registers):
    world = private_registers
    bob = world.access(world.bob)
    risk = make_risk(bob, visibility="provider", owning_side="provider")
    action = services.risk_action_add(access=bob, risk=risk, title="Hire a second architect", owner=world.peter)
    assert action.visibility == "provider"

    services.risk_share(access=bob, risk=risk)

    alice = world.access(world.alice)
    assert selectors.risk_get(access=alice, risk_uuid=risk.uuid) == risk
    assert list(selectors.risk_actions(access=alice, risk=risk)) == [Action.objects.get(pk=action.pk)]
    assert Risk.objects.get(pk=risk.pk).shared_at is not None


def test_the_other_side_cannot_share_a_private_risk(private_registers):
    world = private_registers
    risk = make_risk(world.access(world.bob), visibility="provider", owning_side="provider")

    with pytest.raises(PermissionDenied):
        services.risk_share(access=world.access(world.alice), risk=risk)


def test_a_second_save_from_the_same_version_is_refused_with_what_changed(world):
    risk = make_risk(world.access(world.alice), title="Data migration slips", likelihood=3)
    alices_copy = Risk.objects.get(pk=risk.pk)
    bobs_copy = Risk.objects.get(pk=risk.pk)
    services.risk_update(
        access=world.access(world.alice), risk=alices_copy, expected_version=1, changes={"likelihood": 5}
    )

    with pytest.raises(EditConflict) as exc:
        services.risk_update(
            access=world.access(world.bob), risk=bobs_copy, expected_version=1, changes={"title": "Bob's title"}
        )

    # What alice changed since bob opened the risk: the page shows it next to bob's value.
    changed = {c.field: (c.theirs, c.yours) for c in exc.value.changes}
    assert changed["likelihood"] == (5, 3)
    saved = Risk.objects.get(pk=risk.pk)
    assert (saved.title, saved.likelihood, saved.version) == ("Data migration slips", 5, 2)


def test_a_field_outside_the_editable_ones_cannot_be_changed(world):
    access = world.access(world.alice)
    risk = make_risk(access)

    with pytest.raises(ValidationError):
        services.risk_update(access=access, risk=risk, expected_version=1, changes={"visibility": "customer"})


def test_mitigation_actions_use_the_one_action_model(world):
    access = world.access(world.alice)
    risk = make_risk(access)

    action = services.risk_action_add(access=access, risk=risk, title="Run a trial migration", owner=world.bob)

    assert action.source == risk
    assert action.source_detail == "risk R-001"
    assert list(selectors.risk_actions(access=world.access(world.bob), risk=risk)) == [action]


def test_comments_come_from_either_side_and_are_audited(world):
    risk = make_risk(world.access(world.alice))

    services.risk_comment_add(access=world.access(world.bob), risk=risk, text="We can take this one.")
    services.risk_comment_add(access=world.access(world.alice), risk=risk, text="Agreed.")

    assert [c.text for c in selectors.risk_comments(risk=risk)] == ["We can take this one.", "Agreed."]
    assert RiskComment.history.count() == 2


def test_the_history_of_a_risk_shows_each_change_and_who_made_it(world):
    access = world.access(world.alice)
    risk = make_risk(access, likelihood=2)
    services.risk_update(access=access, risk=risk, expected_version=1, changes={"likelihood": 4, "owner": world.bob})

    history = selectors.risk_history(risk=risk)

    assert [e.action for e in history] == ["Changed", "Created"]
    changes = dict((label, (old, new)) for label, old, new in history[0].changes)
    assert changes["Likelihood"] == ("2", "4")
    assert changes["Owner"] == ("(blank)", "Bob Brown")
    assert changes["Rating"] == ("Amber", "Red")
    assert history[0].actor == "Alice Adams <alice@northshire.example>"


def test_each_visibility_has_its_own_sequence(private_registers):
    world = private_registers
    alice, bob = world.access(world.alice), world.access(world.bob)

    refs = [
        make_risk(alice).reference,
        make_risk(alice, visibility="customer", owning_side="customer").reference,
        make_risk(bob, visibility="provider", owning_side="provider").reference,
        make_risk(bob).reference,
        make_risk(alice, visibility="customer", owning_side="customer").reference,
    ]

    assert refs == ["R-001", "RC-001", "RP-001", "R-002", "RC-002"]


def test_a_shared_risk_takes_the_next_shared_number_and_its_actions_name_it(private_registers):
    world = private_registers
    alice = world.access(world.alice)
    make_risk(alice)
    private = make_risk(alice, visibility="customer", owning_side="customer")
    action = services.risk_action_add(access=alice, risk=private, title="Check the contract")

    services.risk_share(access=alice, risk=private)

    assert (private.reference, private.number) == ("R-002", 2)
    action.refresh_from_db()
    assert action.source_detail == "risk R-002"
    assert make_risk(alice, visibility="customer", owning_side="customer").reference == "RC-002"


def test_a_private_risk_is_never_given_a_reference_by_hand(private_registers):
    world = private_registers
    with pytest.raises(ValidationError):
        make_risk(world.access(world.alice), visibility="customer", owning_side="customer", reference="R-009")
    with pytest.raises(ValidationError):
        make_risk(world.access(world.alice), reference="RP-001")
