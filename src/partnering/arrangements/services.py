"""Writes to arrangements, their members, outcomes, stage and openness.

Pages and the API call these keyword-only functions; each runs in one
transaction, validates before it writes, and leaves its audit trail through
django-simple-history. Rules that refuse an input raise ValidationError with
the field it concerns, so forms can show the message in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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
from partnering.core.choices import ROLE_SIDES, SINGLE_HOLDER_ROLES, OpenBook, Role, Side, Stage
from partnering.core.concurrency import save_versioned
from partnering.core.mail import subject_line
from partnering.core.policy import Access, Perm, can_create_arrangement

User = get_user_model()


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValidationError({"contract_end": "The contract end date must be on or after the start date."})


@transaction.atomic
def arrangement_create(
    *,
    user: Any,
    title: str,
    provider: Organisation,
    description: str = "",
    contract_start: date | None = None,
    contract_end: date | None = None,
    stage: str = Stage.STRATEGIC_ASSESSMENT,
    outcomes: Sequence[str] = (),
    openness: dict[str, Any] | None = None,
    creator_role: str = Role.SRO,
) -> Arrangement:
    """Convene an arrangement: the creator's organisation is the customer.

    The first degree of openness is set by the convening customer here; from
    then on it changes only when both the SRO and the SRIE agree.
    """
    if not can_create_arrangement(user):
        raise PermissionDenied("Only people in a customer organisation can set up an arrangement.")
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
    now = timezone.now()
    outcomes = SharedOutcome.objects.filter(arrangement=access.arrangement)
    if access.side == Side.CUSTOMER:
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
        outcome.save()
        count += 1
    return count


# -- members and roles -----------------------------------------------------


def _same_arrangement(access: Access, obj: Any) -> None:
    """A record of another arrangement is treated as missing."""
    if obj.arrangement_id != access.arrangement.pk:
        raise Http404("No such record in this arrangement.")


def _validate_side_and_roles(arrangement: Arrangement, user: Any, side: str, roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    if side not in Side.values:
        raise ValidationError({"side": "Choose a side."})
    if not roles:
        raise ValidationError({"roles": "Choose at least one role."})
    for role in roles:
        if role not in ROLE_SIDES:
            raise ValidationError({"roles": f"Unknown role: {role}."})
        if side not in ROLE_SIDES[role]:
            raise ValidationError(
                {"roles": f"The {Role(role).label} cannot be on the {Side(side).label.lower()} side."}
            )
    if Role.OBSERVER in roles and len(roles) > 1:
        raise ValidationError({"roles": "An observer only reads: choose observer alone, or other roles."})
    org_id = getattr(user, "organisation_id", None)
    if org_id is not None:
        if side == Side.CUSTOMER and org_id != arrangement.customer_id:
            raise ValidationError(
                {"side": f"{user.email} belongs to another organisation and cannot be on the customer side."}
            )
        if side == Side.PROVIDER and org_id != arrangement.provider_id:
            raise ValidationError(
                {"side": f"{user.email} belongs to another organisation and cannot be on the provider side."}
            )
    return roles


def _check_single_holders(arrangement: Arrangement, roles: Iterable[str], exclude: Membership | None) -> None:
    for role in roles:
        if role not in SINGLE_HOLDER_ROLES:
            continue
        holders = RoleAssignment.objects.filter(arrangement=arrangement, role=role, ended_at__isnull=True)
        if exclude is not None:
            holders = holders.exclude(membership=exclude)
        holder = holders.select_related("membership__user").first()
        if holder is not None:
            raise ValidationError(
                {
                    "roles": f"{holder.membership.user} is already the {Role(role).label}. "
                    "Hand the role over from their membership first."
                }
            )


@transaction.atomic
def member_invite(
    *,
    access: Access,
    email: str,
    side: str,
    roles: Sequence[str],
    full_name: str = "",
    request_base_url: str | None = None,
) -> Membership:
    """Add a person to the arrangement, creating their account if they have none.

    A new person gets an e-mail with a link to set their password. Refused:
    an existing member (a duplicate invitation), a second SRO or SRIE, and
    a person of another organisation on the customer or provider side.
    """
    if not access.can_manage_side(side):
        raise PermissionDenied("You cannot add members to that side.")
    email = email.strip().lower()
    if not email:
        raise ValidationError({"email": "Enter an e-mail address."})
    arrangement = access.arrangement
    user = User.objects.filter(email__iexact=email).first()
    created = False
    if user is None:
        if not full_name.strip():
            raise ValidationError({"full_name": "Enter the full name of the person you are inviting."})
        organisation = {Side.CUSTOMER: arrangement.customer, Side.PROVIDER: arrangement.provider}.get(side)
        user = User.objects.create_user(email=email, full_name=full_name.strip(), organisation=organisation)
        created = True
    roles = _validate_side_and_roles(arrangement, user, side, roles)
    existing = Membership.objects.filter(arrangement=arrangement, user=user).first()
    if existing is not None and existing.is_active:
        raise ValidationError({"email": f"{email} is already a member of this arrangement."})
    _check_single_holders(arrangement, roles, exclude=existing)
    if existing is not None:
        existing.is_active, existing.side, existing.left_at, existing.invited_by = True, side, None, access.user
        existing.save()
        membership = existing
    else:
        membership = Membership.objects.create(arrangement=arrangement, user=user, side=side, invited_by=access.user)
    now = timezone.now()
    try:
        with transaction.atomic():
            for role in roles:
                RoleAssignment.objects.create(
                    arrangement=arrangement, membership=membership, role=role, started_at=now, assigned_by=access.user
                )
    except IntegrityError as exc:  # a concurrent invitation took the role first
        raise ValidationError({"roles": "Someone else was given that role a moment ago."}) from exc
    _send_invitation(membership, inviter=access.user, new_account=created, base_url=request_base_url)
    return membership


def _send_invitation(membership: Membership, *, inviter: Any, new_account: bool, base_url: str | None) -> None:
    user = membership.user
    base = (base_url or django_settings.SITE_URL).rstrip("/")
    if new_account:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = base + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    else:
        link = base + reverse("arrangements:overview", kwargs={"slug": membership.arrangement.slug})
    context = {"membership": membership, "inviter": inviter, "link": link, "new_account": new_account}
    body = render_to_string("arrangements/email/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(
            subject_line(f"You have been added to {membership.arrangement.title}"),
            body,
            None,
            [user.email],
            html_message=render_to_string("arrangements/email/invitation.html", context),
        )
    )


@transaction.atomic
def member_set_roles(
    *, access: Access, membership: Membership, roles: Sequence[str], handover_note: str = ""
) -> Membership:
    """Change a member's roles: ended roles keep their dates, new ones start now."""
    if not access.can_manage_side(membership.side):
        raise PermissionDenied("You cannot change the roles of that side's members.")
    _same_arrangement(access, membership)
    roles = _validate_side_and_roles(access.arrangement, membership.user, membership.side, roles)
    current = {ra.role: ra for ra in membership.role_assignments.filter(ended_at__isnull=True)}
    _check_single_holders(access.arrangement, [r for r in roles if r not in current], exclude=membership)
    now = timezone.now()
    for role, assignment in current.items():
        if role not in roles:
            assignment.ended_at = now
            assignment.handover_note = handover_note.strip()
            assignment.save()
    for role in roles:
        if role not in current:
            RoleAssignment.objects.create(
                arrangement=access.arrangement,
                membership=membership,
                role=role,
                started_at=now,
                assigned_by=access.user,
            )
    return membership


@transaction.atomic
def member_remove(*, access: Access, membership: Membership, handover_note: str = "") -> None:
    """Members leave; their history and past roles stay for continuity."""
    if not access.can_manage_side(membership.side):
        raise PermissionDenied("You cannot remove that side's members.")
    _same_arrangement(access, membership)
    if membership.user_id == access.user.pk:
        raise ValidationError("You cannot remove yourself. Ask another manager of your side.")
    now = timezone.now()
    for assignment in membership.role_assignments.filter(ended_at__isnull=True):
        assignment.ended_at = now
        assignment.handover_note = handover_note.strip()
        assignment.save()
    membership.is_active = False
    membership.left_at = now
    membership.save()


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
    now = timezone.now()
    if Role.SRO in access.roles and proposal.sro_agreed_at is None:
        proposal.sro_agreed_by, proposal.sro_agreed_at = access.user, now
    if Role.SRIE in access.roles and proposal.srie_agreed_at is None:
        proposal.srie_agreed_by, proposal.srie_agreed_at = access.user, now
    if proposal.sro_agreed_at and proposal.srie_agreed_at:
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
