"""KPI pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from partnering.arrangements.forms import validation_to_form
from partnering.core import charts, downloads
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm
from partnering.kpis import importing, rag, selectors, services
from partnering.kpis.forms import KpiForm, MeasurementForm, ProposalForm
from partnering.kpis.models import Kpi, KpiKind, Measurement, Source
from partnering.kpis.periods import period_label
from partnering.kpis.templatetags.kpi_tags import with_unit


def _ctx(access: Access, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "arrangement": access.arrangement,
        "tab": "kpis",
        "can_contribute": access.has(Perm.CONTRIBUTE),
        "is_party": access.side in ("customer", "provider"),
        "rag_rules": rag.explained(),
        "not_assessed": rag.NOT_ASSESSED,
        **extra,
    }


def _to_detail(access: Access, kpi: Kpi) -> HttpResponse:
    return redirect("kpis:detail", slug=access.arrangement.slug, kpi_uuid=kpi.uuid)


@arrangement_page(Perm.VIEW, kept=True)
@require_GET
def kpi_list(request: HttpRequest, access: Access) -> HttpResponse:
    rows = selectors.kpi_rows(access=access)
    return render(
        request,
        "kpis/list.html",
        _ctx(
            access,
            groups=[(label, [r for r in rows if r.kpi.kind == kind]) for kind, label in KpiKind.choices],
            unagreed=sum(1 for r in rows if not r.baseline_agreed),
            total=len(rows),
        ),
    )


@arrangement_page(Perm.CONTRIBUTE)
def kpi_new(request: HttpRequest, access: Access) -> HttpResponse:
    form = KpiForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kpi = services.kpi_create(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"KPI ‘{kpi.name}’ added. Next, propose its baseline and target.")
            return _to_detail(access, kpi)
    return render(request, "kpis/new.html", _ctx(access, form=form))


def _detail(
    request: HttpRequest,
    access: Access,
    kpi: Kpi,
    *,
    baseline_form: ProposalForm | None = None,
    target_form: ProposalForm | None = None,
    measurement_form: MeasurementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = list(selectors.measurements(kpi=kpi)) if not kpi.is_computed else []
    series = selectors.series(access=access, kpi=kpi, rows=rows)
    chart = charts.kpi_chart_data_uri(
        unit=kpi.unit,
        labels=[p.label for p in series.points],
        lines=[(name, [p.values[i] for p in series.points]) for i, name in enumerate(series.names)],
        baseline=kpi.baseline_value,  # type: ignore[attr-defined]
        target=kpi.target_value,  # type: ignore[attr-defined]
    )
    return render(
        request,
        "kpis/detail.html",
        _ctx(
            access,
            kpi=kpi,
            row=selectors.kpi_row(access=access, kpi=kpi),
            series=series,
            measurements=[(m, p.label, p.status) for m, p in zip(rows, series.points, strict=False)][::-1],
            chart=chart,
            baselines=selectors.proposals(kpi=kpi, what="baseline"),
            targets=selectors.proposals(kpi=kpi, what="target"),
            baseline_form=baseline_form or ProposalForm(what="baseline"),
            target_form=target_form or ProposalForm(what="target"),
            measurement_form=measurement_form or MeasurementForm(),
        ),
        status=status,
    )


@arrangement_page(Perm.VIEW)
@require_GET
def kpi_detail(request: HttpRequest, access: Access, kpi_uuid: str) -> HttpResponse:
    return _detail(request, access, selectors.kpi_get(access=access, kpi_uuid=kpi_uuid))


@arrangement_page(Perm.CONTRIBUTE)
def kpi_edit(request: HttpRequest, access: Access, kpi_uuid: str) -> HttpResponse:
    kpi = selectors.kpi_get(access=access, kpi_uuid=kpi_uuid)
    initial = {f: getattr(kpi, f) for f in services.EDITABLE_FIELDS}
    form = KpiForm(request.POST or None, initial=initial, creating=False)
    conflict = None
    version = kpi.version
    if request.method == "POST" and form.is_valid():
        try:
            expected = int(request.POST.get("version", "0"))
        except ValueError:
            expected = 0
        try:
            services.kpi_update(access=access, kpi=kpi, expected_version=expected, changes=form.cleaned_data)
        except EditConflict as exc:
            conflict, version = exc, exc.current.version
            form.add_error(
                None,
                "Someone else changed this KPI while you were editing it. Check what changed "
                "below, then save again if you still want your version.",
            )
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"KPI ‘{kpi.name}’ saved.")
            return _to_detail(access, kpi)
    return render(
        request,
        "kpis/edit.html",
        _ctx(access, kpi=kpi, form=form, conflict=conflict, version=version),
        status=409 if conflict else 200,
    )


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def propose(request: HttpRequest, access: Access, kpi_uuid: str, what: str) -> HttpResponse:
    kpi = selectors.kpi_get(access=access, kpi_uuid=kpi_uuid)
    form = ProposalForm(request.POST, what=what)
    if form.is_valid():
        try:
            services.proposal_make(access=access, kpi=kpi, what=what, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"{what.capitalize()} proposed. The other side can now agree it.")
            return _to_detail(access, kpi)
    return _detail(request, access, kpi, **{f"{what}_form": form})


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def agree(request: HttpRequest, access: Access, kpi_uuid: str, what: str, **uuids: str) -> HttpResponse:
    kpi = selectors.kpi_get(access=access, kpi_uuid=kpi_uuid)
    proposal = selectors.proposal_get(access=access, kpi=kpi, what=what, proposal_uuid=uuids[f"{what}_uuid"])
    try:
        services.proposal_agree(access=access, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{what.capitalize()} of {with_unit(proposal.value, kpi.unit)} agreed.")
    return _to_detail(access, kpi)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def measurement_add(request: HttpRequest, access: Access, kpi_uuid: str) -> HttpResponse:
    kpi = selectors.kpi_get(access=access, kpi_uuid=kpi_uuid)
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            services.measurement_record(access=access, kpi=kpi, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Measurement recorded.")
            return _to_detail(access, kpi)
    return _detail(request, access, kpi, measurement_form=form)


@arrangement_page(Perm.CONTRIBUTE)
def measurement_edit(request: HttpRequest, access: Access, kpi_uuid: str, measurement_uuid: str) -> HttpResponse:
    kpi = selectors.kpi_get(access=access, kpi_uuid=kpi_uuid)
    measurement = selectors.measurement_get(access=access, kpi=kpi, measurement_uuid=measurement_uuid)
    form = MeasurementForm(
        request.POST or None, editing=True, initial={"value": measurement.value, "note": measurement.note}
    )
    conflict = None
    version = measurement.version
    if request.method == "POST" and form.is_valid():
        try:
            expected = int(request.POST.get("version", "0"))
        except ValueError:
            expected = 0
        try:
            services.measurement_update(
                access=access, measurement=measurement, expected_version=expected, **form.cleaned_data
            )
        except EditConflict as exc:
            conflict, version = exc, exc.current.version
            form.add_error(None, "Someone else changed this measurement while you were editing it.")
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Measurement saved.")
            return _to_detail(access, kpi)
    return render(
        request,
        "kpis/measurement.html",
        _ctx(
            access,
            kpi=kpi,
            measurement=measurement,
            label=period_label(kpi.frequency, measurement.period),
            form=form,
            conflict=conflict,
            version=version,
        ),
        status=409 if conflict else 200,
    )


@arrangement_page(Perm.VIEW)
@require_GET
def export_csv(request: HttpRequest, access: Access) -> HttpResponse:
    rows = (
        Measurement.objects.filter(kpi__arrangement=access.arrangement)
        .select_related("kpi")
        .order_by("kpi__name", "period")
        .iterator(chunk_size=2000)
    )
    content = importing.export_csv(rows)
    return downloads.attachment(content, f"{access.arrangement.slug}-kpi-measurements.csv", downloads.CSV)


@arrangement_page(Perm.VIEW)
@require_GET
def template_xlsx(request: HttpRequest, access: Access) -> HttpResponse:
    kpis = selectors.kpis_visible(access=access).filter(source=Source.MEASURED)
    return downloads.attachment(importing.template_xlsx(kpis), "kpi-measurements-template.xlsx", downloads.XLSX)


@arrangement_page(Perm.CONTRIBUTE)
def measurement_import(request: HttpRequest, access: Access) -> HttpResponse:
    return downloads.import_page(
        request,
        run=lambda name, data: importing.measurement_import(access=access, name=name, data=data),
        noun="measurements",
        done_url=reverse("kpis:list", args=[access.arrangement.slug]),
        template="kpis/import.html",
        context=_ctx(access),
    )
