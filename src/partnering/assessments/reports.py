"""Assessment reports: the results as a PDF to hand to a Gateway review or a board, and as XLSX.

Both read only through `selectors.results`, so they obey the blind rule exactly
as the results page does: before the reveal a member gets their own side's
agreed answers and nothing of the other side's, and the report says so on every
page. Individual respondents' answers never appear: the report is of each
side's agreed view.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from partnering.assessments import selectors
from partnering.assessments.bank_loader import BankSpec
from partnering.assessments.selectors import QuestionRow, Results
from partnering.assessments.verdicts import Gap
from partnering.core import charts, downloads
from partnering.core.choices import Side
from partnering.core.gate import arrangement_page
from partnering.core.pdf import html_to_pdf
from partnering.core.policy import Access, Perm

# -- the report's content, shared by both formats ---------------------------------


@dataclass
class MirrorRow:
    """One question of "how we see ourselves" against "how they see us"."""

    question_id: str
    text: str
    ourselves: str
    they: str
    size: int | None


@dataclass
class Report:
    access: Access
    results: Results
    generated_on: date

    @property
    def assessment(self) -> Any:
        return self.results.assessment

    @property
    def bank(self) -> BankSpec:
        return self.results.bank

    @property
    def arrangement(self) -> Any:
        return self.access.arrangement

    @property
    def own_side_only(self) -> bool:
        return not self.results.complete

    @property
    def blind_notice(self) -> str:
        """Said on every page and sheet of a report made before the reveal."""
        if not self.own_side_only:
            return ""
        shown = " and ".join(sorted(self.results.visible_sides))
        return (
            f"Before the reveal: this report shows only the {shown} side's answers. "
            "The other side's answers stay hidden until both sides have submitted."
        )

    @property
    def unscored(self) -> list[str]:
        """Answers with no score ("Not yet known"): a gap involving one has size 0."""
        return [o.label for o in self.bank.scale.options if o.score is None]

    def is_draft(self, side: str) -> bool:
        """The side's agreed answers are shown but not yet submitted: they may still change."""
        return side in self.results.visible_sides and self.assessment.submitted_at(side) is None

    def label(self, value: str | None) -> str:
        """The scale's wording for a stored answer value ("not_at_all" -> "Not at all")."""
        if not value:
            return ""
        try:
            return self.bank.scale.option(value).label
        except KeyError:
            return value

    def gap_size(self, a: str | None, b: str | None) -> int | None:
        if not a or not b:
            return None
        try:
            sa, sb = self.bank.scale.score(a), self.bank.scale.score(b)
        except KeyError:
            return None
        return abs(sa - sb) if sa is not None and sb is not None else 0

    @property
    def has_other_perspective(self) -> bool:
        return "other" in self.bank.perspectives

    def respondents(self, side: str) -> list[str]:
        return [r.name for r in self.results.respondents if r.side == side]

    def how_agreed(self, side: str) -> str:
        """How the side's lead came to the agreed answers, as it was: never "from its respondents'
        answers" when some had not answered when the side was submitted."""
        people = [r for r in self.results.respondents if r.side == side]
        answered = [r for r in people if r.submitted_at is not None]
        missing = ", ".join(r.name for r in people if r.submitted_at is None)
        if self.assessment.submitted_at(side) is None:
            if not people:
                return "Not submitted yet; no one has been invited to answer."
            return f"Not submitted yet; {len(answered)} of {len(people)} respondents have answered."
        if not people:
            return "The side's lead answered for the side: no one else was invited to answer."
        if len(answered) == len(people):
            return f"The side's lead agreed the side's answers from the individual answers of all {len(people)} respondents."
        if not answered:
            return (
                f"The side's lead submitted the side's answers before any respondent had answered ({missing} had not)."
            )
        return (
            f"The side's lead submitted the side's answers when {len(answered)} of {len(people)} respondents "
            f"had answered; {missing} had not."
        )

    def respondents_answered(self, side: str) -> list[tuple[str, bool]]:
        return [(r.name, r.submitted_at is not None) for r in self.results.respondents if r.side == side]

    @property
    def actions(self) -> list[Any]:
        seen: dict[int, Any] = {}
        for row in self.results.rows:
            for action in row.actions:
                seen.setdefault(action.pk, action)
        return sorted(seen.values(), key=lambda a: (a.due_date or date.max, a.pk))

    def gaps(self) -> list[tuple[Gap, str, str, str]]:
        """Each perception gap with its question's text and both answers in the scale's words."""
        return [
            (g, self.bank.question(g.question_id).text, self.label(g.customer_value), self.label(g.provider_value))
            for g in self.results.gaps
        ]

    def mirror(self, side: str) -> list[MirrorRow]:
        """Every question: the side's own answer against the other side's view of it."""
        if not (self.has_other_perspective and self.results.complete):
            return []
        out = []
        for row in self.results.rows:
            ours, theirs = (
                (row.customer, row.provider_other) if side == Side.CUSTOMER else (row.provider, row.customer_other)
            )
            a, b = _value(ours), _value(theirs)
            out.append(MirrorRow(row.question.id, row.question.text, self.label(a), self.label(b), self.gap_size(a, b)))
        return out

    def verdicts(self) -> list[tuple[str, Any, list[tuple[str, str]], bool]]:
        """(heading, verdict or None if hidden, flagged questions, is a draft) for each side that answers."""
        res, sides = self.results, self.assessment.sides
        out = []
        if len(sides) > 1:
            out.append(("Joint verdict", res.joint, self.flagged(res.joint), False))
        for side, heading, verdict in (
            (Side.CUSTOMER, "Customer's verdict", res.customer_verdict),
            (Side.PROVIDER, "Provider's verdict", res.provider_verdict),
        ):
            if side in sides:
                out.append((heading, verdict, self.flagged(verdict), self.is_draft(side)))
        return out

    def flagged(self, verdict: Any) -> list[tuple[str, str]]:
        if verdict is None:
            return []
        return [(qid, self.bank.question(qid).text) for qid in verdict.flagged]

    def filename(self, extension: str) -> str:
        return f"{self.arrangement.slug}-{self.bank.key}-{self.generated_on.isoformat()}.{extension}"


