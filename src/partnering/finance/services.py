"""Writes to the books and the incentive mechanisms, for the pages, the API and the import.

Each side keeps its own book: only that side's contributors write to it.
Who else reads it is the openness profile, through `Access.sees_book_of`.
Incentive terms change only when both the SRO and the SRIE agree (the same
two-key rule as the degree of openness).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnering.arrangements.models import ProposalStatus
from partnering.core.choices import Side
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm, require_two_parties
from partnering.finance import gainshare
from partnering.finance.models import (
    Book,
    BudgetConstraint,
    CostLine,
    FinanceProfile,
    IncentiveMechanism,
    IncentivePeriod,
    IncentiveProposal,
    MeasureCount,
    ValueMeasure,
    terms_from,
)

COST_LINE_FIELDS = ("period", "category", "description", "planned", "actual", "margin_pct")


def month_start(value: date) -> date:
    return value.replace(day=1)


def _stamp(record: Any, access: Access) -> None:
    """Name the person in the audit trail even outside a browser request (API tokens, imports)."""
    record._history_user = access.user


def require_own_book(access: Access, side: str) -> None:
    """A side writes its own book only; the neutral facilitator keeps none."""
    access.require(Perm.CONTRIBUTE)
    if access.side not in (Side.CUSTOMER, Side.PROVIDER) or side != access.side:
        raise PermissionDenied("Each side keeps its own book: you can only change your side's.")


def check_margin(side: str, margin_pct: Decimal | None) -> None:
    """The agreed profit margin belongs to the provider's book."""
    if margin_pct is not None and side != Book.PROVIDER:
        raise ValidationError({"margin_pct": "Only the provider's book records an agreed profit margin."})


# -- the finance profile ------------------------------------------------------------


def finance_profile_ensure(*, arrangement: Any) -> FinanceProfile:
    profile, _ = FinanceProfile.objects.get_or_create(arrangement=arrangement)
    return profile


def finance_profile_update(
    *, access: Access, expected_version: int, currency: str, joint_budget: Decimal | None
) -> FinanceProfile:
    """The books' currency and the single project budget (when the openness profile has one)."""
    access.require(Perm.EDIT_ARRANGEMENT)
    profile = finance_profile_ensure(arrangement=access.arrangement)
    if joint_budget is not None and not access.openness.single_project_budget:
        raise ValidationError({"joint_budget": "The openness profile has no single project budget."})
    profile.currency, profile.joint_budget = currency, joint_budget
    _stamp(profile, access)
    return save_versioned(profile, expected_version=expected_version, fields=["currency", "joint_budget"])


# -- cost lines ---------------------------------------------------------------------


@transaction.atomic
def cost_line_create(
    *,
    access: Access,
    period: date,
    category: str,
    description: str,
    planned: Decimal,
    actual: Decimal = Decimal("0.00"),
    margin_pct: Decimal | None = None,
) -> CostLine:
    """Add a line to the member's own side's book."""
    side = access.side
    require_own_book(access, side)
    check_margin(side, margin_pct)
    line = CostLine(
        arrangement=access.arrangement,
        side=side,
        period=month_start(period),
        category=category,
        description=description.strip(),
        planned=planned,
        actual=actual,
        margin_pct=margin_pct,
        created_by=access.user,
    )
    line.full_clean()
    _stamp(line, access)
    line.save()
    return line


def cost_line_update(*, access: Access, line: CostLine, expected_version: int, changes: dict[str, Any]) -> CostLine:
    """Edit a line of your side's book; a save from an old version is refused (EditConflict)."""
    if line.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    require_own_book(access, line.side)
    for name, value in changes.items():
        if name not in COST_LINE_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        if name == "period" and value is not None:
            value = month_start(value)
        setattr(line, name, value.strip() if isinstance(value, str) else value)
    check_margin(line.side, line.margin_pct)
    _stamp(line, access)
    return save_versioned(line, expected_version=expected_version, fields=list(COST_LINE_FIELDS))


# -- the customer's budgetary constraints and value-for-money measures ---------------


@transaction.atomic
def budget_constraint_add(
    *,
    access: Access,
    title: str,
    description: str = "",
    amount: Decimal | None = None,
    applies_from: date | None = None,
    applies_to: date | None = None,
) -> BudgetConstraint:
    """A budgetary restriction, in the customer's book."""
    require_own_book(access, Book.CUSTOMER)
    if applies_from and applies_to and applies_to < applies_from:
        raise ValidationError({"applies_to": "The end must be on or after the start."})
    constraint = BudgetConstraint(
        arrangement=access.arrangement,
        title=title.strip(),
        description=description.strip(),
        amount=amount,
        applies_from=applies_from,
        applies_to=applies_to,
        created_by=access.user,
    )
    constraint.full_clean()
    _stamp(constraint, access)
    constraint.save()
    return constraint


@transaction.atomic
def value_measure_add(*, access: Access, name: str, unit: str, side: str) -> ValueMeasure:
    """A value-for-money measure: the actual cost in a book divided by the units delivered."""
    access.require(Perm.CONTRIBUTE)
    if side not in Book.values or not access.sees_book_of(side):
        raise ValidationError({"side": "Choose a book your side can read."})
    measure = ValueMeasure(arrangement=access.arrangement, name=name.strip(), unit=unit.strip(), side=side)
    measure.full_clean()
    _stamp(measure, access)
    measure.save()
    return measure


