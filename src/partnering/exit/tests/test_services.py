"""The exit strategy: agreed by both sides, any change clears agreement, the handover checklist."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.core.choices import Stage
from partnering.core.concurrency import EditConflict
from partnering.exit import selectors, services
from partnering.exit.models import ExitStatus

FULL = {"triggers": "End of term.", "timeline": "Decide at 18 months.", "continuity": "Parallel running."}


def _written(world):
    return services.exit_strategy_save(access=world.access(world.alice), expected_version=0, values=FULL)


def test_both_leads_agree_the_strategy(world):
    _written(world)

    first = services.exit_strategy_agree(access=world.access(world.alice))
    assert first.status == ExitStatus.DRAFT and first.sro_agreed_by == world.alice
    second = services.exit_strategy_agree(access=world.access(world.bob))

    assert second.status == ExitStatus.AGREED and second.srie_agreed_by == world.bob


def test_an_incomplete_strategy_cannot_be_agreed(world):
    services.exit_strategy_save(access=world.access(world.alice), expected_version=0, values={"triggers": "x"})
    with pytest.raises(ValidationError):
        services.exit_strategy_agree(access=world.access(world.alice))


@pytest.mark.parametrize("user", ["carol", "peter", "fran", "dave"])
def test_only_the_sro_and_srie_agree(world, user):
    _written(world)
    with pytest.raises(PermissionDenied):
        services.exit_strategy_agree(access=world.access(getattr(world, user)))


def test_an_edit_after_agreement_clears_both_agreements(world):
    _written(world)
    services.exit_strategy_agree(access=world.access(world.alice))
    agreed = services.exit_strategy_agree(access=world.access(world.bob))

    edited = services.exit_strategy_save(
        access=world.access(world.peter), expected_version=agreed.version, values={"timeline": "Sooner."}
    )

    assert edited.status == ExitStatus.DRAFT
    assert edited.sro_agreed_at is None and edited.srie_agreed_at is None


def test_a_stale_edit_is_refused(world):
    strategy = _written(world)
    services.exit_strategy_save(
        access=world.access(world.bob), expected_version=strategy.version, values={"triggers": "B"}
    )
    with pytest.raises(EditConflict):
        services.exit_strategy_save(
            access=world.access(world.alice), expected_version=strategy.version, values={"triggers": "A"}
        )


def test_key_dates_must_be_in_order(world):
    with pytest.raises(ValidationError):
        services.exit_strategy_save(
            access=world.access(world.alice),
            expected_version=0,
            values={"decision_by": date(2027, 6, 1), "handover_by": date(2027, 1, 1)},
        )


def test_changing_the_checklist_reopens_agreement_but_ticking_it_off_does_not(world):
    _written(world)
    item = services.handover_item_add(access=world.access(world.bob), title="Runbooks", owner=world.peter)
    services.exit_strategy_agree(access=world.access(world.alice))
    services.exit_strategy_agree(access=world.access(world.bob))

    services.handover_item_mark(access=world.access(world.peter), item=item, done=True)
    assert selectors.exit_strategy_for(access=world.access(world.alice)).is_agreed

    services.handover_item_add(access=world.access(world.bob), title="Data export", kind="data")
    assert not selectors.exit_strategy_for(access=world.access(world.alice)).is_agreed


def test_handover_owners_are_members(world):
    with pytest.raises(ValidationError):
        services.handover_item_add(access=world.access(world.alice), title="Runbooks", owner=world.charlie)


def test_the_bulk_status_is_one_query(world):
    _written(world)
    ids = [world.arrangement.pk, world.other_arrangement.pk]

    with CaptureQueriesContext(connection) as ctx:
        status = selectors.exit_strategy_status(ids)

    assert len(ctx.captured_queries) == 1
    assert status == {world.arrangement.pk: "draft", world.other_arrangement.pk: "none"}


@pytest.mark.parametrize(
    ("stage", "status", "warning"),
    [
        (Stage.PROCUREMENT_STRATEGY, "none", ""),
        (Stage.INVESTMENT_DECISION, "draft", "due"),
        (Stage.CONTRACT_LET, "none", "overdue"),
        (Stage.IN_SERVICE, "draft", "overdue"),
        (Stage.IN_SERVICE, "agreed", ""),
    ],
)
def test_a_strategy_is_expected_before_contract_award(stage, status, warning):
    assert selectors.exit_warning(stage=stage, status=status) == warning