def _value(answer: Any) -> str:
    return getattr(answer, "value", "") or ""


def _report(access: Access, assessment_uuid: str) -> Report:
    assessment = selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)
    res = selectors.results(access=access, assessment=assessment)
    if not res.visible_sides:
        raise PermissionDenied("Results are hidden until both sides have submitted.")
    return Report(access=access, results=res, generated_on=timezone.localdate())


# -- PDF ------------------------------------------------------------------------------


def _pdf_rows(report: Report) -> list[dict[str, Any]]:
    """Per question, one cell per side: answer, flags, and the side's view of the other party."""
    rows = []
    for row in report.results.rows:
        cells = []
        for side, answer, other, flagged, changed in (
            (Side.CUSTOMER, row.customer, row.customer_other, row.customer_flagged, row.changed_customer),
            (Side.PROVIDER, row.provider, row.provider_other, row.provider_flagged, row.changed_provider),
        ):
            if side not in report.assessment.sides:
                continue  # a single-side bank, such as partner suitability
            cells.append(
                {
                    "side": side,
                    "answer": answer,
                    "label": report.label(_value(answer)),
                    "flagged": flagged,
                    "was": report.label(answer.carried_from) if changed else "",
                    "other": other,
                    "other_label": report.label(_value(other)),
                    "other_party": "provider" if side == Side.CUSTOMER else "customer",
                }
            )
        rows.append({"row": row, "cells": cells})
    return rows


def report_html(report: Report) -> str:
    """The PDF's HTML: everything the PDF says is in here, so tests can read it without a PDF reader."""
    res = report.results
    sides = report.assessment.sides
    context = {
        "report": report,
        "r": res,
        "assessment": report.assessment,
        "arrangement": report.arrangement,
        "rows": _pdf_rows(report),
        "gaps": report.gaps(),
        "mirror": [
            (
                "Customer",
                "How the customer sees itself",
                "How the provider sees the customer",
                report.mirror(Side.CUSTOMER),
            ),
            (
                "Provider",
                "How the provider sees itself",
                "How the customer sees the provider",
                report.mirror(Side.PROVIDER),
            ),
        ]
        if report.mirror(Side.CUSTOMER)
        else [],
        "verdicts": report.verdicts(),
        "columns": [side.capitalize() for side in sides],
        "submitted": [
            ("Customer side submitted", report.assessment.customer_submitted_at, Side.CUSTOMER),
            ("Provider side submitted", report.assessment.provider_submitted_at, Side.PROVIDER),
        ],
        "respondents": [
            (side.capitalize(), org.name, report.respondents_answered(side), report.how_agreed(side))
            for side, org in (
                (Side.CUSTOMER, report.arrangement.customer),
                (Side.PROVIDER, report.arrangement.provider),
            )
            if side in sides
        ],
        "actions": report.actions,
        "chart": charts.answers_chart_print_data_uri(res.bank, res.rows),
    }
    return render_to_string("assessments/report_pdf.html", context)


def render_pdf(report: Report) -> bytes:
    return html_to_pdf(report_html(report))


