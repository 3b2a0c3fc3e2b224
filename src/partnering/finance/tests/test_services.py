"""Writes: each side its own book, optimistic locking, margins, and two keys for incentive terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partnering.arrangements.models import ProposalStatus
from partnering.core.concurrency import EditConflict
from partnering.finance import selectors, services
from partnering.finance.tests.conftest import TERMS, make_line


def test_a_line_goes_into_the_members_own_book_on_the_first_of_the_month(world):
    line = make_line(world.access(world.bob), period=date(2026, 4, 17))

    assert (line.side, line.period) == ("provider", date(2026, 4, 1))


@pytest.mark.parametrize("user", ["dave", "fran"])
def test_observers_and_the_facilitator_keep_no_book(world, user):
    with pytest.raises(PermissionDenied):
        make_line(world.access(getattr(world, user)))


def test_nobody_edits_the_other_sides_book(world, books):
    customer_line, _ = books

    with pytest.raises(PermissionDenied):
        services.cost_line_update(
            access=world.access(world.bob), line=customer_line, expected_version=1, changes={"actual": Decimal(1)}
        )


def test_only_the_providers_book_records_a_margin(world):
    with pytest.raises(ValidationError):
        make_line(world.access(world.alice), margin_pct=Decimal("5.00"))


def test_a_second_edit_from_the_same_version_is_refused_with_what_changed(world, books):
    _, line = books
    access = world.access(world.bob)
    services.cost_line_update(access=access, line=line, expected_version=1, changes={"actual": Decimal("950.00")})

    with pytest.raises(EditConflict) as caught:
        stale = type(line).objects.get(pk=line.pk)
        stale.version = 1
        services.cost_line_update(access=access, line=stale, expected_version=1, changes={"planned": Decimal("1.00")})

    assert [c.field for c in caught.value.changes] == ["actual"]


def test_amounts_with_more_than_two_places_are_refused(world):
    with pytest.raises(ValidationError):
        make_line(world.access(world.alice), planned=Decimal("1.005"))


def test_totals_variance_and_margin_agreed_against_earned(world, books):
    make_line(
        world.access(world.bob),
        period=date(2026, 5, 1),
        planned=Decimal("2000.00"),
        actual=Decimal("2100.00"),
        margin_pct=Decimal("10.00"),
    )

    summary = selectors.books_summary(access=world.access(world.alice))

    provider = next(b for b in summary.books if b.side == "provider")
    assert (provider.total.planned, provider.total.actual, provider.total.variance) == (
        Decimal("3000.00"),
        Decimal("3000.00"),
        Decimal("0.00"),
    )
    # Agreed: 8 % of 1000 + 10 % of 2000 = 280. Earned: 3000 planned + 280 − 3000 actual = 280.
    assert (provider.margin.agreed, provider.margin.earned, provider.margin.agreed_pct) == (
        Decimal("280.00"),
        Decimal("280.00"),
        Decimal("9.33"),
    )
    assert [label for label, _ in provider.period_rows("month")] == ["Apr 2026", "May 2026"]


def test_totals_by_quarter_group_the_months(world, books):
    make_line(world.access(world.alice), period=date(2026, 6, 1), description="June")

    summary = selectors.books_summary(access=world.access(world.alice), grain="quarter")

    customer = next(b for b in summary.books if b.side == "customer")
    assert [(label, t.planned) for label, t in customer.period_rows("quarter")] == [("Q2 2026", Decimal("2000.00"))]


def test_cost_per_unit_divides_the_books_actual_cost_by_the_units(world, books):
    access = world.access(world.alice)
    measure = services.value_measure_add(access=access, name="Cost per case", unit="case", side="provider")
    services.measure_count_set(access=access, measure=measure, period=date(2026, 4, 1), units=Decimal(7))

    (view,) = selectors.value_measures(access=access)

    assert view.rows[0].cost_per_unit == Decimal("128.57")  # 900 / 7 = 128.571…


def test_a_measure_on_a_closed_book_is_refused(world):
    from partnering.finance.tests.conftest import set_openness

    set_openness(world, open_book="none")

    with pytest.raises(ValidationError):
        services.value_measure_add(access=world.access(world.alice), name="X", unit="y", side="provider")


# -- incentives ------------------------------------------------------------------------


def test_a_mechanism_is_in_force_only_when_the_sro_and_the_srie_both_agree(world):
    proposal = services.incentive_propose(access=world.access(world.alice), terms=TERMS)

    assert proposal.status == ProposalStatus.PENDING and proposal.mechanism is None

    proposal = services.incentive_agree(access=world.access(world.bob), proposal=proposal)

    assert proposal.status == ProposalStatus.AGREED
    assert proposal.mechanism.baseline == Decimal("10000.00")


@pytest.mark.parametrize("user", ["carol", "peter", "dave", "fran"])
def test_only_the_sro_and_srie_propose_or_agree(world, user):
    with pytest.raises(PermissionDenied):
        services.incentive_propose(access=world.access(getattr(world, user)), terms=TERMS)


def test_a_change_keeps_the_old_terms_in_force_until_both_agree_and_keeps_the_history(world, mechanism):
    new_terms = mechanism.terms_dict() | {"provider_gain_pct": Decimal(60), "customer_gain_pct": Decimal(40)}
    proposal = services.incentive_propose(access=world.access(world.bob), mechanism=mechanism, terms=new_terms)
    mechanism.refresh_from_db()
    assert mechanism.provider_gain_pct == Decimal(50)

    services.incentive_agree(access=world.access(world.alice), proposal=proposal)

    mechanism.refresh_from_db()
    assert mechanism.provider_gain_pct == Decimal(60)
    assert [h.provider_gain_pct for h in selectors.mechanism_history(mechanism=mechanism)] == [Decimal(60), Decimal(50)]


def test_terms_that_do_not_add_up_are_refused(world):
    with pytest.raises(ValidationError, match="add up to 100"):
        services.incentive_propose(access=world.access(world.alice), terms=TERMS | {"provider_gain_pct": Decimal(70)})


def test_a_new_proposal_supersedes_the_pending_one(world, mechanism):
    alice = world.access(world.alice)
    first = services.incentive_propose(
        access=alice, mechanism=mechanism, terms=mechanism.terms_dict() | {"baseline": Decimal(1)}
    )
    services.incentive_propose(
        access=alice, mechanism=mechanism, terms=mechanism.terms_dict() | {"baseline": Decimal(2)}
    )

    first.refresh_from_db()
    assert first.status == ProposalStatus.SUPERSEDED


def test_each_period_shows_each_partys_share(world, mechanism):
    access = world.access(world.peter)
    services.incentive_period_set(
        access=access, mechanism=mechanism, period=date(2026, 4, 9), outcome=Decimal("9000.00")
    )
    services.incentive_period_set(
        access=access, mechanism=mechanism, period=date(2026, 5, 1), outcome=Decimal("10300.00")
    )

    rows = selectors.mechanism_periods(mechanism=mechanism)

    assert [(r.shares.customer, r.shares.provider) for r in rows] == [
        (Decimal("600.00"), Decimal("400.00")),  # capped at 400
        (Decimal("-150.00"), Decimal("-150.00")),
    ]
    assert selectors.mechanism_totals(rows) == (Decimal("700.00"), Decimal("450.00"), Decimal("250.00"))
