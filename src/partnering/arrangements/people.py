"""Writes to an arrangement's people: sovereign sides (issue 13).

Each organisation owns its people. The rules, all through `core.policy`:

- A side's members are added, changed and removed by that side's own managers
  only, and a new account is only ever created in the inviter's own
  organisation (`member_invite`, `member_set_roles`, `member_remove`).
- A lead (the SRO, the SRIE) hands over to a successor of their own
  organisation, with a handover note (`lead_handover`); nobody else takes the
  lead role away from them.
- The provider side arrives once: the customer's SRO invites the provider's
  lead while the provider side has nobody, that person accepts, and from then
  on the provider side is theirs (`provider_lead_invite`, `invitation_accept`).
- A neutral facilitator joins only with both leads' agreement
  (`facilitator_propose`, `facilitator_agree`); either lead may end it.
- The other side's lead is told of every change to a side's people; the
  history page shows it (Membership, RoleAssignment and Invitation are audited).

Every function runs in one transaction and raises ValidationError (with the
field it concerns) for input it refuses, PermissionDenied for a person who may
not act, and Http404 for a record of another arrangement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    Invitation,
    InvitationKind,
    InvitationStatus,
    Membership,
    RoleAssignment,
)
from partnering.core.choices import ROLE_SIDES, SINGLE_HOLDER_ROLES, Role, Side
from partnering.core.mail import subject_line
from partnering.core.policy import SIDE_LEADS, Access, require_two_parties, side_organisation_id

User = get_user_model()

OTHER_SIDE = {Side.CUSTOMER: Side.PROVIDER, Side.PROVIDER: Side.CUSTOMER}


def _cannot_add(email: str, organisation: Organisation | None) -> ValidationError:
    """The one answer for every e-mail address the inviter may not add, whatever the reason,
    so that the form says nothing about accounts in other organisations."""
    name = organisation.name if organisation is not None else "your organisation"
    return ValidationError(
        {
            "email": f"{email} cannot be added by your side. You can add people of {name} only: "
            "each organisation adds its own people."
        }
    )


def _same_arrangement(access: Access, obj: Any) -> None:
    if obj.arrangement_id != access.arrangement.pk:
        raise Http404("No such record in this arrangement.")


def _clean_roles(side: str, roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
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
                {"roles": f"{holder.membership.user} is already the {Role(role).label}. They hand the role over."}
            )


def _start_roles(arrangement: Arrangement, membership: Membership, roles: Iterable[str], by: Any) -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            for role in roles:
                RoleAssignment.objects.create(
                    arrangement=arrangement, membership=membership, role=role, started_at=now, assigned_by=by
                )
    except IntegrityError as exc:  # a concurrent invitation or handover took the role first
        raise ValidationError({"roles": "Someone else was given that role a moment ago."}) from exc


def _current_lead(arrangement: Arrangement, side: str) -> Membership | None:
    assignment = (
        RoleAssignment.objects.filter(
            arrangement=arrangement, role=SIDE_LEADS[side], ended_at__isnull=True, membership__is_active=True
        )
        .select_related("membership__user")
        .first()
    )
    return assignment.membership if assignment else None


def _send(subject: str, template: str, context: dict[str, Any], to: Sequence[str]) -> None:
    body = render_to_string(f"arrangements/email/{template}.txt", context)
    html = render_to_string(f"arrangements/email/{template}.html", context)
    transaction.on_commit(lambda: send_mail(subject_line(subject), body, None, list(to), html_message=html))


def _tell_other_lead(access: Access, side: str, what: str) -> None:
    """The other side's lead is told of every change to a side's people."""
    other = OTHER_SIDE.get(side)
    if other is None:
        return
    lead = _current_lead(access.arrangement, other)
    if lead is None or lead.user_id == access.user.pk:
        return
    context = {
        "arrangement": access.arrangement,
        "what": what,
        "by": access.user,
        "side": Side(side).label.lower(),
        "link": django_settings.SITE_URL.rstrip("/")
        + reverse("arrangements:members", kwargs={"slug": access.arrangement.slug}),
    }
    _send(f"People changed in {access.arrangement.title}", "people_changed", context, [lead.user.email])


def _account_link(user: Any, new_account: bool, base_url: str | None, then: str) -> str:
    base = (base_url or django_settings.SITE_URL).rstrip("/")
    if new_account:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        return base + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base + then


# -- a side's own members ------------------------------------------------------------


@transaction.atomic
def member_invite(
    *,
    access: Access,
    email: str,
    roles: Sequence[str],
    side: str | None = None,
    full_name: str = "",
    request_base_url: str | None = None,
) -> Membership:
    """Add a person to the inviter's own side, creating their account (in the inviter's own
    organisation) if they have none.

    Refused: another side (403), a person of another organisation (one message whatever the
    reason), an existing member, a second SRO or SRIE.
    """
    side = side or access.side
    if not access.can_manage_side(side):
        raise PermissionDenied("You can add people to your own side only.")
    email = email.strip().lower()
    if not email:
        raise ValidationError({"email": "Enter an e-mail address."})
    arrangement = access.arrangement
    organisation = access.user.organisation
    roles = _clean_roles(side, roles)
    user = User.objects.filter(email__iexact=email).first()
    created = False
    if user is None:
        if not full_name.strip():
            raise ValidationError({"full_name": "Enter the full name of the person you are inviting."})
        user = User.objects.create_user(email=email, full_name=full_name.strip(), organisation=organisation)
        created = True
    elif user.organisation_id != side_organisation_id(arrangement, side) or not user.is_active:
        raise _cannot_add(email, organisation)
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
    _start_roles(arrangement, membership, roles, access.user)
    link = _account_link(
        user, created, request_base_url, reverse("arrangements:overview", kwargs={"slug": arrangement.slug})
    )
    context = {"membership": membership, "inviter": access.user, "link": link, "new_account": created}
    _send(f"You have been added to {arrangement.title}", "invitation", context, [user.email])
    labels = ", ".join(Role(r).label for r in roles)
    _tell_other_lead(access, side, f"{user} joined the {Side(side).label.lower()} side as {labels}.")
    return membership


@transaction.atomic
def member_set_roles(
    *, access: Access, membership: Membership, roles: Sequence[str], handover_note: str = ""
) -> Membership:
    """Change a member's roles on the manager's own side: ended roles keep their dates and
    the handover note, new ones start now. A lead role is given up only by its holder."""
    _same_arrangement(access, membership)
    if not access.can_manage_side(membership.side):
        raise PermissionDenied("You can change the roles of your own side's members only.")
    roles = _clean_roles(membership.side, roles)
    current = {ra.role: ra for ra in membership.role_assignments.filter(ended_at__isnull=True)}
    lead_role = SIDE_LEADS.get(membership.side)
    if lead_role in current and lead_role not in roles and membership.user_id != access.user.pk:
        raise ValidationError(
            {"roles": f"Only {membership.user} can give up the {Role(lead_role).label} role, by handing it over."}
        )
    _check_single_holders(access.arrangement, [r for r in roles if r not in current], exclude=membership)
    now = timezone.now()
    ended = [role for role in current if role not in roles]
    for role in ended:
        assignment = current[role]
        assignment.ended_at = now
        assignment.handover_note = handover_note.strip()
        assignment.save()
    started = [role for role in roles if role not in current]
    _start_roles(access.arrangement, membership, started, access.user)
    if ended or started:
        labels = ", ".join(Role(r).label for r in roles)
        _tell_other_lead(access, membership.side, f"{membership.user}'s roles are now: {labels}.")
    return membership


@transaction.atomic
def member_remove(*, access: Access, membership: Membership, handover_note: str = "") -> None:
    """Members leave; their history and past roles stay for continuity.

    A side removes its own members; either lead may end a facilitator's membership
    (facilitation needs both sides' trust). A lead hands over before leaving."""
    _same_arrangement(access, membership)
    if membership.side == Side.NEUTRAL:
        if access.lead_side() is None:
            raise PermissionDenied("Only the SRO or the SRIE can end the facilitator's membership.")
    elif not access.can_manage_side(membership.side):
        raise PermissionDenied("You can remove your own side's members only.")
    if membership.user_id == access.user.pk:
        raise ValidationError("You cannot remove yourself. Ask another manager of your side.")
    lead_role = SIDE_LEADS.get(membership.side)
    now = timezone.now()
    assignments = list(membership.role_assignments.filter(ended_at__isnull=True))
    if any(a.role == lead_role for a in assignments):
        raise ValidationError(f"{membership.user} is the {Role(lead_role).label}: they hand the role over first.")
    for assignment in assignments:
        assignment.ended_at = now
        assignment.handover_note = handover_note.strip()
        assignment.save()
    membership.is_active = False
    membership.left_at = now
    membership.save()
    if membership.side == Side.NEUTRAL:
        _tell_other_lead(access, access.side, f"{membership.user} no longer facilitates the arrangement.")
    else:
        _tell_other_lead(
            access, membership.side, f"{membership.user} left the {membership.get_side_display().lower()} side."
        )


@transaction.atomic
def lead_handover(*, access: Access, successor: Membership, handover_note: str = "") -> RoleAssignment:
    """The SRO or SRIE hands their role to a successor of their own organisation (the guide
    values continuity: the note stays with the role's history)."""
    side = access.require_lead()
    _same_arrangement(access, successor)
    role = SIDE_LEADS[side]
    successor = Membership.objects.select_related("user").get(pk=successor.pk)
    if not successor.is_active or successor.side != side or successor.user_id == access.user.pk:
        raise ValidationError({"successor": "Choose another member of your own side."})
    if successor.user.organisation_id != side_organisation_id(access.arrangement, side):
        raise ValidationError({"successor": "The successor must be a member of your own organisation."})
    held = {ra.role: ra for ra in successor.role_assignments.filter(ended_at__isnull=True)}
    if Role.OBSERVER in held:
        raise ValidationError({"successor": f"{successor.user} is an observer: give them a working role first."})
    mine = RoleAssignment.objects.select_for_update().get(
        arrangement=access.arrangement, membership=access.membership, role=role, ended_at__isnull=True
    )
    now = timezone.now()
    mine.ended_at = now
    mine.handover_note = handover_note.strip()
    mine.save()
    _start_roles(access.arrangement, successor, [role], access.user)
    _tell_other_lead(access, side, f"{access.user} handed the {Role(role).label} role over to {successor.user}.")
    return RoleAssignment.objects.get(membership=successor, role=role, ended_at__isnull=True)


# -- the provider's lead arrives ------------------------------------------------------


@transaction.atomic
def provider_lead_invite(
    *, access: Access, email: str, full_name: str = "", message: str = "", request_base_url: str | None = None
) -> Invitation:
    """The customer's SRO invites the provider organisation's lead, once: while the provider
    side has nobody. Where the provider organisation already has people here, the invitation
    goes to one of them; an account is created in it only while it has nobody."""
    if access.lead_side() != Side.CUSTOMER:
        raise PermissionDenied("The customer's SRO invites the provider's lead.")
    arrangement = Arrangement.objects.select_for_update().get(pk=access.arrangement.pk)
    if Membership.objects.filter(arrangement=arrangement, side=Side.PROVIDER, is_active=True).exists():
        raise ValidationError("The provider side has its people: from now on they add their own.")
    if Invitation.objects.filter(
        arrangement=arrangement, kind=InvitationKind.PROVIDER_LEAD, status=InvitationStatus.PENDING
    ).exists():
        raise ValidationError("An invitation to the provider's lead is waiting: withdraw it before sending another.")
    email = email.strip().lower()
    if not email:
        raise ValidationError({"email": "Enter an e-mail address."})
    provider = arrangement.provider
    user = User.objects.filter(email__iexact=email).first()
    created = False
    if user is None:
        if User.objects.filter(organisation=provider).exists():
            raise ValidationError(
                {"email": f"{provider.name} already has people here: invite one of them, by the address they use."}
            )
        if not full_name.strip():
            raise ValidationError({"full_name": "Enter the full name of the person you are inviting."})
        user = User.objects.create_user(email=email, full_name=full_name.strip(), organisation=provider)
        created = True
    elif user.organisation_id != provider.pk or not user.is_active:
        raise ValidationError({"email": f"{email} cannot be invited: invite a person of {provider.name}."})
    invitation = Invitation.objects.create(
        arrangement=arrangement,
        kind=InvitationKind.PROVIDER_LEAD,
        user=user,
        invited_by=access.user,
        message=message.strip(),
    )
    link = _account_link(user, created, request_base_url, reverse("arrangements:invitations"))
    context = {"invitation": invitation, "inviter": access.user, "link": link, "new_account": created}
    _send(f"Lead the provider side of {arrangement.title}", "lead_invitation", context, [user.email])
    return invitation


def _pending(invitation: Invitation) -> Invitation:
    current = Invitation.objects.select_for_update().select_related("arrangement").get(pk=invitation.pk)
    if current.status != InvitationStatus.PENDING:
        raise ValidationError("This invitation is no longer open.")
    return current


@transaction.atomic
def invitation_accept(*, user: Any, invitation: Invitation) -> Membership:
    """The invited provider lead accepts: they become the SRIE, and the provider side is theirs."""
    if invitation.user_id != user.pk or invitation.kind != InvitationKind.PROVIDER_LEAD:
        raise Http404("No such invitation.")
    invitation = _pending(invitation)
    arrangement = Arrangement.objects.select_for_update().get(pk=invitation.arrangement_id)
    if user.organisation_id != arrangement.provider_id:
        raise PermissionDenied("This invitation is for a person of the provider organisation.")
    if Membership.objects.filter(arrangement=arrangement, side=Side.PROVIDER, is_active=True).exists():
        raise ValidationError("The provider side already has its people.")
    _check_single_holders(arrangement, [Role.SRIE], exclude=None)
    membership, created = Membership.objects.get_or_create(
        arrangement=arrangement, user=user, defaults={"side": Side.PROVIDER, "invited_by": invitation.invited_by}
    )
    if not created:
        membership.is_active, membership.side, membership.left_at = True, Side.PROVIDER, None
        membership.invited_by = invitation.invited_by
        membership.save()
    _start_roles(arrangement, membership, [Role.SRIE], invitation.invited_by)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.decided_at = timezone.now()
    invitation._history_user = user
    invitation.save()
    if invitation.invited_by is not None:
        context = {"invitation": invitation, "what": f"{user} accepted and now leads the provider side."}
        _send(f"{user} joined {arrangement.title}", "invitation_decided", context, [invitation.invited_by.email])
    return membership


@transaction.atomic
def invitation_decline(*, user: Any, invitation: Invitation) -> Invitation:
    if invitation.user_id != user.pk or invitation.kind != InvitationKind.PROVIDER_LEAD:
        raise Http404("No such invitation.")
    invitation = _pending(invitation)
    invitation.status = InvitationStatus.DECLINED
    invitation.decided_at = timezone.now()
    invitation._history_user = user
    invitation.save()
    if invitation.invited_by is not None:
        context = {"invitation": invitation, "what": f"{user} declined the invitation."}
        _send(
            f"Invitation declined: {invitation.arrangement.title}",
            "invitation_decided",
            context,
            [invitation.invited_by.email],
        )
    return invitation


@transaction.atomic
def invitation_withdraw(*, access: Access, invitation: Invitation) -> Invitation:
    """The customer's SRO withdraws the provider-lead invitation; either lead a facilitator proposal."""
    _same_arrangement(access, invitation)
    side = access.lead_side()
    if side is None or (invitation.kind == InvitationKind.PROVIDER_LEAD and side != Side.CUSTOMER):
        raise PermissionDenied("You cannot withdraw this invitation.")
    invitation = _pending(invitation)
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.decided_at = timezone.now()
    invitation.save()
    return invitation


# -- a neutral facilitator ----------------------------------------------------------------


@transaction.atomic
def facilitator_propose(
    *, access: Access, email: str, full_name: str = "", organisation_name: str = "", message: str = ""
) -> Invitation:
    """One lead proposes a partnering facilitator; the other lead's agreement adds them."""
    side = access.require_lead()
    arrangement = access.arrangement
    email = email.strip().lower()
    if not email:
        raise ValidationError({"email": "Enter an e-mail address."})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if not full_name.strip():
            raise ValidationError({"full_name": "Enter the facilitator's full name."})
        name = organisation_name.strip()
        if not name:
            raise ValidationError({"organisation_name": "Enter the facilitator's organisation."})
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            organisation = Organisation(name=name, kind=OrganisationKind.NEUTRAL)
            organisation.full_clean(exclude=["slug"])
            organisation.save()
        elif organisation.kind != OrganisationKind.NEUTRAL:
            raise ValidationError({"organisation_name": "A facilitator comes from a neutral organisation."})
        user = User.objects.create_user(email=email, full_name=full_name.strip(), organisation=organisation)
    elif user.organisation is None or user.organisation.kind != OrganisationKind.NEUTRAL or not user.is_active:
        raise ValidationError({"email": f"{email} cannot be proposed: a facilitator is a person of neither side."})
    if Membership.objects.filter(arrangement=arrangement, user=user, is_active=True).exists():
        raise ValidationError({"email": f"{email} is already a member of this arrangement."})
    if Invitation.objects.filter(
        arrangement=arrangement, kind=InvitationKind.FACILITATOR, user=user, status=InvitationStatus.PENDING
    ).exists():
        raise ValidationError({"email": f"{email} has already been proposed."})
    now = timezone.now()
    invitation = Invitation(
        arrangement=arrangement, kind=InvitationKind.FACILITATOR, user=user, invited_by=access.user, message=message
    )
    if side == Side.CUSTOMER:
        invitation.sro_agreed_by, invitation.sro_agreed_at = access.user, now
    else:
        invitation.srie_agreed_by, invitation.srie_agreed_at = access.user, now
    invitation.full_clean()
    invitation.save()
    other = _current_lead(arrangement, OTHER_SIDE[side])
    if other is not None:
        context = {"invitation": invitation, "inviter": access.user}
        _send(f"Agree a facilitator for {arrangement.title}", "facilitator_proposed", context, [other.user.email])
    return invitation


@transaction.atomic
def facilitator_agree(*, access: Access, invitation: Invitation) -> Membership:
    """The other lead agrees: the two halves must come from the two organisations."""
    side = access.require_lead()
    _same_arrangement(access, invitation)
    if invitation.kind != InvitationKind.FACILITATOR:
        raise Http404("No such proposal.")
    invitation = _pending(invitation)
    now = timezone.now()
    if side == Side.CUSTOMER and invitation.sro_agreed_at is None:
        invitation.sro_agreed_by, invitation.sro_agreed_at = access.user, now
    elif side == Side.PROVIDER and invitation.srie_agreed_at is None:
        invitation.srie_agreed_by, invitation.srie_agreed_at = access.user, now
    else:
        raise ValidationError("Your side has agreed already: the other side's lead agrees next.")
    require_two_parties(
        access.arrangement, customer_half=invitation.sro_agreed_by, provider_half=invitation.srie_agreed_by
    )
    user = invitation.user
    membership, created = Membership.objects.get_or_create(
        arrangement=access.arrangement, user=user, defaults={"side": Side.NEUTRAL, "invited_by": invitation.invited_by}
    )
    if not created:
        if membership.is_active:
            raise ValidationError("This person is already a member.")
        membership.is_active, membership.side, membership.left_at = True, Side.NEUTRAL, None
        membership.save()
    _start_roles(access.arrangement, membership, [Role.FACILITATOR], access.user)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.decided_at = now
    invitation.save()
    link = django_settings.SITE_URL.rstrip("/") + reverse(
        "arrangements:overview", kwargs={"slug": access.arrangement.slug}
    )
    context = {"membership": membership, "inviter": access.user, "link": link, "new_account": False}
    _send(f"You have been added to {access.arrangement.title}", "invitation", context, [user.email])
    return membership


def may_invite_provider_lead(access: Access) -> bool:
    """Whether the page offers the customer's SRO the provider-lead invitation."""
    return (
        access.lead_side() == Side.CUSTOMER
        and not Membership.objects.filter(arrangement=access.arrangement, side=Side.PROVIDER, is_active=True).exists()
    )
