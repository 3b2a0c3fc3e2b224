"""KPI agreement rules: one side proposes, the other agrees; supersession; history; measurements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partnering.core.concurrency import EditConflict
from partnering.kpis import selectors, services
from partnering.kpis.models import BaselineProposal, Measurement, TargetProposal
from partnering.kpis.tests.factories import make_kpi


def test_the_other_side_agrees_a_baseline_and_both_agreements_are_recorded(world):
    kpi = make_kpi(world.access(world.bob))
    proposal = services.proposal_make(
        access=world.access(world.bob), kpi=kpi, what="baseline", value=Decimal("78"), uncertainty="Six months only."
    )

    agreed = services.proposal_agree(access=world.access(world.alice), proposal=proposal)

    assert (agreed.proposed_by, agreed.proposed_side) == (world.bob, "provider")
    assert (agreed.agreed_by, agreed.agreed_side) == (world.alice, "customer")
    assert agreed.agreed_at is not None and agreed.status == "agreed"
    assert selectors.kpi_get(access=world.access(world.alice), kpi_uuid=kpi.uuid).baseline_value == Decimal("78")


def test_a_side_cannot_agree_its_own_proposal(world):
    kpi = make_kpi(world.access(world.alice))
    proposal = services.proposal_make(access=world.access(world.alice), kpi=kpi, what="target", value=90)

    with pytest.raises(ValidationError, match="other side must agree"):
        services.proposal_agree(access=world.access(world.carol), proposal=proposal)


def test_the_facilitator_neither_proposes_nor_agrees(world):
    kpi = make_kpi(world.access(world.alice))
    proposal = services.proposal_make(access=world.access(world.bob), kpi=kpi, what="baseline", value=1)

    with pytest.raises(ValidationError):
        services.proposal_make(access=world.access(world.fran), kpi=kpi, what="baseline", value=2)
    with pytest.raises(ValidationError):
        services.proposal_agree(access=world.access(world.fran), proposal=proposal)


def test_observers_cannot_propose_or_agree(world):
    kpi = make_kpi(world.access(world.alice))
    proposal = services.proposal_make(access=world.access(world.bob), kpi=kpi, what="baseline", value=1)

    with pytest.raises(PermissionDenied):
        services.proposal_make(access=world.access(world.dave), kpi=kpi, what="baseline", value=2)
    with pytest.raises(PermissionDenied):
        services.proposal_agree(access=world.access(world.dave), proposal=proposal)


def test_a_new_proposal_supersedes_a_pending_one_which_can_no_longer_be_agreed(world):
    kpi = make_kpi(world.access(world.alice))
    first = services.proposal_make(access=world.access(world.bob), kpi=kpi, what="baseline", value=70)
    services.proposal_make(access=world.access(world.alice), kpi=kpi, what="baseline", value=75)

    with pytest.raises(ValidationError, match="later proposal"):
        services.proposal_agree(access=world.access(world.alice), proposal=first)
    assert BaselineProposal.objects.get(pk=first.pk).status == "superseded"


def test_an_agreed_baseline_stays_in_force_and_in_the_history_until_a_new_one_is_agreed(world):
    kpi = make_kpi(world.access(world.alice))
    old = services.proposal_make(access=world.access(world.bob), kpi=kpi, what="baseline", value=70)
    services.proposal_agree(access=world.access(world.alice), proposal=old)
    new = services.proposal_make(access=world.access(world.alice), kpi=kpi, what="baseline", value=72)
    alice = world.access(world.alice)

    assert selectors.kpi_get(access=alice, kpi_uuid=kpi.uuid).baseline_value == Decimal(70)
    services.proposal_agree(access=world.access(world.bob), proposal=new)

    assert selectors.kpi_get(access=alice, kpi_uuid=kpi.uuid).baseline_value == Decimal(72)
    assert [p.status for p in selectors.proposals(kpi=kpi, what="baseline")] == ["agreed", "agreed"]


def test_a_proposal_cannot_be_agreed_twice(world):
    kpi = make_kpi(world.access(world.alice))
    proposal = services.proposal_make(access=world.access(world.alice), kpi=kpi, what="target", value=90)
    services.proposal_agree(access=world.access(world.bob), proposal=proposal)

    with pytest.raises(ValidationError, match="already been agreed"):
        services.proposal_agree(access=world.access(world.peter), proposal=proposal)
    assert TargetProposal.objects.get().agreed_by == world.bob


def test_a_kpi_of_another_arrangement_is_refused(world):
    kpi = make_kpi(world.access(world.charlie, world.other_arrangement))

    with pytest.raises(PermissionDenied):
        services.proposal_make(access=world.access(world.alice), kpi=kpi, what="target", value=1)


def test_names_are_unique_in_an_arrangement(world):
    make_kpi(world.access(world.alice), name="First-time fix")

    with pytest.raises(ValidationError):
        make_kpi(world.access(world.bob), name="first-time FIX")


def test_only_a_relationship_kpi_draws_on_annex_b(world):
    with pytest.raises(ValidationError):
        make_kpi(world.access(world.alice), kind="service", source="annex_b")


def test_measurements_are_stored_on_the_first_day_of_their_period_once_per_period(world):
    kpi = make_kpi(world.access(world.alice), frequency="quarterly")

    m = services.measurement_record(access=world.access(world.bob), kpi=kpi, period=date(2027, 5, 17), value=81)

    assert (m.period, m.entered_side, m.entered_by) == (date(2027, 4, 1), "provider", world.bob)
    with pytest.raises(ValidationError):
        services.measurement_record(access=world.access(world.alice), kpi=kpi, period=date(2027, 6, 30), value=1)


def test_an_annex_b_kpi_takes_no_measurements(world):
    kpi = make_kpi(world.access(world.alice), kind="relationship", source="annex_b", name="Annex B")

    with pytest.raises(ValidationError, match="Annex B"):
        services.measurement_record(access=world.access(world.alice), kpi=kpi, period=date(2027, 1, 1), value=1)


def test_a_second_correction_from_the_same_version_is_refused(world):
    kpi = make_kpi(world.access(world.alice))
    m = services.measurement_record(access=world.access(world.bob), kpi=kpi, period=date(2027, 1, 1), value=80)
    services.measurement_update(
        access=world.access(world.bob), measurement=Measurement.objects.get(pk=m.pk), expected_version=1, value=81
    )

    with pytest.raises(EditConflict):
        services.measurement_update(
            access=world.access(world.alice),
            measurement=Measurement.objects.get(pk=m.pk),
            expected_version=1,
            value=99,
        )
    assert Measurement.objects.get().value == Decimal(81)


def test_editing_a_kpi_from_an_old_version_is_refused(world):
    kpi = make_kpi(world.access(world.alice))
    services.kpi_update(access=world.access(world.alice), kpi=kpi, expected_version=1, changes={"unit": "percent"})

    with pytest.raises(EditConflict):
        services.kpi_update(
            access=world.access(world.bob),
            kpi=selectors.kpi_get(access=world.access(world.bob), kpi_uuid=kpi.uuid),
            expected_version=1,
            changes={"name": "Other"},
        )


def test_annex_b_gives_each_sides_share_of_fully_or_largely_answers(world, annex_b):
    kpi = make_kpi(world.access(world.alice), kind="relationship", source="annex_b", name="Annex B")
    services.proposal_agree(
        access=world.access(world.bob),
        proposal=services.proposal_make(access=world.access(world.alice), kpi=kpi, what="baseline", value=60),
    )
    services.proposal_agree(
        access=world.access(world.bob),
        proposal=services.proposal_make(access=world.access(world.alice), kpi=kpi, what="target", value=80),
    )

    [point] = selectors.annex_b_series(access=world.access(world.bob))
    [row] = selectors.kpi_rows(access=world.access(world.bob))

    assert (point.customer, point.provider) == (Decimal("66.7"), Decimal("100.0"))
    # Judged on the less satisfied side: 66.7% is between the baseline and the target.
    assert (row.latest, row.status) == (Decimal("66.7"), "amber")
    assert kpi.frequency == "annually"
