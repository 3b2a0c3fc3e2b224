"""Partnering charter pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from partnering.arrangements.forms import validation_to_form
from partnering.charter import diff, selectors, services
from partnering.charter.forms import CharterForm, CommentForm, ReviewDateForm, WorkshopForm
from partnering.charter.models import CharterVersion, Workshop
from partnering.core import editing
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm

CONFLICT = (
    "Someone else changed the charter while you were editing it. Check what changed below, "
    "then save again if you still want your version."
)


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "charter",
        "can_contribute": access.has(Perm.CONTRIBUTE),
        "signing_role": services.signing_role(access),
        **extra,
    }


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _detail(
    request: HttpRequest, access: Access, *, review_form: ReviewDateForm | None = None, status: int = 200
) -> HttpResponse:
    state = selectors.charter_state(access=access)
    charter = state.charter
    if review_form is None:
        review_form = ReviewDateForm(initial={"review_date": charter.review_date if charter else None})
    return render(
        request,
        "charter/detail.html",
        _ctx(
            access,
            state=state,
            charter=charter,
            review_form=review_form,
            workshops=list(selectors.workshops(access=access)),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def detail(request: HttpRequest, access: Access) -> HttpResponse:
    """The charter in force, the working draft, the review date and the workshops."""
    if request.method != "POST":
        return _detail(request, access)
    charter = selectors.charter_of(access=access)
    form = ReviewDateForm(request.POST)
    if charter is None:
        form.is_valid()
        form.add_error(None, "Start drafting the charter before setting its review date.")
    elif form.is_valid():
        try:
            services.charter_set_review_date(
                access=access,
                charter=charter,
                expected_version=editing.posted_version(request),
                review_date=form.cleaned_data["review_date"],
            )
        except EditConflict:
            form.add_error(None, "Someone else changed the review date while you were editing it. Check it below.")
            return _detail(request, access, review_form=form, status=409)
        else:
            messages.success(request, "Review date saved.")
            return redirect("charter:detail", slug=access.arrangement.slug)
    return _detail(request, access, review_form=form)


@arrangement_page(Perm.CONTRIBUTE)
def edit(request: HttpRequest, access: Access) -> HttpResponse:
    """Edit the working text: the draft, or (after agreement) a new draft from the agreed text."""
    state = selectors.charter_state(access=access)
    latest = state.latest
    conflict = None
    status = 200
    if request.method == "POST":
        number, version = _int(request.POST.get("number")), editing.posted_version(request)
        form = CharterForm(request.POST, extra_sections=latest.extra_sections if latest else [])
        if form.is_valid():
            try:
                saved = services.charter_edit(
                    access=access, expected_number=number, expected_version=version, values=form.values()
                )
            except EditConflict as exc:
                form.add_error(None, CONFLICT)
                conflict, latest, status = exc, exc.current, 409
            except ValidationError as exc:
                validation_to_form(form, exc)
            else:
                messages.success(request, f"Charter version {saved.number} saved as a draft.")
                return redirect("charter:version", slug=access.arrangement.slug, version_uuid=saved.uuid)
    else:
        initial = {name: getattr(latest, name) for name in services.SECTION_FIELDS} if latest else {}
        form = CharterForm(initial=initial, extra_sections=latest.extra_sections if latest else [])
    return render(
        request,
        "charter/edit.html",
        _ctx(access, form=form, latest=latest, conflict=conflict),
        status=status,
    )


def _version_page(
    request: HttpRequest,
    access: Access,
    version: CharterVersion,
    *,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    state = selectors.charter_state(access=access)
    return render(
        request,
        "charter/version.html",
        _ctx(
            access,
            version=version,
            state=state,
            is_latest=state.latest is not None and state.latest.pk == version.pk,
            comment_form=comment_form or CommentForm(prefix="comment"),
            comments=list(selectors.comments(version=version)),
            history=selectors.version_history(version=version),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW)
@require_GET
def version(request: HttpRequest, access: Access, version_uuid: str) -> HttpResponse:
    return _version_page(request, access, selectors.version_get(access=access, version_uuid=version_uuid))


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def sign(request: HttpRequest, access: Access, version_uuid: str) -> HttpResponse:
    version = selectors.version_get(access=access, version_uuid=version_uuid)
    try:
        signed = services.charter_sign(access=access, version=version, expected_version=editing.posted_version(request))
    except EditConflict:
        messages.error(request, "The text changed while you were reading it. Read this version again before signing.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if signed.status == "agreed":
            messages.success(
                request, f"Charter version {signed.number} is agreed: both the SRO and the SRIE signed it."
            )
        else:
            messages.success(request, f"You signed charter version {signed.number}.")
    return redirect("charter:version", slug=access.arrangement.slug, version_uuid=version.uuid)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def comment_add(request: HttpRequest, access: Access, version_uuid: str) -> HttpResponse:
    version = selectors.version_get(access=access, version_uuid=version_uuid)
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.charter_comment_add(access=access, version=version, text=form.cleaned_data["text"])
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Comment added.")
            return redirect("charter:version", slug=access.arrangement.slug, version_uuid=version.uuid)
    return _version_page(request, access, version, comment_form=form)


@arrangement_page(Perm.VIEW)
@require_GET
def compare(request: HttpRequest, access: Access) -> HttpResponse:
    """The difference between two versions (by default the latest and the one before)."""
    state = selectors.charter_state(access=access)
    numbers = [v.number for v in state.versions]
    new = selectors.version_by_number(access=access, number=request.GET.get("to")) if request.GET.get("to") else None
    old = (
        selectors.version_by_number(access=access, number=request.GET.get("from")) if request.GET.get("from") else None
    )
    if new is None and state.versions:
        new = state.versions[0]
    if old is None and new is not None:
        old = next((v for v in state.versions if v.number < new.number), None)
    sections = diff.compare(old, new) if old is not None and new is not None else []
    return render(
        request,
        "charter/compare.html",
        _ctx(
            access,
            old=old,
            new=new,
            numbers=numbers,
            sections=sections,
            changed=sum(1 for s in sections if s.status != "unchanged"),
        ),
    )


# -- workshops -----------------------------------------------------------------------


@arrangement_page(Perm.CONTRIBUTE)
def workshop_new(request: HttpRequest, access: Access) -> HttpResponse:
    form = WorkshopForm(request.POST or None, access=access, initial={"kind": "charter_workshop"})
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"{workshop.get_kind_display()} recorded.")
            return redirect("charter:workshop", slug=access.arrangement.slug, workshop_uuid=workshop.uuid)
    return render(request, "charter/workshop_new.html", _ctx(access, form=form))


def _workshop_page(
    request: HttpRequest,
    access: Access,
    workshop: Workshop,
    *,
    form: WorkshopForm | None = None,
    conflict: EditConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        initial = {name: getattr(workshop, name) for name in services.WORKSHOP_FIELDS}
        initial["attendees"] = list(workshop.attendees.all())
        form = WorkshopForm(initial=initial, access=access)
    return render(
        request,
        "charter/workshop.html",
        _ctx(
            access,
            workshop=workshop,
            form=form,
            conflict=conflict,
            version=editing.version_to_show(request, workshop, form=form, conflict=conflict),
            by_side=selectors.attendees_by_side(access=access, workshop=workshop),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def workshop(request: HttpRequest, access: Access, workshop_uuid: str) -> HttpResponse:
    record = selectors.workshop_get(access=access, workshop_uuid=workshop_uuid)
    if request.method != "POST":
        return _workshop_page(request, access, record)
    return editing.save_edit(
        request,
        WorkshopForm(request.POST, access=access),
        record,
        save=partial(services.workshop_update, access=access, workshop=record),
        show=partial(_workshop_page, request, access),
        saved="Workshop saved.",
        done_url=reverse("charter:workshop", kwargs={"slug": access.arrangement.slug, "workshop_uuid": record.uuid}),
    )
