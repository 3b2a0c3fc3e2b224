"""Writes to arrangements, their members, outcomes, stage and openness.

Pages and the API call these keyword-only functions; each runs in one
transaction, validates before it writes, and leaves its audit trail through
django-simple-history. Rules that refuse an input raise ValidationError with
the field it concerns, so forms can show the message in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from partnering.accounts.models import Organisation, OrganisationKind
from partnering.arrangements.models import (
    Arrangement,
    Membership,
    OpennessProfile,
    OpennessProposal,
    ProposalStatus,
    RoleAssignment,
    SharedOutcome,
    StageChange,
    new_slug,
)
from partnering.core.choices import ROLE_SIDES, OpenBook, Role, Side, Stage
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm, can_create_arrangement, require_two_parties

User = get_user_model()


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValidationError({"contract_end": "The contract end date must be on or after the start date."})


@transaction.atomic
def arrangement_create(
    *,
    user: Any,
    title: str,
    provider: Organisation | None = None,
    new_provider: str = "",
    description: str = "",
    contract_start: date | None = None,
    contract_end: date | None = None,
    stage: str = Stage.STRATEGIC_ASSESSMENT,
    outcomes: Sequence[str] = (),
    openness: dict[str, Any] | None = None,
    creator_role: str = Role.SRO,
) -> Arrangement:
    """Convene an arrangement: the creator's organisation is the customer.

    `provider` names a registered provider organisation; `new_provider` registers one by
    name, in the same transaction. The first degree of openness is set by the convening customer here; from
    then on it changes only when both the SRO and the SRIE agree.
    """
    if not can_create_arrangement(user):
        raise PermissionDenied("Only people in a customer organisation can set up an arrangement.")
    if provider is None:
        # Inside this transaction: a refused arrangement leaves no new organisation behind.
        provider = organisation_get_or_create(name=new_provider, kind=OrganisationKind.PROVIDER)
    if provider.kind != OrganisationKind.PROVIDER:
        raise ValidationError({"provider": "Choose a provider organisation."})
    if provider.pk == user.organisation_id:
        raise ValidationError({"provider": "The provider must be a different organisation."})
    if creator_role not in ROLE_SIDES or Side.CUSTOMER not in ROLE_SIDES[creator_role]:
        raise ValidationError({"creator_role": "Choose a role the customer side can hold."})
    _check_dates(contract_start, contract_end)
    arrangement = Arrangement(
        slug=new_slug(title),
        title=title.strip(),
        description=description.strip(),
        customer=user.organisation,
        provider=provider,
        contract_start=contract_start,
        contract_end=contract_end,
        stage=stage,
        created_by=user,
    )
    arrangement.full_clean()
    arrangement.save()
    profile = OpennessProfile(arrangement=arrangement, **(openness or {}))
    profile.full_clean()
    profile.save()
    StageChange.objects.create(arrangement=arrangement, from_stage="", to_stage=stage, changed_by=user)
    for position, text in enumerate(t.strip() for t in outcomes if t.strip()):
        SharedOutcome.objects.create(arrangement=arrangement, text=text, position=position)
    membership = Membership.objects.create(arrangement=arrangement, user=user, side=Side.CUSTOMER)
    RoleAssignment.objects.create(
        arrangement=arrangement,
        membership=membership,
        role=creator_role,
        started_at=timezone.now(),
        assigned_by=user,
    )
    return arrangement


def arrangement_update(*, access: Access, expected_version: int, changes: dict[str, Any]) -> Arrangement:
    """Edit the arrangement's details; refuses a save based on an old version."""
    access.require(Perm.EDIT_ARRANGEMENT)
    allowed = {"title", "description", "contract_start", "contract_end"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot change: {', '.join(sorted(unknown))}")
    arrangement = Arrangement.objects.get(pk=access.arrangement.pk)
    for name, value in changes.items():
        setattr(arrangement, name, value.strip() if isinstance(value, str) else value)
    _check_dates(arrangement.contract_start, arrangement.contract_end)
    return save_versioned(arrangement, expected_version=expected_version, fields=sorted(allowed))


@transaction.atomic
def arrangement_change_stage(*, access: Access, stage: str, reason: str = "") -> StageChange:
    """Move the arrangement along the lifecycle; who and when are recorded."""
    access.require(Perm.CHANGE_STAGE)
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose a lifecycle stage."})
    arrangement = Arrangement.objects.select_for_update().get(pk=access.arrangement.pk)
    if arrangement.stage == stage:
        raise ValidationError({"stage": "The arrangement is already at this stage."})
    change = StageChange.objects.create(
        arrangement=arrangement,
        from_stage=arrangement.stage,
        to_stage=stage,
        changed_by=access.user,
        reason=reason.strip(),
    )
    arrangement.stage = stage
    arrangement.version += 1
    arrangement.save(update_fields=["stage", "version", "updated_at"])
    return change


# -- shared business outcomes ----------------------------------------------


@transaction.atomic
def outcome_add(*, access: Access, text: str) -> SharedOutcome:
    access.require(Perm.EDIT_ARRANGEMENT)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the outcome."})
    last = access.arrangement.outcomes.order_by("-position").first()
    outcome = SharedOutcome(arrangement=access.arrangement, text=text, position=(last.position + 1) if last else 0)
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def outcome_update(*, access: Access, outcome: SharedOutcome, text: str) -> SharedOutcome:
    """Changing the words clears both agreements: each side agreed to the old words."""
    access.require(Perm.EDIT_ARRANGEMENT)
    _same_arrangement(access, outcome)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the outcome."})
    if text != outcome.text:
        outcome.text = text
        outcome.customer_agreed_by = outcome.provider_agreed_by = None
        outcome.customer_agreed_at = outcome.provider_agreed_at = None
        outcome.full_clean()
        outcome.save()
    return outcome


@transaction.atomic
def outcome_remove(*, access: Access, outcome: SharedOutcome) -> None:
    access.require(Perm.EDIT_ARRANGEMENT)
    _same_arrangement(access, outcome)
    outcome.delete()


@transaction.atomic
def outcomes_agree(*, access: Access) -> int:
    """The SRO (for the customer) or SRIE (for the provider) agrees every outcome as it stands."""
    access.require(Perm.AGREE_OUTCOMES)
    side = access.require_lead()
    now = timezone.now()
    outcomes = SharedOutcome.objects.filter(arrangement=access.arrangement).select_related(
        "customer_agreed_by", "provider_agreed_by"
    )
    if side == Side.CUSTOMER:
        todo = outcomes.filter(customer_agreed_at__isnull=True)
        fields = {"customer_agreed_by": access.user, "customer_agreed_at": now}
    elif access.side == Side.PROVIDER:
        todo = outcomes.filter(provider_agreed_at__isnull=True)
        fields = {"provider_agreed_by": access.user, "provider_agreed_at": now}
    else:
        raise PermissionDenied("Only the customer and provider sides agree outcomes.")
    count = 0
    for outcome in todo:  # saved one by one so each agreement reaches the audit trail
        for name, value in fields.items():
            setattr(outcome, name, value)
        if outcome.is_agreed:
            require_two_parties(
                access.arrangement, customer_half=outcome.customer_agreed_by, provider_half=outcome.provider_agreed_by
            )
        outcome.save()
        count += 1
    return count


# -- members and roles -----------------------------------------------------


def _same_arrangement(access: Access, obj: Any) -> None:
    """A record of another arrangement is treated as missing."""
    if obj.arrangement_id != access.arrangement.pk:
        raise Http404("No such record in this arrangement.")


# Members, roles, invitations and handovers are in arrangements.people (sovereign sides).


# -- degree of openness ------------------------------------------------------


def _clean_openness(settings: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name in OpennessProfile.SETTINGS:
        if name not in settings:
            raise ValidationError({name: "Answer this question."})
        value = settings[name]
        if name == "open_book":
            if value not in OpenBook.values:
                raise ValidationError({name: "Choose who keeps an open book."})
        elif not isinstance(value, bool):
            raise ValidationError({name: "Choose yes or no."})
        cleaned[name] = value
    return cleaned


@transaction.atomic
def openness_propose(*, access: Access, settings: dict[str, Any], reason: str = "") -> OpennessProposal:
    """Propose a new degree of openness; the proposer's own agreement counts at once.

    Any earlier pending proposal is superseded: only one is on the table.
    """
    access.require(Perm.PROPOSE_OPENNESS)
    cleaned = _clean_openness(settings)
    if cleaned == access.arrangement.openness.as_dict():
        raise ValidationError("These settings are the ones already in force.")
    OpennessProposal.objects.filter(arrangement=access.arrangement, status=ProposalStatus.PENDING).update(
        status=ProposalStatus.SUPERSEDED
    )
    proposal = OpennessProposal.objects.create(
        arrangement=access.arrangement, proposed_settings=cleaned, reason=reason.strip(), proposed_by=access.user
    )
    return openness_agree(access=access, proposal=proposal)


@transaction.atomic
def openness_agree(*, access: Access, proposal: OpennessProposal) -> OpennessProposal:
    """Record the SRO's or SRIE's agreement; with both, the settings come into force."""
    access.require(Perm.AGREE_OPENNESS)
    proposal = OpennessProposal.objects.select_for_update().get(pk=proposal.pk, arrangement=access.arrangement)
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
        profile = OpennessProfile.objects.select_for_update().get(arrangement=access.arrangement)
        for name, value in proposal.proposed_settings.items():
            setattr(profile, name, value)
        profile.version += 1
        profile.save()
        proposal.status = ProposalStatus.AGREED
    proposal.save()
    return proposal


@transaction.atomic
def openness_withdraw(*, access: Access, proposal: OpennessProposal) -> OpennessProposal:
    access.require(Perm.PROPOSE_OPENNESS)
    _same_arrangement(access, proposal)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError("This proposal is no longer open.")
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save()
    return proposal


@transaction.atomic
def organisation_get_or_create(*, name: str, kind: str) -> Organisation:
    name = name.strip()
    if not name:
        raise ValidationError({"new_provider": "Enter the provider organisation's name."})
    existing = Organisation.objects.filter(name__iexact=name).first()
    if existing is not None:
        if existing.kind != kind:
            raise ValidationError(
                {"new_provider": f"{existing.name} is registered as a {existing.get_kind_display().lower()}."}
            )
        return existing
    org = Organisation(name=name, kind=kind)
    org.full_clean(exclude=["slug"])
    org.save()
    return org
