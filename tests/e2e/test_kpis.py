"""KPIs end to end, in Chromium: the provider proposes a baseline, the customer agrees it.

People come from `build_world()`: bob is the provider SRIE, alice the customer
SRO. What they do, they do in the browser; the KPI and its measurements are
set up with services. Every page shown is checked with axe-core (see conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _forget_the_actor() -> Iterator[None]:
    """Set-up calls services in the test's thread, which remembers the actor for the audit trail."""
    from partnering.core.audit import set_actor

    yield
    set_actor(None)


def _world():
    from partnering.kpis import services
    from partnering.kpis.tests.factories import agreed, make_kpi
    from partnering.testing import build_world

    world = build_world()
    alice, bob = world.access(world.alice), world.access(world.bob)
    calls = make_kpi(alice, name="Calls answered within 60 seconds", data_source="Telephony reports")
    fix = make_kpi(alice, name="First-time fix", direction="higher")
    agreed(fix, proposer=alice, agreer=bob, baseline=60, target=80)
    for month, value in ((1, 58), (2, 66), (3, 83)):
        services.measurement_record(access=bob, kpi=fix, period=date(2027, month, 1), value=value)
    make_kpi(alice, name="Annex B share", kind="relationship", source="annex_b")
    return world, calls, fix


def test_the_provider_proposes_a_baseline_and_the_customer_agrees_it(page: Page, log_in) -> None:
    world, calls, _fix = _world()
    base = f"/arrangements/{world.arrangement.slug}/kpis/"

    log_in(world.bob)
    page.goto(base)
    expect(page.get_by_role("heading", level=2, name="Performance: service and relationship KPIs")).to_be_visible()
    expect(page.get_by_text("Baseline not agreed").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Calls answered within 60 seconds").click()
    expect(page.get_by_role("heading", level=2, name="Calls answered within 60 seconds")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Propose a baseline").click()
    page.get_by_label("Proposed baseline").fill("78")
    page.get_by_label("How uncertain is this baseline").fill("Six months of telephony data before go-live.")
    page.get_by_role("button", name="Propose baseline").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Baseline proposed")
    expect(page.get_by_text("Waiting for the other side to agree it.")).to_be_visible()
    expect(page.get_by_role("button", name="Agree the baseline of 78%")).to_have_count(0)
    assert_accessible(page)

    log_in(world.alice)
    page.goto(base)
    expect(page.get_by_text("78% proposed by the provider")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Calls answered within 60 seconds").click()
    expect(page.get_by_text("Six months of telephony data before go-live.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Agree the baseline of 78%").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Baseline of 78% agreed")
    expect(page.get_by_text("Agreed baseline: 78%.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Bob Brown (provider)")
    expect(row).to_contain_text("Alice Adams (customer)")
    assert_accessible(page)

    from partnering.kpis.models import BaselineProposal

    proposal = BaselineProposal.objects.get(kpi=calls)
    assert (proposal.proposed_by, proposal.agreed_by) == (world.bob, world.alice)


def test_the_kpi_pages_are_accessible(page: Page, log_in) -> None:
    world, calls, fix = _world()
    base = f"/arrangements/{world.arrangement.slug}/kpis/"
    measurement = fix.measurements.first()
    log_in(world.bob)

    for path in (
        "",
        "new/",
        f"{fix.uuid}/",
        f"{fix.uuid}/edit/",
        f"{fix.uuid}/measurements/{measurement.uuid}/",
        "import/",
    ):
        response = page.goto(base + path)
        assert response is not None and response.ok, path
        assert_accessible(page)

    # Pages with errors: an empty KPI, a bad measurement, an import with a bad row.
    page.goto(base + "new/")
    assert_accessible(page)
    page.get_by_role("button", name="Add KPI").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.goto(base + f"{calls.uuid}/")
    assert_accessible(page)
    page.get_by_role("button", name="Record measurement").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
    page.goto(base + "import/")
    assert_accessible(page)
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "m.csv", "mimeType": "text/csv", "buffer": b"KPI,Period,Value\nNope,someday,many\n"}]
    )
    page.get_by_role("button", name="Check and import").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page)
