"""Lessons pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from partnering.arrangements.forms import validation_to_form
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm
from partnering.lessons import selectors, services
from partnering.lessons.forms import LessonForm, SearchForm
from partnering.lessons.models import Lesson

PAGE_SIZE = 25


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "lessons",
        "can_contribute": access.has(Perm.CONTRIBUTE),
        **extra,
    }


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Every lesson the person may read, across their arrangements and those published to them."""
    filters = selectors.LessonFilters.from_query(request.GET)
    results = selectors.lessons_search(user=request.user, filters=filters)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    form = SearchForm(request.GET or None)
    form.is_valid()
    return render(
        request,
        "lessons/search.html",
        {"page": page, "filters": filters, "form": form, "page_query": filters.as_query()},
    )


@login_required
@require_GET
def read(request: HttpRequest, lesson_uuid: str) -> HttpResponse:
    lesson = selectors.lesson_read(user=request.user, lesson_uuid=lesson_uuid)
    return render(request, "lessons/read.html", {"lesson": lesson})


@arrangement_page(Perm.VIEW)
@require_GET
def lesson_list(request: HttpRequest, access: Access) -> HttpResponse:
    filters = selectors.LessonFilters.from_query(request.GET)
    page = Paginator(selectors.lessons_of_arrangement(access=access, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    form = SearchForm(request.GET or None)
    form.is_valid()
    return render(
        request,
        "lessons/list.html",
        _ctx(
            access,
            page=page,
            filters=filters,
            form=form,
            page_query=filters.as_query(),
            suggested_lessons=selectors.lessons_suggested(access=access),
        ),
    )


@arrangement_page(Perm.CONTRIBUTE)
def lesson_new(request: HttpRequest, access: Access) -> HttpResponse:
    ref = (request.POST.get("source_ref") if request.method == "POST" else request.GET.get("from")) or ""
    source = services.capture_source(access=access, ref=ref)
    initial = {"stage": access.arrangement.stage, "source_ref": ref if source is not None else ""}
    initial |= services.prefill(source)
    form = LessonForm(request.POST if request.method == "POST" else None, initial=initial, access=access)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data.pop("source_ref", None)
        try:
            lesson = services.lesson_create(access=access, source=source, **data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Lesson recorded.")
            return redirect("lessons:detail", slug=access.arrangement.slug, lesson_uuid=lesson.uuid)
    return render(request, "lessons/new.html", _ctx(access, form=form, source=source))


def _detail(
    request: HttpRequest,
    access: Access,
    lesson: Lesson,
    *,
    form: LessonForm | None = None,
    conflict: EditConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        initial = {f: getattr(lesson, f) for f in services.EDITABLE_FIELDS}
        form = LessonForm(initial=initial, access=access, creating=False)
    refusal = services.publishing_refusal(access, lesson)
    return render(
        request,
        "lessons/detail.html",
        _ctx(
            access,
            lesson=lesson,
            form=form,
            conflict=conflict,
            version=(conflict.current.version if conflict else lesson.version),
            can_edit=access.has(Perm.CONTRIBUTE) and services.is_author(access, lesson),
            can_publish=refusal is None,
            our_consent=lesson.consent_at(access.side),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def lesson_detail(request: HttpRequest, access: Access, lesson_uuid: str) -> HttpResponse:
    lesson = selectors.lesson_get(access=access, lesson_uuid=lesson_uuid)
    if request.method != "POST":
        return _detail(request, access, lesson)
    form = LessonForm(request.POST, access=access, creating=False)
    if form.is_valid():
        try:
            version = int(request.POST.get("version", "0"))
        except ValueError:
            version = 0
        try:
            services.lesson_update(
                access=access, lesson=lesson, expected_version=version, changes=form.cleaned_changes()
            )
        except EditConflict as exc:
            form.add_error(
                None,
                "Someone else changed this lesson while you were editing it. Check what changed "
                "below, then save again if you still want your version.",
            )
            return _detail(request, access, exc.current, form=form, conflict=exc, status=409)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Lesson saved.")
            return redirect("lessons:detail", slug=access.arrangement.slug, lesson_uuid=lesson.uuid)
    return _detail(request, access, selectors.lesson_get(access=access, lesson_uuid=lesson_uuid), form=form)


@arrangement_page(Perm.EDIT_ARRANGEMENT)
@require_POST
def lesson_publish(request: HttpRequest, access: Access, lesson_uuid: str) -> HttpResponse:
    lesson = selectors.lesson_get(access=access, lesson_uuid=lesson_uuid)
    publish = request.POST.get("publish", "1") != "0"
    try:
        services.lesson_publish(access=access, lesson=lesson, publish=publish)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        if publish and lesson.is_published:
            messages.success(request, f"Lesson published to the future arrangements of {lesson.published_to_names}.")
        elif publish:
            messages.success(
                request, "Your side agrees to publish this lesson. It is published once the other side agrees."
            )
        else:
            messages.success(request, "Lesson withdrawn from every other arrangement.")
    return redirect("lessons:detail", slug=access.arrangement.slug, lesson_uuid=lesson.uuid)