@arrangement_page(Perm.VIEW)
def report_pdf(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    report = _report(access, assessment_uuid)
    return downloads.attachment(render_pdf(report), report.filename("pdf"), downloads.PDF)


# -- XLSX -----------------------------------------------------------------------------

# Excel treats a cell starting with one of these as a formula when a person edits or
# re-imports it (CSV injection); tab and carriage return are on OWASP's list too.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write one cell so that text is always text, never a formula."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        cell.data_type = "s"  # stored as a string, not a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    elif isinstance(value, date):
        cell.number_format = "d mmmm yyyy"
    return cell


def _sheet(wb: Any, title: str, headers: list[tuple[str, int]], rows: list[list[Any]], *, first: bool = False) -> Any:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, (header, width) in enumerate(headers, start=1):
        _cell(ws, 1, c, header).font = bold
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            _cell(ws, r, c, value).alignment = wrap
    ws.freeze_panes = "A2"
    return ws


def _yes(flag: bool) -> str:
    return "Yes" if flag else ""


def _verdict_rows(label: str, verdict: Any, *, draft: bool = False) -> list[list[Any]]:
    if verdict is None:
        return [[label, "Hidden until both sides have submitted"]]
    return [
        [label, verdict.label + (" (draft: this side has not submitted yet)" if draft else "")],
        [f"{label}: why", verdict.explanation],
        [f"{label}: questions needing attention", ", ".join(verdict.flagged) or "None"],
    ]


def _summary_rows(report: Report) -> list[list[Any]]:
    a, res, arr = report.assessment, report.results, report.arrangement
    rows: list[list[Any]] = []
    if report.blind_notice:
        rows.append(["Note", report.blind_notice])
    rows += [
        ["Arrangement", arr.title],
        ["Customer", arr.customer.name],
        ["Provider", arr.provider.name],
        ["Assessment", a.title],
        ["Question bank", res.bank.title],
        ["Bank key", res.bank.key],
        ["Bank version", res.bank.version],
        ["Source", res.bank.source],
        ["Status", a.get_status_display()],
        ["Started", a.created_at],
        ["Due", a.due_date],
        ["Customer side submitted", a.customer_submitted_at or "Not yet"],
        ["Provider side submitted", a.provider_submitted_at or "Not yet"],
        ["Revealed", a.revealed_at or "Not yet revealed"],
    ]
    for heading, verdict, _flagged, draft in report.verdicts():
        rows += _verdict_rows(heading, verdict, draft=draft)
    rows.append(["Generated by Partnering on", report.generated_on])
    return rows


def _answer_row(report: Report, row: QuestionRow) -> list[Any]:
    def comment(answer: Any) -> str:
        return getattr(answer, "comment", "") or ""

    def evidence(answer: Any) -> str:
        return getattr(answer, "evidence", "") or ""

    return [
        row.question.id,
        row.question.section,
        row.question.text,
        report.label(_value(row.customer)),
        report.label(_value(row.provider)),
        report.label(_value(row.customer_other)),
        report.label(_value(row.provider_other)),
        comment(row.customer),
        comment(row.provider),
        comment(row.customer_other),
        comment(row.provider_other),
        evidence(row.customer),
        evidence(row.provider),
        row.gap.size if row.gap else None,
        _yes(row.customer_flagged),
        _yes(row.provider_flagged),
    ]


def _gap_rows(report: Report) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            "The customer's answer against the provider's",
            g.question_id,
            text,
            customer,
            provider,
            g.size,
            _yes(g.crosses_threshold),
        ]
        for g, text, customer, provider in report.gaps()
    ]
    for side, title in (
        (Side.CUSTOMER, "The customer's view of itself against the provider's view of it"),
        (Side.PROVIDER, "The provider's view of itself against the customer's view of it"),
    ):
        for m in report.mirror(side):
            if m.ourselves and m.they and m.ourselves != m.they:
                rows.append([title, m.question_id, m.text, m.ourselves, m.they, m.size, ""])
    return rows


def render_xlsx(report: Report) -> bytes:
    wb = Workbook()
    _sheet(wb, "Summary", [("Field", 34), ("Value", 100)], _summary_rows(report), first=True)
    _sheet(
        wb,
        "Answers",
        [
            ("Question", 10),
            ("Section", 30),
            ("Question text", 60),
            ("Customer answer", 16),
            ("Provider answer", 16),
            ("Customer's view of the provider", 18),
            ("Provider's view of the customer", 18),
            ("Customer comment", 40),
            ("Provider comment", 40),
            ("Customer comment on the provider", 40),
            ("Provider comment on the customer", 40),
            ("Customer evidence", 30),
            ("Provider evidence", 30),
            ("Gap size", 9),
            ("Customer: needs attention", 14),
            ("Provider: needs attention", 14),
        ],
        [_answer_row(report, row) for row in report.results.rows],
    )
    _sheet(
        wb,
        "Gaps",
        [
            ("Comparison", 44),
            ("Question", 10),
            ("Question text", 60),
            ("First answer", 16),
            ("Second answer", 16),
            ("Gap size", 9),
            ("One side sees a problem", 14),
        ],
        _gap_rows(report),
    )
    _sheet(
        wb,
        "Actions",
        [("Action", 50), ("Raised from", 50), ("Owner", 24), ("Due", 16), ("Status", 14)],
        [
            [a.title, a.source_detail, a.owner.get_full_name() if a.owner else "", a.due_date, a.get_status_display()]
            for a in report.actions
        ],
    )
    _sheet(
        wb,
        "Respondents",
        [("Name", 34), ("Side", 14)],
        [[r.name, r.get_side_display()] for r in report.results.respondents],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@arrangement_page(Perm.VIEW)
def report_xlsx(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    report = _report(access, assessment_uuid)
    return downloads.attachment(render_xlsx(report), report.filename("xlsx"), downloads.XLSX)
