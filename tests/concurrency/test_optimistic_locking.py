"""Issue 7: 16 API clients editing shared records at once lose no update and never see a 5xx.

Each client reads a record, PATCHes it with the version it read and, on 409, reads again
and retries; the record's description is a counter, so a save based on a stale read that
got through would show as a counter below the number of successful saves. The audit trail
must hold one change row per successful save and none for a refused one.

The suite runs 16 clients x 25 updates (PARTNERING_CONCURRENCY_UPDATES changes it) against
Django's threaded server; `python -m partnering.bench.concurrency` runs the full 16 x 500
against gunicorn with the same clients and checks.
"""

from __future__ import annotations

import os

import pytest

from partnering.bench import concurrency

CLIENTS = 16
UPDATES = int(os.environ.get("PARTNERING_CONCURRENCY_UPDATES", "25"))


@pytest.fixture
def plan(shared_db, server):
    from partnering.testing import build_world

    world = build_world()
    writers = [world.alice, world.bob, world.carol, world.peter, world.fran]
    return concurrency.prepare(
        base_url=server, arrangement=world.arrangement, writers=writers, clients=CLIENTS, updates=UPDATES
    )


def test_concurrent_edits_lose_no_update_and_audit_every_save(plan):
    report = concurrency.run(plan, CLIENTS)

    assert report.problems == [], report.summary()
    assert report.saves == CLIENTS * UPDATES
    assert not [code for code in report.statuses if code >= 500]
    # The shared records were contended: without conflicts the test would prove nothing.
    assert report.conflicts > 0, report.summary()


# -- races the load cannot reach: a write that lands between a read and the locked save ------------


def test_an_import_does_not_overwrite_an_edit_saved_while_it_was_checking_the_file(world, monkeypatch):
    from partnering.risks import importing, services
    from partnering.risks.models import Risk

    alice = world.access(world.alice)
    risk = services.risk_create(access=alice, title="Original", owning_side="joint", likelihood=2, impact=2)
    exported = (
        b"Reference,Title,Category,Owning side,Likelihood,Impact,Version\nR-001,Reworded,Commercial,Joint,4,4,1\n"
    )
    write = importing._write

    def bob_saves_first(*args, **kwargs):
        services.risk_update(
            access=world.access(world.bob),
            risk=Risk.objects.get(pk=risk.pk),
            expected_version=1,
            changes={"description": "Bob's edit"},
        )
        return write(*args, **kwargs)

    monkeypatch.setattr(importing, "_write", bob_saves_first)
    result = importing.risk_import(access=alice, name="risks.csv", data=exported)

    risk.refresh_from_db()
    # The import is refused as based on version 1, naming the row and the risk, and Bob's edit stays.
    assert [(e.row, e.column) for e in result.errors] == [(2, "Version")]
    assert "R-001 was changed by someone else while this file was being checked" in str(result.errors[0])
    assert (result.created, result.updated) == (0, 0)
    assert (risk.title, risk.description, risk.version) == ("Original", "Bob's edit", 2)
    versions = list(Risk.history.filter(id=risk.pk, history_type="~").values_list("version", flat=True))
    assert versions == [2]


def test_an_import_refuses_a_reference_added_while_it_was_checking_the_file(world, monkeypatch):
    from partnering.risks import importing, services
    from partnering.risks.models import Risk

    alice = world.access(world.alice)
    data = b"Reference,Title,Category,Owning side,Likelihood,Impact\nR-007,Imported,Commercial,Joint,4,4\n,New,Other,Joint,1,1\n"
    write = importing._write

    def bob_adds_first(*args, **kwargs):
        services.risk_create(
            access=world.access(world.bob),
            title="Bob's",
            owning_side="joint",
            likelihood=1,
            impact=1,
            reference="R-007",
        )
        return write(*args, **kwargs)

    monkeypatch.setattr(importing, "_write", bob_adds_first)
    result = importing.risk_import(access=alice, name="risks.csv", data=data)

    assert [(e.row, e.column) for e in result.errors] == [(2, "Reference")]
    assert "R-007 was added by someone else" in str(result.errors[0])
    assert list(Risk.objects.values_list("reference", "title")) == [("R-007", "Bob's")]


