"""Procurement Act pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from partnering.arrangements.forms import validation_to_form
from partnering.core import downloads
from partnering.core.choices import Role
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm
from partnering.kpis.selectors import kpi_get
from partnering.procurement import due, notice, ratings, records, selectors, services
from partnering.procurement.forms import (
    AssessmentStartForm,
    ContractFactsForm,
    IssueForm,
    PublicationForm,
    RatingForm,
    ResponseForm,
)
from partnering.procurement.models import AssessmentStatus, PerformanceAssessment


def _is_customer_manager(access: Access) -> bool:
    return access.is_customer and access.has(Perm.EDIT_ARRANGEMENT)


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "procurement",
        "customer_manager": _is_customer_manager(access),
        "threshold": due.THRESHOLD,
        "minimum": due.MINIMUM_KPIS,
        **extra,
    }


def _to_overview(access: Access) -> HttpResponse:
    return redirect("procurement:overview", slug=access.arrangement.slug)


def _to_assessment(access: Access, assessment: PerformanceAssessment) -> HttpResponse:
    return redirect("procurement:assessment", slug=access.arrangement.slug, assessment_uuid=assessment.uuid)


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@arrangement_page(Perm.VIEW)
@require_GET
def overview(request: HttpRequest, access: Access) -> HttpResponse:
    return render(
        request,
        "procurement/overview.html",
        _ctx(
            access,
            duty=selectors.duty(access=access),
            kpis=selectors.kpi_choices(access=access),
            assessments=list(selectors.assessment_list(access=access)),
            issues=list(selectors.issues_visible(access=access)),
            rating_rules=ratings.explained(),
        ),
    )


@arrangement_page(Perm.EDIT_ARRANGEMENT)
def facts_edit(request: HttpRequest, access: Access) -> HttpResponse:
    if not access.is_customer:
        raise PermissionDenied("Only the customer side's managers keep the contract facts.")
    facts = selectors.facts_get(access=access)
    initial = (
        {f: getattr(facts, f) for f in services.FACT_FIELDS} if facts else {"regime": "pa2023", "exemption": "none"}
    )
    form = ContractFactsForm(request.POST or None, initial=initial)
    version = facts.version if facts else 0
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            expected = int(request.POST.get("version", "0"))
        except ValueError:
            expected = -1
        try:
            services.contract_facts_save(access=access, expected_version=expected, values=form.cleaned_data)
        except EditConflict as exc:
            conflict, version = exc, exc.current.version
            form.add_error(None, "Someone else changed the contract facts while you were editing them.")
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Contract facts saved.")
            return _to_overview(access)
    return render(
        request,
        "procurement/facts_edit.html",
        _ctx(access, form=form, version=version, conflict=conflict),
        status=409 if conflict else 200,
    )


@arrangement_page(Perm.EDIT_ARRANGEMENT)
@require_POST
def kpi_publish(request: HttpRequest, access: Access, kpi_uuid: str, publish: bool) -> HttpResponse:
    kpi = kpi_get(access=access, kpi_uuid=kpi_uuid)
    try:
        if publish:
            services.kpi_publish(access=access, kpi=kpi)
        else:
            services.kpi_unpublish(access=access, kpi=kpi)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        done = "marked as one of the contract's published KPIs" if publish else "taken off the published KPIs"
        messages.success(request, f"‘{kpi.name}’ {done}.")
    return _to_overview(access)


@arrangement_page(Perm.EDIT_ARRANGEMENT)
def assessment_new(request: HttpRequest, access: Access) -> HttpResponse:
    if not access.is_customer:
        raise PermissionDenied("The customer drafts the contract performance assessment.")
    form = AssessmentStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_start(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Assessment started. Each published KPI has a suggested rating: rate each one.")
            return _to_assessment(access, assessment)
    return render(request, "procurement/assessment_new.html", _ctx(access, form=form))


def _assessment_page(
    request: HttpRequest, access: Access, assessment: PerformanceAssessment, *, status: int = 200, **forms: Any
) -> HttpResponse:
    rows = selectors.ratings_for(access=access, assessment=assessment)
    editable = _is_customer_manager(access) and assessment.is_editable
    rating_forms = {
        r.pk: forms.get(f"rating_{r.pk}")
        or RatingForm(prefix=f"r{r.pk}", initial={"rating": r.rating or r.suggested, "reason": r.reason})
        for r in rows
    }
    return render(
        request,
        "procurement/assessment.html",
        _ctx(
            access,
            assessment=assessment,
            rows=[(r, rating_forms[r.pk]) for r in rows],
            general=selectors.responses_general(assessment=assessment),
            issues=list(selectors.issues_visible(access=access).filter(assessment=assessment)),
            editable=editable,
            can_respond=access.is_provider
            and access.has(Perm.CONTRIBUTE)
            and assessment.status == AssessmentStatus.SHARED,
            can_approve=access.is_customer
            and Role.SRO in access.roles
            and assessment.status == AssessmentStatus.SHARED,
            can_record=_is_customer_manager(access) and assessment.status == AssessmentStatus.APPROVED,
            response_form=forms.get("response_form") or ResponseForm(),
            publication_form=forms.get("publication_form") or PublicationForm(),
            rating_rules=ratings.explained(),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW)
@require_GET
def assessment_detail(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    return _assessment_page(request, access, selectors.assessment_get(access=access, assessment_uuid=assessment_uuid))


@arrangement_page(Perm.EDIT_ARRANGEMENT)
@require_POST
def rating_set(request: HttpRequest, access: Access, assessment_uuid: str, rating_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    rating = selectors.rating_get(access=access, assessment=assessment, rating_uuid=rating_uuid)
    form = RatingForm(request.POST, prefix=f"r{rating.pk}")
    if form.is_valid():
        try:
            services.rating_set(
                access=access, rating=rating, value=form.cleaned_data["rating"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"Rating of ‘{rating.kpi.name}’ saved.")
            return _to_assessment(access, assessment)
    return _assessment_page(request, access, assessment, status=400, **{f"rating_{rating.pk}": form})


@arrangement_page(Perm.EDIT_ARRANGEMENT)
@require_POST
def assessment_share(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    try:
        services.assessment_share(access=access, assessment=assessment)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Shared with the provider: they can now read it and respond.")
    return _to_assessment(access, assessment)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def response_add(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    rating = None
    if request.POST.get("rating"):
        try:
            rating = selectors.rating_get(access=access, assessment=assessment, rating_uuid=request.POST["rating"])
        except ValidationError:  # not a UUID
            rating = None
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            services.response_add(access=access, assessment=assessment, rating=rating, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Your response is recorded with the assessment.")
            return _to_assessment(access, assessment)
    return _assessment_page(request, access, assessment, status=400, response_form=form)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def assessment_approve(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    try:
        services.assessment_approve(access=access, assessment=assessment)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Approved. The notice is ready to publish on the platform.")
    return _to_assessment(access, assessment)


@arrangement_page(Perm.EDIT_ARRANGEMENT)
@require_POST
def publication_record(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    form = PublicationForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_record_publication(access=access, assessment=assessment, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Publication recorded. The next notice's due date counts from it.")
            return _to_assessment(access, assessment)
    return _assessment_page(request, access, assessment, status=400, publication_form=form)


@arrangement_page(Perm.VIEW)
@require_GET
def notice_preview(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    record = records.build(access=access, assessment=assessment)
    return render(request, "procurement/notice.html", _ctx(access, assessment=assessment, record=record))


def _filename(access: Access, assessment: PerformanceAssessment, ext: str) -> str:
    return f"{access.arrangement.slug}-contract-performance-{assessment.period_end:%Y-%m-%d}.{ext}"


@arrangement_page(Perm.VIEW)
@require_GET
def notice_json(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    content = notice.build(access=access, assessment=assessment).as_json().encode()
    return downloads.attachment(content, _filename(access, assessment, "json"), "application/json")


@arrangement_page(Perm.VIEW)
@require_GET
def record_xlsx(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    content = records.xlsx(records.build(access=access, assessment=assessment))
    return downloads.attachment(content, _filename(access, assessment, "xlsx"), downloads.XLSX)


@arrangement_page(Perm.VIEW)
@require_GET
def record_pdf(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    content = records.pdf(records.build(access=access, assessment=assessment))
    return downloads.attachment(content, _filename(access, assessment, "pdf"), downloads.PDF)


@arrangement_page(Perm.EDIT_ARRANGEMENT)
def issue_new(request: HttpRequest, access: Access) -> HttpResponse:
    if not access.is_customer:
        raise PermissionDenied("The customer records breaches and performance failures.")
    open_ = (
        selectors.assessments_visible(access=access)
        .filter(status__in=[AssessmentStatus.DRAFT, AssessmentStatus.SHARED])
        .first()
    )
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.issue_add(access=access, assessment=open_, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(
                request, "Recorded, for the customer only. Tell the provider before the notice carries it."
            )
            return _to_overview(access)
    return render(request, "procurement/issue_new.html", _ctx(access, form=form, open_assessment=open_))


@arrangement_page(Perm.EDIT_ARRANGEMENT)
@require_POST
def issue_tell(request: HttpRequest, access: Access, issue_uuid: str) -> HttpResponse:
    issue = selectors.issue_get(access=access, issue_uuid=issue_uuid)
    try:
        services.issue_tell_provider(access=access, issue=issue)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "The provider's leads have been told by e-mail, and can now see it.")
    return _to_overview(access)