@transaction.atomic
def measure_count_set(*, access: Access, measure: ValueMeasure, period: date, units: Decimal) -> MeasureCount:
    """Record (or correct) the units of service delivered in a period."""
    access.require(Perm.CONTRIBUTE)
    if measure.arrangement_id != access.arrangement.pk or not access.sees_book_of(measure.side):
        raise PermissionDenied
    if units < 0:
        raise ValidationError({"units": "Enter zero or more."})
    count, _ = MeasureCount.objects.update_or_create(
        measure=measure, period=month_start(period), defaults={"units": units}
    )
    return count


# -- incentive mechanisms: two keys to change the terms ------------------------------


def clean_terms(values: dict[str, Any]) -> dict[str, Any]:
    """Terms as JSON-safe text, checked by the same rules the computation uses."""
    cleaned: dict[str, Any] = {}
    for name in IncentiveMechanism.TERMS:
        value = values.get(name)
        if isinstance(value, Decimal):
            value = str(value)
        cleaned[name] = value
    cleaned["name"] = str(cleaned.get("name") or "").strip()
    if not cleaned["name"]:
        raise ValidationError({"name": "Name the mechanism."})
    cleaned["efficiency_share"] = bool(cleaned.get("efficiency_share"))
    for name in ("efficiency_threshold_pct", "efficiency_bonus_pct"):
        if cleaned[name] in (None, ""):
            cleaned[name] = "0"
    try:
        terms_from(cleaned).check()
    except gainshare.TermsError as exc:
        raise ValidationError(str(exc)) from None
    except (ArithmeticError, ValueError):
        raise ValidationError("Enter every amount and percentage as a number.") from None
    return cleaned


@transaction.atomic
def incentive_propose(
    *, access: Access, terms: dict[str, Any], mechanism: IncentiveMechanism | None = None, reason: str = ""
) -> IncentiveProposal:
    """Propose a new mechanism, or new terms for one; the proposer's agreement counts at once.

    An earlier pending proposal for the same mechanism is superseded.
    """
    access.require(Perm.AGREE_OUTCOMES)
    if mechanism is not None and mechanism.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    cleaned = clean_terms(terms)
    if mechanism is not None and cleaned == clean_terms(mechanism.terms_dict()):
        raise ValidationError("These terms are the ones already in force.")
    IncentiveProposal.objects.filter(
        arrangement=access.arrangement, mechanism=mechanism, status=ProposalStatus.PENDING
    ).update(status=ProposalStatus.SUPERSEDED)
    proposal = IncentiveProposal(
        arrangement=access.arrangement,
        mechanism=mechanism,
        proposed_terms=cleaned,
        reason=reason.strip(),
        proposed_by=access.user,
    )
    _stamp(proposal, access)
    proposal.save()
    return incentive_agree(access=access, proposal=proposal)


@transaction.atomic
def incentive_agree(*, access: Access, proposal: IncentiveProposal) -> IncentiveProposal:
    """Record the SRO's or SRIE's agreement; with both, the terms come into force.

    The mechanism's audit trail keeps the terms it had before.
    """
    access.require(Perm.AGREE_OUTCOMES)
    proposal = IncentiveProposal.objects.select_for_update().get(pk=proposal.pk, arrangement=access.arrangement)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError("This proposal is no longer open.")
    side = access.require_lead()
    now = timezone.now()
    if side == Side.CUSTOMER and proposal.sro_agreed_at is None:
        proposal.sro_agreed_by, proposal.sro_agreed_at = access.user, now
    if side == Side.PROVIDER and proposal.srie_agreed_at is None:
        proposal.srie_agreed_by, proposal.srie_agreed_at = access.user, now
    if proposal.sro_agreed_at and proposal.srie_agreed_at:
        require_two_parties(
            access.arrangement, customer_half=proposal.sro_agreed_by, provider_half=proposal.srie_agreed_by
        )
        terms = terms_from(proposal.proposed_terms)
        mechanism = proposal.mechanism
        if mechanism is None:
            mechanism = IncentiveMechanism(arrangement=access.arrangement)
        else:
            mechanism = IncentiveMechanism.objects.select_for_update().get(pk=mechanism.pk)
            mechanism.version += 1
        mechanism.name = proposal.proposed_terms["name"]
        for name in IncentiveMechanism.TERMS:
            if name != "name":
                setattr(mechanism, name, getattr(terms, name))
        mechanism.agreed_at = now
        mechanism.full_clean()
        _stamp(mechanism, access)
        mechanism.save()
        proposal.mechanism = mechanism
        proposal.status = ProposalStatus.AGREED
    _stamp(proposal, access)
    proposal.save()
    return proposal


@transaction.atomic
def incentive_withdraw(*, access: Access, proposal: IncentiveProposal) -> IncentiveProposal:
    access.require(Perm.AGREE_OUTCOMES)
    if proposal.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError("This proposal is no longer open.")
    proposal.status = ProposalStatus.WITHDRAWN
    _stamp(proposal, access)
    proposal.save()
    return proposal


@transaction.atomic
def incentive_period_set(
    *,
    access: Access,
    mechanism: IncentiveMechanism,
    period: date,
    outcome: Decimal,
    note: str = "",
    expected_version: int | None = None,
) -> IncentivePeriod:
    """Record (or correct) a period's measured outcome; a correction names the version it read."""
    access.require(Perm.CONTRIBUTE)
    if mechanism.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    period = month_start(period)
    found = IncentivePeriod.objects.filter(mechanism=mechanism, period=period).first()
    if found is None:
        found = IncentivePeriod(mechanism=mechanism, period=period, outcome=outcome, note=note.strip())
        found.full_clean()
        _stamp(found, access)
        found.save()
        return found
    found.outcome, found.note = outcome, note.strip()
    _stamp(found, access)
    return save_versioned(
        found,
        expected_version=found.version if expected_version is None else expected_version,
        fields=["outcome", "note"],
    )
