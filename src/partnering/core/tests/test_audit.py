"""The audit trail: who changed what, kept even after a person's account is deleted."""

from __future__ import annotations

import pytest

from partnering.actions.models import Action
from partnering.arrangements.models import Arrangement, Membership, RoleAssignment, SharedOutcome
from partnering.core.audit import _REGISTRY, arrangement_history


@pytest.fixture(autouse=True)
def _created_by_alice(world):
    Arrangement.objects.filter(pk=world.arrangement.pk).update(created_by=world.alice)


def _edit_title(client, world, user, title):
    client.force_login(user)
    url = f"/arrangements/{world.arrangement.slug}/edit/"
    version = Arrangement.objects.get(pk=world.arrangement.pk).version
    response = client.post(url, {"title": title, "version": version})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_arrangement_data_models_are_registered():
    registered = {model for model, _field in _REGISTRY}

    assert {Arrangement, SharedOutcome, Membership, RoleAssignment, Action} <= registered


def test_every_registered_model_reaches_its_arrangement():
    for model, field in _REGISTRY:
        history = model.history.model
        lookup = "id" if model is Arrangement else field
        # Building the query resolves the lookup: a wrong path fails here, not on the history page.
        str(history.objects.filter(**{lookup: 1}).query)


def test_a_change_made_on_a_page_is_attributed_to_its_author(client, world):
    _edit_title(client, world, world.carol, "Renamed by Carol")

    entry = next(e for e in arrangement_history(world.access(world.alice)) if e.action == "Changed")

    assert entry.actor == "Carol Chen <carol@northshire.example>"
    assert ("Title", "Digital services", "Renamed by Carol") in entry.changes


def test_history_stays_attributed_after_the_author_is_deleted(client, world):
    _edit_title(client, world, world.carol, "Renamed by Carol")

    world.carol.delete()

    entry = next(
        e
        for e in arrangement_history(world.access(world.alice))
        if e.action == "Changed" and e.model_label == "Arrangement"
    )
    assert entry.actor == "Carol Chen <carol@northshire.example>"
    assert Arrangement.history.filter(history_actor__startswith="Carol Chen").exists()


def test_unchanged_saves_are_left_out(world):
    arrangement = Arrangement.objects.get(pk=world.arrangement.pk)
    arrangement.save()
    before = len(arrangement_history(world.access(world.alice)))

    arrangement.save()

    assert len(arrangement_history(world.access(world.alice))) == before


def test_history_hides_the_other_sides_private_records(world):
    Action.objects.create(arrangement=world.arrangement, title="Customer eyes only", visibility="customer")

    seen_by_bob = {e.object_label for e in arrangement_history(world.access(world.bob))}
    seen_by_dave = {e.object_label for e in arrangement_history(world.access(world.dave))}

    assert "Customer eyes only" not in seen_by_bob
    assert "Customer eyes only" in seen_by_dave


def test_history_of_one_arrangement_leaves_out_the_others(world):
    labels = {e.object_label for e in arrangement_history(world.access(world.charlie, world.other_arrangement))}

    assert "Eastbridge benefits" in labels
    assert "Digital services" not in labels


def _history_queries(world) -> tuple[int, list]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    access = world.access(world.alice)
    with CaptureQueriesContext(connection) as queries:
        entries = arrangement_history(access)
    return len(queries), entries


def test_history_takes_the_same_queries_for_1_or_10_changes(world):
    SharedOutcome.objects.create(arrangement=world.arrangement, text="Outcome", customer_agreed_by=world.alice)
    one, _ = _history_queries(world)
    for n in range(9):
        SharedOutcome.objects.create(arrangement=world.arrangement, text=f"Outcome {n}", customer_agreed_by=world.bob)

    # One query per audited model, plus one per kind of record a foreign key names.
    ten, entries = _history_queries(world)

    assert ten == one
    assert one <= 2 * len(_REGISTRY)
    assert len([e for e in entries if e.model_label == "Shared outcome"]) == 10
