"""Gain share and pain share, computed step by step so both sides can check it.

Pure Python (no Django): `compute(terms, outcome)` gives each party's share of
one period's gain or loss against the agreed baseline, with every step written
out in words and figures.

The guide: "increased benefits and savings for the customer justify additional
supplier profit; for both parties, there could be profit share in return for
improved efficiency".

The rules:

1. The difference. For a *cost* baseline, the gain is the saving: baseline
   minus the measured cost. For a *benefit* baseline, the gain is the measured
   benefit minus the baseline. A negative gain is a loss ("pain").
2. The split. A gain is split by the gain-share ratio, a loss by the
   pain-share ratio (each ratio is customer % + provider % = 100).
3. Profit share for efficiency (optional). When the gain reaches the agreed
   efficiency threshold (as a percentage of the baseline), the provider's
   gain-share percentage rises by the agreed bonus points, taken from the
   customer's: better efficiency earns the provider more of the saving.
4. Cap and floor. The provider's share is kept between the floor (the most
   the provider can lose in a period, a negative amount or zero) and the cap
   (the most it can gain). What the cap or floor cuts off stays with the
   customer.
5. Rounding. The provider's share is rounded once to the penny, half away
   from zero (ROUND_HALF_UP), and the customer's share is the total minus the
   provider's, so that the two shares add up to the total exactly: any
   rounding remainder, never more than half a penny, falls to the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)

COST = "cost"
BENEFIT = "benefit"


def _pennies(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def _money(value: Decimal) -> str:
    sign = "−" if value < 0 else ""
    return f"{sign}{abs(value):,.2f}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


class TermsError(ValueError):
    """The terms do not make a mechanism (ratios not summing to 100, cap below floor...)."""


@dataclass(frozen=True)
class Terms:
    baseline: Decimal
    basis: str = COST
    customer_gain_pct: Decimal = Decimal(50)
    provider_gain_pct: Decimal = Decimal(50)
    customer_pain_pct: Decimal = Decimal(50)
    provider_pain_pct: Decimal = Decimal(50)
    #: The most the provider can gain in a period (None: no cap).
    cap: Decimal | None = None
    #: The most the provider can lose in a period, as a negative amount or zero (None: no floor).
    floor: Decimal | None = None
    efficiency_share: bool = False
    efficiency_threshold_pct: Decimal = Decimal(0)
    efficiency_bonus_pct: Decimal = Decimal(0)

    def check(self) -> None:
        """Raise TermsError naming the first term that does not hold."""
        if self.basis not in (COST, BENEFIT):
            raise TermsError("The baseline is either a cost or a benefit.")
        if self.baseline < 0:
            raise TermsError("The baseline cannot be negative.")
        for name in ("customer_gain_pct", "provider_gain_pct", "customer_pain_pct", "provider_pain_pct"):
            if not Decimal(0) <= getattr(self, name) <= HUNDRED:
                raise TermsError("Each share is a percentage from 0 to 100.")
        if self.customer_gain_pct + self.provider_gain_pct != HUNDRED:
            raise TermsError("The gain-share percentages must add up to 100.")
        if self.customer_pain_pct + self.provider_pain_pct != HUNDRED:
            raise TermsError("The pain-share percentages must add up to 100.")
        if self.cap is not None and self.cap < 0:
            raise TermsError("The cap is the most the provider can gain: zero or more.")
        if self.floor is not None and self.floor > 0:
            raise TermsError("The floor is the most the provider can lose: zero or a negative amount.")
        if self.efficiency_share:
            if self.efficiency_threshold_pct < 0:
                raise TermsError("The efficiency threshold cannot be negative.")
            if not Decimal(0) <= self.efficiency_bonus_pct <= self.customer_gain_pct:
                raise TermsError("The efficiency bonus comes from the customer's gain share: 0 up to that share.")


@dataclass(frozen=True)
class Step:
    label: str
    working: str
    result: str


@dataclass
class Shares:
    total: Decimal
    customer: Decimal
    provider: Decimal
    kind: str  # "gain", "pain" or "none"
    steps: list[Step] = field(default_factory=list)
    capped: bool = False
    floored: bool = False
    efficiency_applied: bool = False


def compute(terms: Terms, outcome: Decimal) -> Shares:
    """Each party's share of one period's gain (or loss) against the baseline."""
    terms.check()
    steps: list[Step] = []
    baseline = terms.baseline
    if terms.basis == COST:
        total = _pennies(baseline - outcome)
        steps.append(
            Step(
                "Saving against the cost baseline",
                f"baseline {_money(baseline)} − measured cost {_money(outcome)}",
                _money(total),
            )
        )
    else:
        total = _pennies(outcome - baseline)
        steps.append(
            Step(
                "Gain against the benefits baseline",
                f"measured benefit {_money(outcome)} − baseline {_money(baseline)}",
                _money(total),
            )
        )
    if total == 0:
        steps.append(Step("Nothing to share", "the outcome equals the baseline", "0.00 each"))
        return Shares(total=total, customer=total, provider=total, kind="none", steps=steps)

    efficiency_applied = False
    if total > 0:
        kind = "gain"
        provider_pct = terms.provider_gain_pct
        steps.append(
            Step(
                "Gain-share ratio",
                f"customer {_pct(terms.customer_gain_pct)} : provider {_pct(provider_pct)}",
                f"provider {_pct(provider_pct)}",
            )
        )
        if terms.efficiency_share:
            efficiency = (total * HUNDRED / baseline) if baseline else Decimal(0)
            reached = baseline > 0 and efficiency >= terms.efficiency_threshold_pct
            if reached:
                provider_pct += terms.efficiency_bonus_pct
                efficiency_applied = True
            steps.append(
                Step(
                    "Profit share for efficiency",
                    f"saving is {_pct(_pennies(efficiency))} of the baseline; threshold "
                    f"{_pct(terms.efficiency_threshold_pct)}"
                    + (
                        f", so the provider's share rises by {_pct(terms.efficiency_bonus_pct)}"
                        if reached
                        else ", not reached"
                    ),
                    f"provider {_pct(provider_pct)}",
                )
            )
    else:
        kind = "pain"
        provider_pct = terms.provider_pain_pct
        steps.append(
            Step(
                "Pain-share ratio",
                f"customer {_pct(terms.customer_pain_pct)} : provider {_pct(provider_pct)}",
                f"provider {_pct(provider_pct)}",
            )
        )

    exact = total * provider_pct / HUNDRED
    provider = _pennies(exact)
    steps.append(
        Step(
            "Provider's share before cap and floor",
            f"{_money(total)} × {_pct(provider_pct)} = {exact.normalize():f}, rounded half up to the penny",
            _money(provider),
        )
    )
    capped = floored = False
    if terms.cap is not None and provider > terms.cap:
        steps.append(Step("Cap", f"{_money(provider)} is above the cap of {_money(terms.cap)}", _money(terms.cap)))
        provider, capped = terms.cap, True
    if terms.floor is not None and provider < terms.floor:
        steps.append(
            Step("Floor", f"{_money(provider)} is below the floor of {_money(terms.floor)}", _money(terms.floor))
        )
        provider, floored = terms.floor, True
    customer = total - provider
    steps.append(
        Step(
            "Customer's share",
            f"total {_money(total)} − provider's share {_money(provider)} (any rounding remainder is the customer's)",
            _money(customer),
        )
    )
    steps.append(
        Step("Check", f"customer {_money(customer)} + provider {_money(provider)}", f"{_money(customer + provider)}")
    )
    return Shares(
        total=total,
        customer=customer,
        provider=provider,
        kind=kind,
        steps=steps,
        capped=capped,
        floored=floored,
        efficiency_applied=efficiency_applied,
    )
