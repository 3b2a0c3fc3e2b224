"""People and peers pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partnering.actions.selectors import action_get
from partnering.arrangements.forms import validation_to_form
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm
from partnering.relationships import selectors, services
from partnering.relationships.forms import CommentForm, HandoverForm, PeerLabelForm, PeerPairForm


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "relationships",
        "can_manage": access.has(Perm.MANAGE_MEMBERS),
        **extra,
    }


@arrangement_page(Perm.VIEW, write_perm=Perm.MANAGE_MEMBERS)
def peers(request: HttpRequest, access: Access) -> HttpResponse:
    form = PeerPairForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        label = data["label"] or _label_for(data["customer_member"], data["provider_member"])
        try:
            services.peer_pair_create(
                access=access,
                customer_member=data["customer_member"],
                provider_member=data["provider_member"],
                label=label,
            )
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"{data['customer_member'].user} and {data['provider_member'].user} are paired.")
            return redirect("relationships:peers", slug=access.arrangement.slug)
    return render(request, "relationships/peers.html", _ctx(access, map=selectors.peer_map(access=access), form=form))


def _label_for(customer: Any, provider: Any) -> str:
    """Name a pair after the first counterpart roles the two hold, else "peers"."""
    c_roles = {ra.role for ra in getattr(customer, "current_roles", [])}
    p_roles = {ra.role for ra in getattr(provider, "current_roles", [])}
    for c, p in selectors.COUNTERPARTS:
        if c in c_roles and p in p_roles:
            return selectors.default_label(c, p)
    return "peers"


@arrangement_page(Perm.VIEW, write_perm=Perm.MANAGE_MEMBERS)
def peer_edit(request: HttpRequest, access: Access, peer_uuid: str) -> HttpResponse:
    pair = selectors.peer_pair_get(access=access, peer_uuid=peer_uuid)
    form = PeerLabelForm(request.POST or None, initial={"label": pair.label})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version", "0"))
        except ValueError:
            version = 0
        try:
            services.peer_pair_update(
                access=access, pair=pair, expected_version=version, label=form.cleaned_data["label"]
            )
        except EditConflict as exc:
            conflict, pair = exc, exc.current
            form.add_error(None, "Someone else renamed this pair while you were editing it. Check, then save again.")
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Pair saved.")
            return redirect("relationships:peers", slug=access.arrangement.slug)
    return render(
        request,
        "relationships/peer_edit.html",
        _ctx(access, pair=pair, form=form, conflict=conflict, version=pair.version),
        status=409 if conflict else 200,
    )


@arrangement_page(Perm.MANAGE_MEMBERS)
@require_POST
def peer_remove(request: HttpRequest, access: Access, peer_uuid: str) -> HttpResponse:
    pair = selectors.peer_pair_get(access=access, peer_uuid=peer_uuid)
    services.peer_pair_remove(access=access, pair=pair)
    messages.success(request, f"The {pair.label} pair is removed.")
    return redirect("relationships:peers", slug=access.arrangement.slug)


@arrangement_page(Perm.VIEW, write_perm=Perm.MANAGE_MEMBERS)
def key_people(request: HttpRequest, access: Access) -> HttpResponse:
    form = HandoverForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_hand_over(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "The handover is recorded.")
            return redirect("relationships:key_people", slug=access.arrangement.slug)
    return render(
        request,
        "relationships/key_people.html",
        _ctx(access, changes=selectors.key_person_changes(access=access), form=form),
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def action_discussion(request: HttpRequest, access: Access, action_uuid: str) -> HttpResponse:
    action = action_get(access=access, action_uuid=action_uuid)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_comment_add(access=access, action=action, text=form.cleaned_data["text"])
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Comment added.")
            return redirect("relationships:action_discussion", slug=access.arrangement.slug, action_uuid=action.uuid)
    return render(
        request,
        "relationships/action_discussion.html",
        {
            **_ctx(access, action=action, form=form, comments=list(selectors.action_comments(action=action))),
            "tab": "actions",
            "can_contribute": access.has(Perm.CONTRIBUTE),
        },
    )
