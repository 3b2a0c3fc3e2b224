"""Open-book and incentive pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from partnering.arrangements.forms import validation_to_form
from partnering.core import charts, downloads
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm
from partnering.finance import importing, selectors, services
from partnering.finance.forms import (
    BudgetConstraintForm,
    CostLineForm,
    FinanceProfileForm,
    IncentivePeriodForm,
    MeasureCountForm,
    TermsForm,
    ValueMeasureForm,
)
from partnering.finance.models import Book

PAGE_SIZE = 100


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "finance",
        "keeps_book": access.side in Book.values and access.has(Perm.CONTRIBUTE),
        "is_leader": access.has(Perm.AGREE_OUTCOMES),
        **extra,
    }


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", "0"))
    except ValueError:
        return 0


@arrangement_page(Perm.VIEW)
@require_GET
def books(request: HttpRequest, access: Access) -> HttpResponse:
    summary = selectors.books_summary(access=access, grain=request.GET.get("by", selectors.MONTH))
    labels = [selectors.period_label(p, summary.grain) for p in summary.periods]
    series = [
        (
            b.side,
            str(b.label),
            [b.by_period[p].planned if p in b.by_period else 0 for p in summary.periods],
            [b.by_period[p].actual if p in b.by_period else 0 for p in summary.periods],
        )
        for b in summary.books
    ]
    return render(
        request,
        "finance/books.html",
        _ctx(
            access,
            summary=summary,
            chart=charts.data_uri(charts.books_chart(labels, series, summary.currency)),
            constraints=list(selectors.budget_constraints(access=access)),
            measures=selectors.value_measures(access=access),
            hidden_books=[label for v, label in Book.choices if v not in selectors.books_visible(access=access)],
            open_book=access.openness.get_open_book_display(),
        ),
    )


@arrangement_page(Perm.VIEW)
@require_GET
def lines(request: HttpRequest, access: Access) -> HttpResponse:
    book = request.GET.get("book", "")
    book = book if book in Book.values else ""
    qs = selectors.cost_lines(access=access, book=book)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/lines.html",
        _ctx(
            access,
            page=page,
            book=book,
            books=[(v, label) for v, label in Book.choices if access.sees_book_of(v)],
            currency=selectors.finance_profile(access=access).currency,
        ),
    )


@arrangement_page(Perm.CONTRIBUTE)
def line_new(request: HttpRequest, access: Access) -> HttpResponse:
    services.require_own_book(access, access.side)
    form = CostLineForm(request.POST or None, side=access.side)
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_line_create(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Cost line added to your side's book.")
            return redirect("finance:lines", slug=access.arrangement.slug)
    return render(request, "finance/line_new.html", _ctx(access, form=form))


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def line_detail(request: HttpRequest, access: Access, line_uuid: str) -> HttpResponse:
    line = selectors.cost_line_get(access=access, line_uuid=line_uuid)
    editable = access.side == line.side and access.has(Perm.CONTRIBUTE)
    conflict = None
    status = 200
    if request.method == "POST":
        services.require_own_book(access, line.side)
        form = CostLineForm(request.POST, side=line.side)
        if form.is_valid():
            try:
                services.cost_line_update(
                    access=access, line=line, expected_version=_version(request), changes=form.cleaned_data
                )
            except EditConflict as exc:
                conflict, line, status = exc, exc.current, 409
                form.add_error(None, "Someone else changed this line while you were editing it. Check what changed.")
            except ValidationError as exc:
                validation_to_form(form, exc)
            else:
                messages.success(request, "Cost line saved.")
                return redirect("finance:lines", slug=access.arrangement.slug)
    else:
        form = CostLineForm(initial={f: getattr(line, f) for f in services.COST_LINE_FIELDS}, side=line.side)
    history = list(line.history.order_by("-history_date", "-history_id")[:50])  # type: ignore[attr-defined]
    return render(
        request,
        "finance/line_detail.html",
        _ctx(access, line=line, form=form, editable=editable, conflict=conflict, history=history),
        status=status,
    )


def _export_lines(request: HttpRequest, access: Access) -> Any:
    book = request.GET.get("book", "")
    return selectors.cost_lines(access=access, book=book if book in Book.values else "").iterator(chunk_size=2000)


@arrangement_page(Perm.VIEW)
@require_GET
def export_xlsx(request: HttpRequest, access: Access) -> HttpResponse:
    return downloads.attachment(
        importing.export_xlsx(_export_lines(request, access)), f"{access.arrangement.slug}-books.xlsx", downloads.XLSX
    )


@arrangement_page(Perm.VIEW)
@require_GET
def export_csv(request: HttpRequest, access: Access) -> HttpResponse:
    content = importing.export_csv(_export_lines(request, access))
    return downloads.attachment(content, f"{access.arrangement.slug}-books.csv", downloads.CSV)


@arrangement_page(Perm.VIEW)
@require_GET
def template_xlsx(request: HttpRequest, access: Access) -> HttpResponse:
    return downloads.attachment(importing.template_xlsx(), "open-book-template.xlsx", downloads.XLSX)


@arrangement_page(Perm.CONTRIBUTE)
def line_import(request: HttpRequest, access: Access) -> HttpResponse:
    services.require_own_book(access, access.side)
    return downloads.import_page(
        request,
        run=lambda name, data: importing.cost_line_import(access=access, name=name, data=data),
        noun="lines",
        done_url=reverse("finance:lines", args=[access.arrangement.slug]),
        template="finance/import.html",
        context=_ctx(access),
    )


@arrangement_page(Perm.CONTRIBUTE)
def constraint_new(request: HttpRequest, access: Access) -> HttpResponse:
    services.require_own_book(access, Book.CUSTOMER)
    form = BudgetConstraintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_constraint_add(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Budgetary constraint added to the customer's book.")
            return redirect("finance:books", slug=access.arrangement.slug)
    return render(request, "finance/constraint_new.html", _ctx(access, form=form))


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def measures(request: HttpRequest, access: Access) -> HttpResponse:
    visible = selectors.books_visible(access=access)
    views = selectors.value_measures(access=access)
    choices = [(str(v.measure.uuid), v.measure.name) for v in views]
    measure_form = ValueMeasureForm(None, books=visible, prefix="measure")
    count_form = MeasureCountForm(None, measures=choices, prefix="count")
    if request.method == "POST":
        if "measure-name" in request.POST:
            measure_form = ValueMeasureForm(request.POST, books=visible, prefix="measure")
            form: Any = measure_form
            if form.is_valid():
                try:
                    services.value_measure_add(access=access, **form.cleaned_data)
                except ValidationError as exc:
                    validation_to_form(form, exc)
                else:
                    messages.success(request, "Measure added.")
                    return redirect("finance:measures", slug=access.arrangement.slug)
        else:
            count_form = MeasureCountForm(request.POST, measures=choices, prefix="count")
            if count_form.is_valid():
                data = count_form.cleaned_data
                measure = next(v.measure for v in views if str(v.measure.uuid) == data["measure"])
                try:
                    services.measure_count_set(
                        access=access, measure=measure, period=data["period"], units=data["units"]
                    )
                except ValidationError as exc:
                    validation_to_form(count_form, exc)
                else:
                    messages.success(request, "Units recorded.")
                    return redirect("finance:measures", slug=access.arrangement.slug)
    return render(
        request,
        "finance/measures.html",
        _ctx(
            access,
            measures=views,
            measure_form=measure_form,
            count_form=count_form,
            currency=selectors.finance_profile(access=access).currency,
        ),
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.EDIT_ARRANGEMENT)
def settings(request: HttpRequest, access: Access) -> HttpResponse:
    profile = selectors.finance_profile(access=access)
    form = FinanceProfileForm(
        request.POST or None, initial={"currency": profile.currency, "joint_budget": profile.joint_budget}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.finance_profile_ensure(arrangement=access.arrangement)
            services.finance_profile_update(access=access, expected_version=_version(request), **form.cleaned_data)
        except EditConflict as exc:
            conflict = exc
            form.add_error(None, "Someone else changed these settings while you were editing them.")
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Finance settings saved.")
            return redirect("finance:books", slug=access.arrangement.slug)
    return render(
        request,
        "finance/settings.html",
        _ctx(
            access,
            form=form,
            version=(conflict.current.version if conflict else profile.version),
            can_edit=access.has(Perm.EDIT_ARRANGEMENT),
        ),
        status=409 if conflict else 200,
    )


# -- incentives ----------------------------------------------------------------------


@arrangement_page(Perm.VIEW, write_perm=Perm.AGREE_OUTCOMES)
def incentives(request: HttpRequest, access: Access) -> HttpResponse:
    form = TermsForm(request.POST or None, initial=_DEFAULT_TERMS)
    if request.method == "POST" and form.is_valid():
        try:
            services.incentive_propose(access=access, terms=form.terms(), reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Mechanism proposed. It comes into force when the SRO and the SRIE both agree.")
            return redirect("finance:incentives", slug=access.arrangement.slug)
    return render(
        request,
        "finance/incentives.html",
        _ctx(
            access,
            mechanisms=list(selectors.mechanisms(access=access)),
            pending=list(selectors.proposals(access=access, pending_only=True)),
            form=form,
        ),
    )


_DEFAULT_TERMS = {
    "basis": "cost",
    "customer_gain_pct": 50,
    "provider_gain_pct": 50,
    "customer_pain_pct": 50,
    "provider_pain_pct": 50,
}


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def incentive_detail(request: HttpRequest, access: Access, mechanism_uuid: str) -> HttpResponse:
    mechanism = selectors.mechanism_get(access=access, mechanism_uuid=mechanism_uuid)
    period_form = IncentivePeriodForm(request.POST or None, prefix="period")
    if request.method == "POST" and period_form.is_valid():
        try:
            services.incentive_period_set(access=access, mechanism=mechanism, **period_form.cleaned_data)
        except (ValidationError, EditConflict) as exc:
            if isinstance(exc, ValidationError):
                validation_to_form(period_form, exc)
            else:
                period_form.add_error(None, str(exc))
        else:
            messages.success(request, "Period recorded.")
            return redirect("finance:incentive", slug=access.arrangement.slug, mechanism_uuid=mechanism.uuid)
    rows = selectors.mechanism_periods(mechanism=mechanism)
    total, customer, provider = selectors.mechanism_totals(rows)
    currency = selectors.finance_profile(access=access).currency
    labels = [f"{r.period.period:%b %Y}" for r in rows]
    chart = charts.gainshare_chart(
        labels, [r.shares.customer for r in rows], [r.shares.provider for r in rows], currency
    )
    return render(
        request,
        "finance/incentive_detail.html",
        _ctx(
            access,
            mechanism=mechanism,
            rows=rows,
            totals=(total, customer, provider),
            chart=charts.data_uri(chart),
            currency=currency,
            period_form=period_form,
            terms_form=TermsForm(initial=mechanism.terms_dict(), prefix="terms"),
            pending=list(selectors.proposals(access=access, pending_only=True).filter(mechanism=mechanism)),
            history=selectors.mechanism_history(mechanism=mechanism),
        ),
    )


@arrangement_page(Perm.AGREE_OUTCOMES)
@require_POST
def incentive_change(request: HttpRequest, access: Access, mechanism_uuid: str) -> HttpResponse:
    mechanism = selectors.mechanism_get(access=access, mechanism_uuid=mechanism_uuid)
    form = TermsForm(request.POST, prefix="terms")
    if form.is_valid():
        try:
            services.incentive_propose(
                access=access, mechanism=mechanism, terms=form.terms(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Change proposed. It comes into force when the SRO and the SRIE both agree.")
    else:
        messages.error(
            request,
            "The proposed terms are not complete: "
            + "; ".join(
                f"{form.fields[name].label if name in form.fields else ''} {' '.join(errors)}".strip()
                for name, errors in form.errors.items()
            ),
        )
    return redirect("finance:incentive", slug=access.arrangement.slug, mechanism_uuid=mechanism.uuid)


def _after_proposal(access: Access, proposal: Any) -> HttpResponse:
    if proposal.mechanism_id:
        return redirect("finance:incentive", slug=access.arrangement.slug, mechanism_uuid=proposal.mechanism.uuid)
    return redirect("finance:incentives", slug=access.arrangement.slug)


@arrangement_page(Perm.AGREE_OUTCOMES)
@require_POST
def proposal_agree(request: HttpRequest, access: Access, proposal_uuid: str) -> HttpResponse:
    proposal = selectors.proposal_get(access=access, proposal_uuid=proposal_uuid)
    try:
        proposal = services.incentive_agree(access=access, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Agreed: the terms are in force." if proposal.status == "agreed" else "Your agreement is recorded."
        )
    return _after_proposal(access, proposal)


@arrangement_page(Perm.AGREE_OUTCOMES)
@require_POST
def proposal_withdraw(request: HttpRequest, access: Access, proposal_uuid: str) -> HttpResponse:
    proposal = selectors.proposal_get(access=access, proposal_uuid=proposal_uuid)
    try:
        services.incentive_withdraw(access=access, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Proposal withdrawn.")
    return _after_proposal(access, proposal)
