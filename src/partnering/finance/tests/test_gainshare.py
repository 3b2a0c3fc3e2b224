"""Gain share and pain share: worked examples, and invariants checked by hypothesis."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnering.finance.gainshare import BENEFIT, Terms, TermsError, compute

D = Decimal


def test_a_50_50_saving_is_split_evenly():
    shares = compute(Terms(baseline=D("10000.00")), D("9000.00"))

    assert (shares.kind, shares.total, shares.customer, shares.provider) == (
        "gain",
        D("1000.00"),
        D("500.00"),
        D("500.00"),
    )


def test_an_overspend_is_shared_by_the_pain_ratio():
    terms = Terms(baseline=D("10000.00"), customer_pain_pct=D(30), provider_pain_pct=D(70))

    shares = compute(terms, D("11000.00"))

    assert (shares.kind, shares.total, shares.customer, shares.provider) == (
        "pain",
        D("-1000.00"),
        D("-300.00"),
        D("-700.00"),
    )


def test_the_cap_limits_the_providers_gain_and_the_rest_stays_with_the_customer():
    shares = compute(Terms(baseline=D("10000.00"), cap=D("200.00")), D("9000.00"))

    assert (shares.customer, shares.provider, shares.capped) == (D("800.00"), D("200.00"), True)


def test_the_floor_limits_the_providers_loss():
    shares = compute(Terms(baseline=D("10000.00"), floor=D("-100.00")), D("11000.00"))

    assert (shares.customer, shares.provider, shares.floored) == (D("-900.00"), D("-100.00"), True)


def test_profit_share_for_efficiency_raises_the_providers_share_past_the_threshold():
    terms = Terms(
        baseline=D("10000.00"), efficiency_share=True, efficiency_threshold_pct=D(5), efficiency_bonus_pct=D(10)
    )

    reached = compute(terms, D("9000.00"))  # 10 % saving
    missed = compute(terms, D("9700.00"))  # 3 % saving

    assert (reached.provider, reached.efficiency_applied) == (D("600.00"), True)
    assert (missed.provider, missed.efficiency_applied) == (D("150.00"), False)


def test_a_benefits_baseline_shares_the_extra_benefit():
    shares = compute(Terms(baseline=D("5000.00"), basis=BENEFIT), D("6000.00"))

    assert (shares.total, shares.provider) == (D("1000.00"), D("500.00"))


def test_the_half_penny_rounds_up_for_the_provider_and_the_remainder_is_the_customers():
    shares = compute(Terms(baseline=D("100.00")), D("99.99"))  # 0.01 to share 50:50

    assert (shares.provider, shares.customer) == (D("0.01"), D("0.00"))


def test_a_negative_half_penny_rounds_away_from_zero():
    shares = compute(Terms(baseline=D("100.00")), D("100.01"))

    assert (shares.provider, shares.customer) == (D("-0.01"), D("0.00"))


def test_no_difference_shares_nothing():
    shares = compute(Terms(baseline=D("100.00")), D("100.00"))

    assert (shares.kind, shares.customer, shares.provider) == ("none", D("0.00"), D("0.00"))


def test_every_step_is_written_out_ending_with_the_check():
    shares = compute(Terms(baseline=D("10000.00"), cap=D("200.00")), D("9000.00"))

    labels = [s.label for s in shares.steps]
    assert labels == [
        "Saving against the cost baseline",
        "Gain-share ratio",
        "Provider's share before cap and floor",
        "Cap",
        "Customer's share",
        "Check",
    ]
    assert shares.steps[-1].result == "1,000.00"


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (Terms(baseline=D(1), customer_gain_pct=D(60), provider_gain_pct=D(50)), "gain-share percentages"),
        (Terms(baseline=D(1), customer_pain_pct=D(10), provider_pain_pct=D(10)), "pain-share percentages"),
        (Terms(baseline=D(1), cap=D(-1)), "cap"),
        (Terms(baseline=D(1), floor=D(1)), "floor"),
        (Terms(baseline=D(-1)), "baseline"),
        (Terms(baseline=D(1), efficiency_share=True, efficiency_bonus_pct=D(60)), "bonus"),
    ],
)
def test_terms_that_do_not_hold_are_refused(terms, message):
    with pytest.raises(TermsError, match=message):
        compute(terms, D(0))


# -- invariants ------------------------------------------------------------------

money = st.decimals(min_value=D("0.00"), max_value=D("10000000.00"), places=2, allow_nan=False, allow_infinity=False)
percent = st.decimals(min_value=D("0.00"), max_value=D("100.00"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def terms_strategy(draw):
    gain = draw(percent)
    pain = draw(percent)
    efficiency = draw(st.booleans())
    return Terms(
        baseline=draw(money),
        basis=draw(st.sampled_from(["cost", "benefit"])),
        customer_gain_pct=D(100) - gain,
        provider_gain_pct=gain,
        customer_pain_pct=D(100) - pain,
        provider_pain_pct=pain,
        cap=draw(st.none() | money),
        floor=draw(st.none() | money.map(lambda v: -v)),
        efficiency_share=efficiency,
        efficiency_threshold_pct=draw(percent),
        efficiency_bonus_pct=draw(st.decimals(min_value=D(0), max_value=D(100) - gain, places=2)),
    )


@given(terms_strategy(), money)
def test_the_shares_always_add_up_to_the_total_exactly(terms, outcome):
    shares = compute(terms, outcome)

    assert shares.customer + shares.provider == shares.total


@given(terms_strategy(), money)
def test_the_providers_share_stays_between_floor_and_cap(terms, outcome):
    shares = compute(terms, outcome)

    if terms.cap is not None:
        assert shares.provider <= max(terms.cap, D(0)) or shares.kind == "pain"
    if terms.floor is not None:
        assert shares.provider >= terms.floor or shares.kind == "gain"


@given(terms_strategy(), money)
def test_every_share_is_to_the_penny(terms, outcome):
    shares = compute(terms, outcome)

    for value in (shares.total, shares.customer, shares.provider):
        assert value == value.quantize(D("0.01"))


@given(terms_strategy(), money)
def test_without_cap_or_floor_the_provider_never_gains_from_a_loss(terms, outcome):
    shares = compute(terms, outcome)

    if shares.kind == "gain":
        assert shares.provider >= 0
    elif shares.kind == "pain":
        assert shares.provider <= 0


@given(terms_strategy(), money)
def test_the_provider_share_is_within_half_a_penny_of_its_ratio_when_uncapped(terms, outcome):
    shares = compute(terms, outcome)

    if shares.kind == "none" or shares.capped or shares.floored or shares.efficiency_applied:
        return
    pct = terms.provider_gain_pct if shares.kind == "gain" else terms.provider_pain_pct
    assert abs(shares.provider - shares.total * pct / 100) <= D("0.005")
