"""Risk register pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from partnering.actions.forms import ActionForm
from partnering.arrangements.forms import validation_to_form
from partnering.core import downloads
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm
from partnering.risks import importing, scoring, selectors, services
from partnering.risks.forms import CommentForm, FilterForm, RiskForm
from partnering.risks.models import Risk

PAGE_SIZE = 50


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "risks",
        "can_contribute": access.has(Perm.CONTRIBUTE),
        **extra,
    }


@arrangement_page(Perm.VIEW, kept=True)
@require_GET
def register(request: HttpRequest, access: Access) -> HttpResponse:
    filters = selectors.RegisterFilters.from_query(request.GET, access=access)
    risks = selectors.risk_register(access=access, filters=filters)
    page = Paginator(selectors.register_page(risks, access=access), PAGE_SIZE).get_page(request.GET.get("page"))
    owners = selectors.owner_choices(access=access)
    filter_form = FilterForm(request.GET or None, owners=owners)
    filter_form.is_valid()
    sort_key = filters.sort.lstrip("-")
    columns = [
        ("reference", "Reference"),
        ("title", "Risk"),
        ("category", "Category"),
        ("owner", "Owner"),
        ("score", "Score and rating"),
        ("review", "Next review"),
        ("status", "Status"),
    ]
    headers = []
    for key, label in columns:
        current = sort_key == key
        descending = current and filters.sort.startswith("-")
        headers.append(
            {
                "label": label,
                "query": filters.as_query(sort=(key if descending or not current else f"-{key}")),
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
            }
        )
    return render(
        request,
        "risks/register.html",
        _ctx(
            access,
            page=page,
            filters=filters,
            filter_form=filter_form,
            headers=headers,
            page_query=filters.as_query(sort=filters.sort if filters.sort != selectors.DEFAULT_SORT else ""),
            export_query=filters.as_query(),
            heat=selectors.heat_map(risks),
            bands=scoring.band_description(),
            today=timezone.localdate(),
            private_allowed=services.may_keep_private_risks(access),
        ),
    )


@arrangement_page(Perm.CONTRIBUTE)
def risk_new(request: HttpRequest, access: Access) -> HttpResponse:
    allow_private = services.may_keep_private_risks(access)
    form = RiskForm(request.POST or None, access=access, allow_private=allow_private)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"Risk {risk.reference} added to the register.")
            return redirect("risks:detail", slug=access.arrangement.slug, risk_uuid=risk.uuid)
    return render(request, "risks/new.html", _ctx(access, form=form, allow_private=allow_private))


def _detail(
    request: HttpRequest,
    access: Access,
    risk: Risk,
    *,
    form: RiskForm | None = None,
    action_form: ActionForm | None = None,
    comment_form: CommentForm | None = None,
    conflict: EditConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        initial = {f: getattr(risk, f) for f in services.EDITABLE_FIELDS}
        form = RiskForm(initial=initial, access=access, creating=False)
    return render(
        request,
        "risks/detail.html",
        _ctx(
            access,
            risk=risk,
            form=form,
            action_form=action_form or ActionForm(access=access, with_status=False, prefix="action"),
            comment_form=comment_form or CommentForm(prefix="comment"),
            conflict=conflict,
            version=(conflict.current.version if conflict else risk.version),
            actions=list(selectors.risk_actions(access=access, risk=risk)),
            comments=list(selectors.risk_comments(risk=risk)),
            history=selectors.risk_history(risk=risk),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def risk_detail(request: HttpRequest, access: Access, risk_uuid: str) -> HttpResponse:
    risk = selectors.risk_get(access=access, risk_uuid=risk_uuid)
    if request.method != "POST":
        return _detail(request, access, risk)
    form = RiskForm(request.POST, access=access, creating=False)
    if form.is_valid():
        try:
            version = int(request.POST.get("version", "0"))
        except ValueError:
            version = 0
        try:
            services.risk_update(access=access, risk=risk, expected_version=version, changes=form.cleaned_changes())
        except EditConflict as exc:
            form.add_error(
                None,
                "Someone else changed this risk while you were editing it. Check what changed "
                "below, then save again if you still want your version.",
            )
            return _detail(request, access, exc.current, form=form, conflict=exc, status=409)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"Risk {risk.reference} saved.")
            return redirect("risks:detail", slug=access.arrangement.slug, risk_uuid=risk.uuid)
    return _detail(request, access, selectors.risk_get(access=access, risk_uuid=risk_uuid), form=form)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def risk_share(request: HttpRequest, access: Access, risk_uuid: str) -> HttpResponse:
    risk = selectors.risk_get(access=access, risk_uuid=risk_uuid)
    if risk.is_private:
        private_reference = risk.reference
        services.risk_share(access=access, risk=risk)
        messages.success(
            request,
            f"Risk {private_reference} is now shared with both sides, as {risk.reference} "
            "(the next number of the shared register).",
        )
    return redirect("risks:detail", slug=access.arrangement.slug, risk_uuid=risk.uuid)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def risk_action_add(request: HttpRequest, access: Access, risk_uuid: str) -> HttpResponse:
    risk = selectors.risk_get(access=access, risk_uuid=risk_uuid)
    form = ActionForm(request.POST, access=access, with_status=False, prefix="action")
    if form.is_valid():
        try:
            services.risk_action_add(access=access, risk=risk, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Mitigation action added.")
            return redirect("risks:detail", slug=access.arrangement.slug, risk_uuid=risk.uuid)
    return _detail(request, access, risk, action_form=form)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def risk_comment_add(request: HttpRequest, access: Access, risk_uuid: str) -> HttpResponse:
    risk = selectors.risk_get(access=access, risk_uuid=risk_uuid)
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.risk_comment_add(access=access, risk=risk, text=form.cleaned_data["text"])
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Comment added.")
            return redirect("risks:detail", slug=access.arrangement.slug, risk_uuid=risk.uuid)
    return _detail(request, access, risk, comment_form=form)


def _export_risks(request: HttpRequest, access: Access) -> Any:
    filters = selectors.RegisterFilters.from_query(request.GET, access=access)
    return selectors.risk_register(access=access, filters=filters).iterator(chunk_size=2000)


@arrangement_page(Perm.VIEW)
@require_GET
def export_xlsx(request: HttpRequest, access: Access) -> HttpResponse:
    content = importing.export_xlsx(_export_risks(request, access))
    return downloads.attachment(content, f"{access.arrangement.slug}-risks.xlsx", downloads.XLSX)


@arrangement_page(Perm.VIEW)
@require_GET
def export_csv(request: HttpRequest, access: Access) -> HttpResponse:
    content = importing.export_csv(_export_risks(request, access))
    return downloads.attachment(content, f"{access.arrangement.slug}-risks.csv", downloads.CSV)


@arrangement_page(Perm.VIEW)
@require_GET
def template_xlsx(request: HttpRequest, access: Access) -> HttpResponse:
    return downloads.attachment(importing.template_xlsx(), "risk-register-template.xlsx", downloads.XLSX)


@arrangement_page(Perm.CONTRIBUTE)
def risk_import(request: HttpRequest, access: Access) -> HttpResponse:
    return downloads.import_page(
        request,
        run=lambda name, data: importing.risk_import(access=access, name=name, data=data),
        noun="risks",
        done_url=reverse("risks:register", args=[access.arrangement.slug]),
        template="risks/import.html",
        context=_ctx(access),
    )
