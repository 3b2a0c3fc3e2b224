"""Every main page at 320 and 1280 CSS px: no page-level horizontal scroll, axe-core clean.

WCAG 2.2 success criterion 1.4.10 (Reflow): content is read at 320 CSS px without scrolling in two
directions; a data table may scroll inside its own labelled, focusable region (`{% scrolling %}`).
One live server, one browser, one signed-in person (alice, the customer SRO, who sees every
section), one list of pages: cheap enough to run with every change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from .axe import assert_accessible

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)
# The innermost elements that stick out past the page's right edge: what to fix when a page is too wide.
CULPRITS = """() => {
  const edge = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > edge + 0.5);
  return out.filter(el => !out.some(other => other !== el && el.contains(other))).slice(0, 3)
    .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${el.innerText.slice(0, 40)}"`);
}"""


def _populate(world) -> dict[str, str]:  # noqa: ANN001
    """A record of each kind the main pages list, and the URLs of the pages to visit."""
    from partnering.actions.services import action_create
    from partnering.assessments.tests.test_services import agree_all, invite, start, submit_side
    from partnering.concerns.services import concern_raise
    from partnering.kpis.services import kpi_create
    from partnering.risks.services import risk_create

    alice = world.access(world.alice)
    today = timezone.localdate()
    revealed = start(world, "annex-a")
    for lead in (world.alice, world.bob):
        agree_all(world, revealed, lead, "yes")
        submit_side(world, revealed, lead)
    collecting = start(world, "annex-b", due_date=today + timedelta(days=5))
    invite(world, collecting, world.alice, world.carol)
    risk = risk_create(
        access=alice,
        title="Key people leave during the transition to the new service desk",
        owning_side="customer",
        likelihood=4,
        impact=5,
        owner=world.alice,
    )
    action_create(access=alice, title="Agree the exit plan", owner=world.alice, due_date=today - timedelta(days=2))
    concern = concern_raise(
        access=alice, title="Invoices late", description="d", impact="i", other_side_view="They see it as minor."
    )
    kpi = kpi_create(access=alice, name="First-time resolution", unit="%")
    a = f"/arrangements/{world.arrangement.slug}/"
    pages = [
        "/",
        "/arrangements/",
        "/actions/",
        "/banks/",
        "/accounts/settings/",
        a,
        f"{a}members/",
        f"{a}people/peers/",
        f"{a}openness/",
        f"{a}assessments/",
        f"{a}assessments/{revealed.uuid}/",
        f"{a}assessments/{revealed.uuid}/results/",
        f"{a}assessments/{collecting.uuid}/answer/",
        f"{a}assessments/{collecting.uuid}/side/",
        f"{a}risks/",
        f"{a}risks/{risk.uuid}/",
        f"{a}charter/",
        f"{a}board/",
        f"{a}concerns/",
        f"{a}concerns/{concern.uuid}/",
        f"{a}actions/",
        f"{a}kpis/",
        f"{a}kpis/{kpi.uuid}/",
        f"{a}finance/",
        f"{a}warnings/",
        f"{a}lessons/",
        f"{a}exit/",
        f"{a}gateway/",
        f"{a}history/",
    ]
    return pages


def _populate_the_rest(world) -> list[str]:  # noqa: ANN001
    """The other pages the demo logins reach: forms, detail pages and the less used sections.

    Pages that only take a POST (adding an outcome, proposing a baseline, inviting the provider's
    lead) are not here: they are forms on the pages above. Downloads (PDF, XLSX, CSV) are not pages.
    """
    from partnering.actions.services import action_create
    from partnering.arrangements.models import Membership
    from partnering.assessments.tests.test_services import agree_all, start, submit_side
    from partnering.board.services import decision_add, meeting_create
    from partnering.finance.services import cost_line_create
    from partnering.kpis.services import kpi_create
    from partnering.lessons.services import lesson_create

    alice = world.access(world.alice)
    today = timezone.localdate()
    world.alice.is_portfolio_manager = True
    world.alice.save(update_fields=["is_portfolio_manager"])
    revealed = start(world, "annex-a")
    for lead in (world.alice, world.bob):
        agree_all(world, revealed, lead, "yes")
        submit_side(world, revealed, lead)
    action = action_create(access=alice, title="Agree the exit plan", owner=world.alice, due_date=today)
    kpi = kpi_create(access=alice, name="First-time resolution", unit="%")
    meeting = meeting_create(access=alice, title="Quarterly board", held_on=today, attendees=[world.alice, world.bob])
    decision = decision_add(access=alice, meeting=meeting, title="Adopt the new escalation ladder")
    lesson = lesson_create(
        access=alice, title="Agree baselines early", what_happened="Months lost", lesson="Agree them at award"
    )
    line = cost_line_create(
        access=alice, period=today.replace(day=1), category="staff", description="Service desk", planned=1000
    )
    carol = Membership.objects.get(arrangement=world.arrangement, user=world.carol)
    procurement = _a_contract_performance_assessment(world, kpi)
    a = f"/arrangements/{world.arrangement.slug}/"
    return [
        "/arrangements/new/",
        "/arrangements/invitations/",
        "/portfolio/",
        "/lessons/",
        f"/lessons/{lesson.uuid}/",
        "/accessibility/",
        "/accounts/two-factor/",
        "/accounts/settings/reminders/",
        "/banks/annex-a/v1/",
        f"{a}edit/",
        f"{a}stage/",
        f"{a}members/handover/",
        f"{a}members/{carol.uuid}/",
        f"{a}people/changes/",
        f"{a}assessments/trend/annex-a/",
        f"{a}assessments/pulse/new/",
        f"{a}assessments/{revealed.uuid}/questions/A1/action/",
        f"{a}actions/{action.uuid}/",
        f"{a}actions/{action.uuid}/discussion/",
        f"{a}risks/new/",
        f"{a}risks/import/",
        f"{a}charter/edit/",
        f"{a}charter/compare/",
        f"{a}charter/workshops/new/",
        f"{a}board/members/",
        f"{a}board/decisions/",
        f"{a}board/decisions/{decision.uuid}/",
        f"{a}board/meetings/new/",
        f"{a}board/meetings/{meeting.uuid}/",
        f"{a}concerns/new/",
        f"{a}kpis/new/",
        f"{a}kpis/import/",
        f"{a}kpis/{kpi.uuid}/edit/",
        f"{a}finance/lines/",
        f"{a}finance/lines/new/",
        f"{a}finance/lines/{line.uuid}/",
        f"{a}finance/lines/import/",
        f"{a}finance/measures/",
        f"{a}finance/settings/",
        f"{a}finance/incentives/",
        f"{a}finance/constraints/new/",
        f"{a}lessons/new/",
        f"{a}lessons/{lesson.uuid}/",
        f"{a}export/",
        f"{a}procurement/",
        f"{a}procurement/contract/",
        f"{a}procurement/assessments/new/",
        f"{a}procurement/breaches/new/",
        f"{a}procurement/assessments/{procurement.uuid}/",
        f"{a}procurement/assessments/{procurement.uuid}/notice/",
    ]


def _a_contract_performance_assessment(world, kpi):  # noqa: ANN001, ANN202
    """A contract under the Procurement Act, its KPI published, an assessment shared and approved."""
    from decimal import Decimal

    from partnering.procurement import services

    alice = world.access(world.alice)
    world.arrangement.contract_start = timezone.localdate() - timedelta(days=400)
    world.arrangement.save(update_fields=["contract_start"])
    values = {"estimated_value": Decimal("12000000.00"), "regime": "pa2023", "exemption": "none"}
    services.contract_facts_save(access=alice, expected_version=0, values=values)
    services.kpi_publish(access=alice, kpi=kpi)
    start = world.arrangement.contract_start
    assessment = services.assessment_start(access=alice, period_start=start, period_end=start + timedelta(days=364))
    for rating in assessment.ratings.all():
        services.rating_set(access=alice, rating=rating, value="good", reason="Met every month.")
    services.assessment_share(access=alice, assessment=assessment)
    return services.assessment_approve(access=alice, assessment=assessment)


def _visit_at_each_width(page: Page, pages: list[str]) -> list[str]:
    """Visit each page at 320 and 1280 px, axe-checked; return the pages that scroll sideways."""
    too_wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in pages:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                too_wide.append(f"{url} at {width} px: {scroll} px wide, because of {page.evaluate(CULPRITS)}")
            assert_accessible(page)
    return too_wide


def test_the_main_pages_reflow_at_320_px_and_fit_at_1280_px(page: Page, log_in, world) -> None:
    pages = _populate(world)
    log_in(world.alice)

    assert _visit_at_each_width(page, pages) == []


def test_every_other_page_reflows_at_320_px_and_fits_at_1280_px(page: Page, log_in, world) -> None:
    pages = _populate_the_rest(world)
    log_in(world.alice)

    assert _visit_at_each_width(page, pages) == []


def test_a_wide_table_scrolls_in_its_own_labelled_focusable_region(page: Page, log_in, world) -> None:
    pages = _populate(world)
    log_in(world.alice)
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(next(url for url in pages if url.endswith("/risks/")))
    assert_accessible(page)

    region = page.get_by_role("region", name="Risks, sorted by reference")

    assert region.get_attribute("tabindex") == "0"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # the table is wider than the screen
    region.focus()
    page.keyboard.press("ArrowRight")
    # ... and the keyboard scrolls it (the browser may scroll smoothly: wait for it to move).
    region.evaluate(
        "el => new Promise(done => { const t = Date.now(); (function wait() {"
        " if (el.scrollLeft > 0 || Date.now() - t > 5000) done(); else requestAnimationFrame(wait); })(); })"
    )
    assert region.evaluate("el => el.scrollLeft") > 0
