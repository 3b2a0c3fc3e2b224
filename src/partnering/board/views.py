"""Joint project board pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from partnering.actions.forms import ActionForm
from partnering.arrangements.forms import validation_to_form
from partnering.board import pack as board_pack
from partnering.board import selectors, services
from partnering.board.forms import BoardRolesForm, DecisionForm, MeetingForm
from partnering.board.models import Decision, Meeting
from partnering.core import downloads, editing
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "board",
        "can_contribute": access.has(Perm.CONTRIBUTE),
        "can_manage": access.has(Perm.MANAGE_MEMBERS),
        **extra,
    }


def board_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Without a joint project board in the agreed openness, every board page says so instead."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, access: Access, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.board_in_use(access):
            return render(request, "board/no_board.html", _ctx(access))
        return view(request, access, *args, **kwargs)

    return wrapper


@arrangement_page(Perm.VIEW)
@require_GET
@board_required
def detail(request: HttpRequest, access: Access) -> HttpResponse:
    return render(
        request,
        "board/detail.html",
        _ctx(
            access,
            members=selectors.board_members(access=access),
            meetings=list(selectors.meetings(access=access)),
            today=timezone.localdate(),
        ),
    )


@arrangement_page(Perm.MANAGE_MEMBERS)
@board_required
def members(request: HttpRequest, access: Access) -> HttpResponse:
    """Set each board member's role: the SRO chairs, the SRIE advises or is senior supplier."""
    board_members = selectors.board_members(access=access)
    board = selectors.board_of(access=access)
    form = BoardRolesForm(request.POST or None, members=board_members)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.board_roles_update(
                access=access, expected_version=editing.posted_version(request), roles=form.roles()
            )
        except EditConflict:
            form.add_error(None, "Someone else changed the board roles while you were editing them. Check them below.")
            status = 409
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Board roles saved.")
            return redirect("board:detail", slug=access.arrangement.slug)
    return render(
        request,
        "board/members.html",
        _ctx(access, form=form, version=board.version if board else 1),
        status=status,
    )


@arrangement_page(Perm.VIEW)
@require_GET
@board_required
def decisions(request: HttpRequest, access: Access) -> HttpResponse:
    """The decisions log across every meeting."""
    q = (request.GET.get("q") or "").strip()[:200]
    return render(
        request,
        "board/decisions.html",
        _ctx(access, decisions=list(selectors.decisions_log(access=access, q=q)), q=q),
    )


def _decision_page(
    request: HttpRequest,
    access: Access,
    decision: Decision,
    *,
    form: DecisionForm | None = None,
    conflict: EditConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    form = form or DecisionForm(initial={"title": decision.title, "rationale": decision.rationale})
    return render(
        request,
        "board/decision.html",
        _ctx(
            access,
            decision=decision,
            form=form,
            conflict=conflict,
            version=editing.version_to_show(request, decision, form=form, conflict=conflict),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
@board_required
def decision(request: HttpRequest, access: Access, decision_uuid: str) -> HttpResponse:
    record = selectors.decision_get(access=access, decision_uuid=decision_uuid)
    if request.method != "POST":
        return _decision_page(request, access, record)
    return editing.save_edit(
        request,
        DecisionForm(request.POST),
        record,
        save=functools.partial(services.decision_update, access=access, decision=record),
        show=functools.partial(_decision_page, request, access),
        saved=f"Decision {record.reference} saved.",
        done_url=reverse("board:decisions", kwargs={"slug": access.arrangement.slug}),
    )


@arrangement_page(Perm.CONTRIBUTE)
@board_required
def meeting_new(request: HttpRequest, access: Access) -> HttpResponse:
    form = MeetingForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.meeting_create(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Board meeting recorded.")
            return redirect("board:meeting", slug=access.arrangement.slug, meeting_uuid=record.uuid)
    return render(request, "board/meeting_new.html", _ctx(access, form=form))


def _meeting_page(
    request: HttpRequest,
    access: Access,
    meeting: Meeting,
    *,
    form: MeetingForm | None = None,
    decision_form: DecisionForm | None = None,
    action_form: ActionForm | None = None,
    conflict: EditConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        initial: dict[str, Any] = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
        initial["attendees"] = list(meeting.attendees.all())
        form = MeetingForm(initial=initial, access=access)
    return render(
        request,
        "board/meeting.html",
        _ctx(
            access,
            meeting=meeting,
            form=form,
            decision_form=decision_form or DecisionForm(prefix="decision"),
            action_form=action_form or ActionForm(access=access, with_status=False, prefix="action"),
            conflict=conflict,
            version=editing.version_to_show(request, meeting, form=form, conflict=conflict),
            attendees=list(meeting.attendees.order_by("full_name")),
            decisions=list(selectors.meeting_decisions(meeting=meeting)),
            actions=list(selectors.meeting_actions(access=access, meeting=meeting)),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
@board_required
def meeting(request: HttpRequest, access: Access, meeting_uuid: str) -> HttpResponse:
    record = selectors.meeting_get(access=access, meeting_uuid=meeting_uuid)
    if request.method != "POST":
        return _meeting_page(request, access, record)
    return editing.save_edit(
        request,
        MeetingForm(request.POST, access=access),
        record,
        save=functools.partial(services.meeting_update, access=access, meeting=record),
        show=functools.partial(_meeting_page, request, access),
        saved="Meeting saved.",
        done_url=reverse("board:meeting", kwargs={"slug": access.arrangement.slug, "meeting_uuid": record.uuid}),
    )


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
@board_required
def decision_add(request: HttpRequest, access: Access, meeting_uuid: str) -> HttpResponse:
    record = selectors.meeting_get(access=access, meeting_uuid=meeting_uuid)
    form = DecisionForm(request.POST, prefix="decision")
    if form.is_valid():
        try:
            added = services.decision_add(access=access, meeting=record, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"Decision {added.reference} recorded.")
            return redirect("board:meeting", slug=access.arrangement.slug, meeting_uuid=record.uuid)
    return _meeting_page(request, access, record, decision_form=form)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
@board_required
def action_add(request: HttpRequest, access: Access, meeting_uuid: str) -> HttpResponse:
    record = selectors.meeting_get(access=access, meeting_uuid=meeting_uuid)
    form = ActionForm(request.POST, access=access, with_status=False, prefix="action")
    if form.is_valid():
        try:
            services.meeting_action_add(access=access, meeting=record, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Action added.")
            return redirect("board:meeting", slug=access.arrangement.slug, meeting_uuid=record.uuid)
    return _meeting_page(request, access, record, action_form=form)


@arrangement_page(Perm.VIEW)
@require_GET
@board_required
def pack_pdf(request: HttpRequest, access: Access, meeting_uuid: str) -> HttpResponse:
    """The board pack for the meeting, as the reader may see it."""
    record = selectors.meeting_get(access=access, meeting_uuid=meeting_uuid)
    pack = board_pack.build(access=access, meeting=record)
    # The pack holds what this reader may see (their side's private risks): never kept by a cache.
    return downloads.attachment(board_pack.render_pdf(pack), pack.filename, downloads.PDF)
