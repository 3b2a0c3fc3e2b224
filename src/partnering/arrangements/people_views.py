"""Pages for an arrangement's people: each side manages its own (core.policy rule 5)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partnering.arrangements import people, selectors
from partnering.arrangements.forms import (
    FacilitatorForm,
    HandoverForm,
    InviteForm,
    ProviderLeadForm,
    RemoveMemberForm,
    RolesForm,
    validation_to_form,
)
from partnering.arrangements.models import Invitation, InvitationKind, InvitationStatus
from partnering.core.choices import Role, Side
from partnering.core.gate import arrangement_page
from partnering.core.policy import SIDE_LEADS, Access, Perm


def _ctx(access: Access, **extra: object) -> dict[str, object]:
    return {"access": access, "arrangement": access.arrangement, "tab": "members", **extra}


def _members_page(request: HttpRequest, access: Access, **forms: object) -> HttpResponse:
    can_manage = access.can_manage_side(access.side)
    lead_side = access.lead_side()
    pending = list(
        Invitation.objects.filter(arrangement=access.arrangement, status=InvitationStatus.PENDING).select_related(
            "user", "user__organisation", "invited_by", "sro_agreed_by", "srie_agreed_by"
        )
    )
    context = _ctx(
        access,
        members=selectors.members_of(access=access),
        role_history=selectors.role_history(access=access),
        can_manage=can_manage,
        own_side=access.side,
        own_side_label=Side(access.side).label.lower(),
        lead_side=lead_side,
        lead_role_label=Role(SIDE_LEADS[access.side]).label if access.side in SIDE_LEADS else "",
        pending=pending,
        may_invite_provider_lead=people.may_invite_provider_lead(access),
        form=forms.get("form") or (InviteForm(side=access.side) if can_manage else None),
        lead_form=forms.get("lead_form") or ProviderLeadForm(prefix="lead"),
        facilitator_form=forms.get("facilitator_form") or FacilitatorForm(prefix="facilitator"),
    )
    return render(request, "arrangements/members.html", context)


def _post_to_members(
    request: HttpRequest,
    access: Access,
    *,
    form: Any,
    slot: str,
    write: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
) -> HttpResponse:
    """One of the members page's forms posted: write, and go back to the page; or show the
    page again with the form's errors in place (nothing typed is lost)."""
    if form.is_valid():
        try:
            written = write(form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, done(written))
            return redirect("arrangements:members", slug=access.arrangement.slug)
    return _members_page(request, access, **{slot: form})


