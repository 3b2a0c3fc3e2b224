"""The assessment's record for the file: XLSX and PDF, holding what one reader may see.

Both are built from the same `Record` as the preview page: the member's own
view through the selectors, so a provider's copy never holds a draft or a
breach they have not been told of.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from partnering.core.importing import safe_cell
from partnering.core.pdf import html_to_pdf
from partnering.core.policy import Access
from partnering.procurement import notice, selectors
from partnering.procurement.models import KpiRating, PerformanceAssessment, PerformanceIssue, ProviderResponse


@dataclass
class Record:
    access: Access
    assessment: PerformanceAssessment
    notice: notice.Notice
    ratings: list[KpiRating]
    general: list[ProviderResponse]
    issues: list[PerformanceIssue]
    generated_on: date

    @property
    def arrangement(self) -> Any:
        return self.access.arrangement

    @property
    def performance(self) -> dict[str, Any]:
        return self.notice.release["contracts"][0]["implementation"]["contractPerformance"]


def build(*, access: Access, assessment: PerformanceAssessment) -> Record:
    ratings = selectors.ratings_for(access=access, assessment=assessment)
    return Record(
        access=access,
        assessment=assessment,
        notice=notice.build(access=access, assessment=assessment),
        ratings=ratings,
        general=selectors.responses_general(assessment=assessment),
        issues=list(selectors.issues_visible(access=access).filter(assessment=assessment)),
        generated_on=timezone.localdate(),
    )


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))
    return value


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]], *, first: bool = False) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_value(v) for v in row])
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = 24


def xlsx(record: Record) -> bytes:
    a = record.assessment
    wb = Workbook()
    _sheet(
        wb,
        "Assessment",
        ["Field", "Value"],
        [
            ["Arrangement", record.arrangement.title],
            ["Customer", record.arrangement.customer.name],
            ["Provider", record.arrangement.provider.name],
            ["Kind", a.get_kind_display()],
            ["Period from", a.period_start],
            ["Period to", a.period_end],
            ["Status", a.get_status_display()],
            ["Overall comments", a.summary],
            ["Shared with the provider", a.shared_at],
            ["Approved by", a.approved_by.get_full_name() if a.approved_by else ""],
            ["Approved on", a.approved_at],
            ["Published on the platform", a.published_on],
            ["Notice identifier on the platform", a.platform_notice_id],
            ["Generated on", record.generated_on],
        ],
        first=True,
    )
    _sheet(
        wb,
        "Ratings",
        ["KPI", "Unit", "Suggested rating", "Rating", "Reasons", "Measurements in the period"],
        [
            [
                r.kpi.name,
                r.kpi.unit,
                r.get_suggested_display(),
                r.get_rating_display() if r.rating else "Not rated",
                r.reason,
                len(r.evidence),
            ]
            for r in record.ratings
        ],
    )
    _sheet(
        wb,
        "Measurements",
        ["KPI", "Period", "Value"],
        [[r.kpi.name, date.fromisoformat(p), float(v)] for r in record.ratings for p, v in r.evidence],
    )
    responses = [(r.kpi.name, x) for r in record.ratings for x in r.responses.all()] + [
        ("The assessment as a whole", x) for x in record.general
    ]
    _sheet(
        wb,
        "Provider's responses",
        ["About", "Stance", "Response", "By", "On"],
        [
            [about, x.get_stance_display(), x.text, x.author.get_full_name() if x.author else "", x.created_at]
            for about, x in responses
        ],
    )
    _sheet(
        wb,
        "Breaches and failures",
        ["Kind", "Happened on", "Description", "Provider told on"],
        [[i.get_kind_display(), i.occurred_on, i.description, i.provider_told_at] for i in record.issues],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf_html(record: Record) -> str:
    """The PDF's HTML: everything the PDF says is in here, so tests can read it without a PDF reader."""
    return render_to_string("procurement/record_pdf.html", {"record": record, "assessment": record.assessment})


def pdf(record: Record) -> bytes:
    return html_to_pdf(pdf_html(record))
