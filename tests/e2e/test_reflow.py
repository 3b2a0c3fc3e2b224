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


def test_the_main_pages_reflow_at_320_px_and_fit_at_1280_px(page: Page, log_in, world) -> None:
    pages = _populate(world)
    log_in(world.alice)
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
                too_wide.append(f"{url} at {width} px: {scroll} px wide")
            assert_accessible(page)
    assert too_wide == []


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