@arrangement_page(Perm.VIEW, write_perm=Perm.MANAGE_MEMBERS, kept=True)
def members(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method != "POST":
        return _members_page(request, access)
    base_url = request.build_absolute_uri("/")
    return _post_to_members(
        request,
        access,
        form=InviteForm(request.POST, side=access.side),
        slot="form",
        write=lambda data: people.member_invite(access=access, request_base_url=base_url, **data),
        done=lambda m: f"{m.user} added to the {m.get_side_display().lower()} side.",
    )


@arrangement_page(Perm.LEAD_SIDE)
@require_POST
def provider_lead_invite(request: HttpRequest, access: Access) -> HttpResponse:
    base_url = request.build_absolute_uri("/")
    return _post_to_members(
        request,
        access,
        form=ProviderLeadForm(request.POST, prefix="lead"),
        slot="lead_form",
        write=lambda data: people.provider_lead_invite(access=access, request_base_url=base_url, **data),
        done=lambda invitation: f"{invitation.user} is invited to lead the provider side.",
    )


@arrangement_page(Perm.LEAD_SIDE)
@require_POST
def facilitator_propose(request: HttpRequest, access: Access) -> HttpResponse:
    return _post_to_members(
        request,
        access,
        form=FacilitatorForm(request.POST, prefix="facilitator"),
        slot="facilitator_form",
        write=lambda data: people.facilitator_propose(access=access, **data),
        done=lambda invitation: f"{invitation.user} proposed. They join when the other side's lead agrees.",
    )


@arrangement_page(Perm.LEAD_SIDE)
@require_POST
def invitation_decide(request: HttpRequest, access: Access, invitation_uuid: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation, arrangement=access.arrangement, uuid=invitation_uuid)
    try:
        if request.POST.get("decision") == "withdraw":
            people.invitation_withdraw(access=access, invitation=invitation)
            messages.success(request, "Invitation withdrawn.")
        elif invitation.kind == InvitationKind.FACILITATOR:
            membership = people.facilitator_agree(access=access, invitation=invitation)
            messages.success(request, f"{membership.user} now facilitates the arrangement.")
        else:
            raise PermissionDenied
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("arrangements:members", slug=access.arrangement.slug)


@arrangement_page(Perm.MANAGE_MEMBERS)
def member_edit(request: HttpRequest, access: Access, membership_uuid: str) -> HttpResponse:
    membership = selectors.membership_get(access=access, membership_uuid=membership_uuid)
    may_remove_facilitator = membership.side == Side.NEUTRAL and access.lead_side() is not None
    if not access.can_manage_side(membership.side) and not may_remove_facilitator:
        raise PermissionDenied
    current = [ra.role for ra in membership.role_assignments.filter(ended_at__isnull=True)]
    form = RolesForm(request.POST or None, initial={"roles": current})
    remove_form = RemoveMemberForm(request.POST or None, prefix="remove")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                people.member_remove(
                    access=access, membership=membership, handover_note=request.POST.get("remove-handover_note", "")
                )
                messages.success(request, f"{membership.user} removed from the arrangement.")
                return redirect("arrangements:members", slug=access.arrangement.slug)
            if may_remove_facilitator:
                raise PermissionDenied
            if form.is_valid():
                people.member_set_roles(access=access, membership=membership, **form.cleaned_data)
                messages.success(request, f"Roles of {membership.user} saved.")
                return redirect("arrangements:members", slug=access.arrangement.slug)
        except ValidationError as exc:
            validation_to_form(remove_form if request.POST.get("action") == "remove" else form, exc)
    return render(
        request,
        "arrangements/member_edit.html",
        _ctx(
            access,
            membership=membership,
            form=form,
            remove_form=remove_form,
            roles_editable=not may_remove_facilitator,
        ),
    )


@arrangement_page(Perm.LEAD_SIDE)
def handover(request: HttpRequest, access: Access) -> HttpResponse:
    side = access.require_lead()
    candidates = [m for m in selectors.members_of(access=access) if m.side == side and m.user_id != access.user.pk]
    form = HandoverForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        successor = next(m for m in candidates if str(m.uuid) == form.cleaned_data["successor"])
        try:
            people.lead_handover(access=access, successor=successor, handover_note=form.cleaned_data["handover_note"])
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"You handed the role over to {successor.user}.")
            return redirect("arrangements:members", slug=access.arrangement.slug)
    return render(
        request,
        "arrangements/handover.html",
        _ctx(access, form=form, lead_role_label=Role(SIDE_LEADS[side]).label, candidates=candidates),
    )


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    """The signed-in person's invitations to lead a provider side."""
    if request.method == "POST":
        try:
            wanted = uuid.UUID(request.POST.get("invitation", ""))
        except ValueError:
            messages.error(request, "Choose an invitation to accept or decline.")
            return redirect("arrangements:invitations")
        invitation = get_object_or_404(Invitation, uuid=wanted, user=request.user, kind=InvitationKind.PROVIDER_LEAD)
        try:
            if request.POST.get("decision") == "decline":
                people.invitation_decline(user=request.user, invitation=invitation)
                messages.success(request, "Invitation declined.")
            else:
                people.invitation_accept(user=request.user, invitation=invitation)
                messages.success(request, f"You now lead the provider side of {invitation.arrangement.title}.")
                return redirect("arrangements:members", slug=invitation.arrangement.slug)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("arrangements:invitations")
    waiting = Invitation.objects.filter(
        user=request.user, kind=InvitationKind.PROVIDER_LEAD, status=InvitationStatus.PENDING
    ).select_related("arrangement", "arrangement__customer", "arrangement__provider", "invited_by")
    return render(request, "arrangements/invitations.html", {"invitations": list(waiting)})
