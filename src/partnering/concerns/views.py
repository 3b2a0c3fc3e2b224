"""Concern log pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from partnering.arrangements.forms import validation_to_form
from partnering.concerns import selectors, services
from partnering.concerns.forms import CommentForm, ConcernForm, EscalateForm, ResolveForm, StatementForm
from partnering.concerns.models import Concern
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "concerns",
        "can_contribute": access.has(Perm.CONTRIBUTE),
        "problems_visible": access.sees_other_side_problems(),
        **extra,
    }


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", "0"))
    except ValueError:
        return 0


def _back(access: Access, concern: Concern) -> HttpResponse:
    return redirect("concerns:detail", slug=access.arrangement.slug, concern_uuid=concern.uuid)


@arrangement_page(Perm.VIEW)
@require_GET
def concern_list(request: HttpRequest, access: Access) -> HttpResponse:
    status = request.GET.get("status", "open")
    status = status if status in selectors.STATUS_FILTERS else "open"
    concerns = list(selectors.concern_list(access=access, status=status))
    now = timezone.now()
    for c in concerns:
        c.time_at_level = selectors.duration_words((c.resolved_at or now) - c.level_since)
    return render(request, "concerns/list.html", _ctx(access, concerns=concerns, status=status))


@arrangement_page(Perm.CONTRIBUTE)
def concern_new(request: HttpRequest, access: Access) -> HttpResponse:
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_raise(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"Concern {concern.reference} raised.")
            return _back(access, concern)
    return render(
        request,
        "concerns/new.html",
        _ctx(access, form=form, starts_private=services.initial_visibility(access) != "shared"),
    )


def _detail(
    request: HttpRequest,
    access: Access,
    concern: Concern,
    *,
    status: int = 200,
    conflict: EditConflict | None = None,
    **forms_: Any,
) -> HttpResponse:
    statements = list(selectors.concern_statements(concern=concern))
    events = list(selectors.concern_escalations(concern=concern))
    own_statement = next((s for s in statements if s.side == access.side), None)
    may_state = concern.is_open and access.side in services.statement_sides(concern)
    form = forms_.get("form") or ConcernForm(
        initial={f: getattr(concern, f) for f in services.EDITABLE_FIELDS}, creating=False
    )
    ladder = selectors.time_at_levels(concern=concern, events=events)
    for rung in ladder:
        rung.words = selectors.duration_words(rung.duration)
    context = _ctx(
        access,
        concern=concern,
        form=form,
        escalate_form=forms_.get("escalate_form") or EscalateForm(prefix="escalate", current=concern.level),
        statement_form=forms_.get("statement_form")
        or StatementForm(prefix="statement", initial={"text": own_statement.text} if own_statement else None),
        resolve_form=forms_.get("resolve_form") or ResolveForm(prefix="resolve"),
        comment_form=forms_.get("comment_form") or CommentForm(prefix="comment"),
        statements=statements,
        own_statement=own_statement,
        may_state=may_state,
        events=events,
        ladder=ladder,
        comments=list(selectors.concern_comments(concern=concern)),
        conflict=conflict,
        version=concern.version,
    )
    return render(request, "concerns/detail.html", context, status=status)


_CONFLICT = "Someone else changed this concern while you were editing it. Check what changed, then save again."


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def concern_detail(request: HttpRequest, access: Access, concern_uuid: str) -> HttpResponse:
    concern = selectors.concern_get(access=access, concern_uuid=concern_uuid)
    if request.method != "POST":
        return _detail(request, access, concern)
    form = ConcernForm(request.POST, creating=False)
    if form.is_valid():
        try:
            services.concern_update(
                access=access, concern=concern, expected_version=_version(request), changes=form.cleaned_data
            )
        except EditConflict as exc:
            form.add_error(None, _CONFLICT)
            return _detail(request, access, exc.current, form=form, conflict=exc, status=409)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"Concern {concern.reference} saved.")
            return _back(access, concern)
    return _detail(request, access, selectors.concern_get(access=access, concern_uuid=concern_uuid), form=form)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def concern_escalate(request: HttpRequest, access: Access, concern_uuid: str) -> HttpResponse:
    concern = selectors.concern_get(access=access, concern_uuid=concern_uuid)
    form = EscalateForm(request.POST, prefix="escalate", current=concern.level)
    if form.is_valid():
        try:
            event = services.concern_escalate(access=access, concern=concern, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            verb = "escalated" if event.is_escalation else "brought down"
            messages.success(request, f"Concern {concern.reference} {verb} to {event.get_to_level_display()}.")
            return _back(access, concern)
    return _detail(request, access, concern, escalate_form=form)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def concern_share(request: HttpRequest, access: Access, concern_uuid: str) -> HttpResponse:
    concern = selectors.concern_get(access=access, concern_uuid=concern_uuid)
    if concern.is_private:
        private_reference = concern.reference
        concern = services.concern_share(access=access, concern=concern)
        messages.success(
            request,
            f"Concern {private_reference} is now shared with both sides, as {concern.reference} "
            "(the next number of the shared log).",
        )
    return _back(access, concern)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def concern_statement(request: HttpRequest, access: Access, concern_uuid: str) -> HttpResponse:
    concern = selectors.concern_get(access=access, concern_uuid=concern_uuid)
    form = StatementForm(request.POST, prefix="statement")
    if form.is_valid():
        try:
            services.concern_statement_save(
                access=access, concern=concern, text=form.cleaned_data["text"], expected_version=_version(request)
            )
        except EditConflict:
            form.add_error(None, "Someone on your side changed the statement meanwhile. Check it, then save again.")
            return _detail(request, access, concern, statement_form=form, status=409)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Your side's statement is saved.")
            return _back(access, concern)
    return _detail(request, access, concern, statement_form=form)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def concern_resolve(request: HttpRequest, access: Access, concern_uuid: str) -> HttpResponse:
    concern = selectors.concern_get(access=access, concern_uuid=concern_uuid)
    form = ResolveForm(request.POST, prefix="resolve")
    if form.is_valid():
        try:
            services.concern_resolve(
                access=access, concern=concern, expected_version=_version(request), **form.cleaned_data
            )
        except EditConflict as exc:
            form.add_error(None, _CONFLICT)
            return _detail(request, access, exc.current, resolve_form=form, conflict=exc, status=409)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"Concern {concern.reference} resolved.")
            return _back(access, concern)
    return _detail(request, access, concern, resolve_form=form)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def concern_comment_add(request: HttpRequest, access: Access, concern_uuid: str) -> HttpResponse:
    concern = selectors.concern_get(access=access, concern_uuid=concern_uuid)
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.concern_comment_add(access=access, concern=concern, text=form.cleaned_data["text"])
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Comment added.")
            return _back(access, concern)
    return _detail(request, access, concern, comment_form=form)