def test_new_risks_are_numbered_after_one_added_while_the_file_was_checked(world, monkeypatch):
    from partnering.risks import importing, services
    from partnering.risks.models import Risk

    alice = world.access(world.alice)
    data = b"Title,Category,Owning side,Likelihood,Impact\nFirst,Commercial,Joint,4,4\nSecond,Other,Joint,1,1\n"
    write = importing._write

    def bob_adds_first(*args, **kwargs):
        services.risk_create(access=world.access(world.bob), title="Bob's", owning_side="joint", likelihood=1, impact=1)
        return write(*args, **kwargs)

    monkeypatch.setattr(importing, "_write", bob_adds_first)
    result = importing.risk_import(access=alice, name="risks.csv", data=data)

    assert (result.errors, result.created) == ([], 2)
    assert list(Risk.objects.order_by("number").values_list("reference", "title")) == [
        ("R-001", "Bob's"),
        ("R-002", "First"),
        ("R-003", "Second"),
    ]


def test_an_action_edit_read_before_its_risk_was_shared_does_not_unshare_it(world):
    from partnering.actions import selectors
    from partnering.actions.services import action_update
    from partnering.arrangements.models import OpennessProfile
    from partnering.core.choices import Visibility
    from partnering.core.concurrency import EditConflict
    from partnering.risks import services

    OpennessProfile.objects.filter(arrangement=world.arrangement).update(single_risk_register=False)
    alice = world.access(world.alice)
    risk = services.risk_create(
        access=alice,
        title="Private for now",
        owning_side="customer",
        likelihood=2,
        impact=2,
        visibility=Visibility.CUSTOMER_ONLY,
    )
    action = services.risk_action_add(access=alice, risk=risk, title="Mitigate")
    read_by_the_request = selectors.action_get(access=alice, action_uuid=action.uuid)
    services.risk_share(access=alice, risk=risk)

    # Sharing moved the action on a version: the edit read before it is refused, not saved over it.
    with pytest.raises(EditConflict):
        action_update(
            access=alice,
            action=read_by_the_request,
            expected_version=read_by_the_request.version,
            changes={"title": "Mitigate soon"},
        )

    action.refresh_from_db()
    assert (action.visibility, action.title, action.version) == (Visibility.SHARED, "Mitigate", 2)
    assert list(action.history.order_by("history_date").values_list("visibility", "version")) == [
        (Visibility.CUSTOMER_ONLY, 1),
        (Visibility.SHARED, 2),
    ]


def test_an_edit_keeps_a_change_another_writer_made_without_a_new_version(world):
    """save_versioned writes only the editor's changes: a column someone else changed is not reverted."""
    from partnering.actions.models import Action
    from partnering.actions.services import action_update
    from partnering.risks import services

    alice = world.access(world.alice)
    risk = services.risk_create(access=alice, title="Shared", owning_side="joint", likelihood=2, impact=2)
    action = services.risk_action_add(access=alice, risk=risk, title="Mitigate", description="First words")
    read_by_the_request = Action.objects.get(pk=action.pk)
    # A writer that does not move the version on (which none should do) changes another column.
    Action.objects.filter(pk=action.pk).update(description="Changed meanwhile")

    saved = action_update(
        access=alice, action=read_by_the_request, expected_version=1, changes={"title": "Mitigate soon"}
    )

    action.refresh_from_db()
    assert (action.title, action.description, action.version) == ("Mitigate soon", "Changed meanwhile", 2)
    assert saved.description == "Changed meanwhile"
    assert action.history.latest("history_date").description == "Changed meanwhile"
