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

    entry = next(e for e in arrangement_history(world.arrangement.pk) if e.action == "Changed")

    assert entry.actor == "Carol Chen <carol@northshire.example>"
    assert ("Title", "Digital services", "Renamed by Carol") in entry.changes


def test_history_stays_attributed_after_the_author_is_deleted(client, world):
    _edit_title(client, world, world.carol, "Renamed by Carol")

    world.carol.delete()

    entry = next(
        e for e in arrangement_history(world.arrangement.pk) if e.action == "Changed" and e.model_label == "Arrangement"
    )
    assert entry.actor == "Carol Chen <carol@northshire.example>"
    assert Arrangement.history.filter(history_actor__startswith="Carol Chen").exists()


def test_unchanged_saves_are_left_out(world):
    arrangement = Arrangement.objects.get(pk=world.arrangement.pk)
    arrangement.save()

    entries = [e for e in arrangement_history(arrangement.pk) if e.model_label == "Arrangement"]

    assert [e.action for e in entries] == ["Created"]


def test_history_of_one_arrangement_leaves_out_the_others(world):
    labels = {e.object_label for e in arrangement_history(world.other_arrangement.pk)}

    assert "Eastbridge benefits" in labels
    assert "Digital services" not in labels


def test_history_reads_once_per_audited_model(world, django_assert_max_num_queries):
    for n in range(10):
        SharedOutcome.objects.create(arrangement=world.arrangement, text=f"Outcome {n}")

    with django_assert_max_num_queries(len(_REGISTRY)):
        entries = arrangement_history(world.arrangement.pk)

    assert len([e for e in entries if e.model_label == "Shared outcome"]) == 10
