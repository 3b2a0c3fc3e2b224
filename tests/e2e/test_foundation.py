"""The foundation end to end, in Chromium: sign in, set up an arrangement, invite,
see it or not, form errors, and the two-key change of openness.

People come from `build_world()` (factories): alice is a customer SRO, bob a
provider SRIE, charlie an outsider in another council. Every page shown is
checked with axe-core (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from .axe import AccessibilityError, assert_accessible

pytestmark = pytest.mark.browser

TITLE = "Cloud hosting partnership"


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def success_banner(page: Page):  # noqa: ANN201
    return page.locator(".govuk-notification-banner--success")


def test_the_stylesheet_and_scripts_load(page: Page) -> None:
    response = page.goto("/accounts/sign-in/")
    assert response is not None and response.status == 200
    assert_accessible(page)
    css = page.request.get("/static/partnering/app.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    header = page.locator(".govuk-header")
    # Unstyled, a header is transparent with no border; GOV.UK's is blue or black.
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert header.evaluate("el => getComputedStyle(el).borderBottomStyle") == "solid"
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))


def test_axe_reports_each_violation_with_its_rule_impact_and_element(page: Page) -> None:
    page.goto("/accounts/sign-in/")
    assert_accessible(page)
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<img src="/static/partnering/favicon.svg" id="no-alt">')"""
    )
    with pytest.raises(AccessibilityError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt [critical] Images must have alternative text" in message
    assert "at #no-alt" in message


def test_sro_sets_up_an_arrangement_and_invites_the_provider_srie_and_nobody_else_sees_it(
    page: Page, sign_in, sign_out, alice, bob, charlie
) -> None:
    # 1. The customer SRO signs in and sets up the arrangement through the form.
    sign_in(alice)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Arrangements").click()
    assert_accessible(page)
    page.get_by_role("link", name="Set up an arrangement").click()
    heading(page, "Set up an arrangement")
    assert_accessible(page)

    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label(re.compile(r"^Description")).fill("Hosting for the council's digital services.")
    page.get_by_label(re.compile(r"^Provider organisation")).select_option(label="Brightwave Digital")
    page.get_by_label(re.compile(r"^Contract start date")).fill("2027-04-01")
    page.get_by_label(re.compile(r"^Contract end date")).fill("2034-03-31")
    page.get_by_label("Lifecycle stage").select_option(label="Procurement strategy (before Gate 2)")
    page.get_by_label(re.compile(r"^Shared business outcomes")).fill(
        "Residents can do their business online at any hour\nNo unplanned outage longer than an hour"
    )
    page.get_by_role("group", name="Your role in this arrangement").get_by_label(
        "Senior Responsible Owner (SRO)"
    ).check()
    page.get_by_role("group", name=re.compile(r"^Single project budget")).get_by_label("Yes").check()
    page.get_by_role("group", name=re.compile(r"^Single risk register")).get_by_label("No").check()
    page.get_by_role("group", name=re.compile(r"^Open book accounting")).get_by_label(
        "Provider's book open to the customer"
    ).check()
    page.get_by_role("button", name="Create arrangement").click()

    # ... and lands on its members page, where it invites the provider's lead (SRIE), once.
    expect(page.get_by_role("heading", level=2, name="Members")).to_be_visible()
    heading(page, TITLE)
    expect(success_banner(page)).to_contain_text(f"Arrangement ‘{TITLE}’ created.")
    assert_accessible(page)

    page.get_by_label("E-mail address of the provider's lead").fill(bob.email)
    page.get_by_role("button", name="Send the invitation").click()
    expect(success_banner(page)).to_contain_text("Bob Brown is invited to lead the provider side.")
    expect(page.get_by_role("heading", level=2, name="Waiting")).to_be_visible()
    members = page.get_by_role("table", name="Members and their roles")
    expect(members.get_by_role("row").filter(has_text="Alice Adams")).to_contain_text("Senior Responsible Owner (SRO)")
    expect(members.get_by_role("row").filter(has_text="Bob Brown")).to_have_count(0)  # not until he accepts
    assert_accessible(page)
    relationship = page.get_by_role("navigation", name="The relationship")
    arrangement_path = relationship.get_by_role("link", name="Overview", exact=True).get_attribute("href")
    assert arrangement_path

    # What was typed was saved: the overview shows it.
    relationship.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Summary")).to_be_visible()
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Procurement strategy (before Gate 2)")
    expect(summary).to_contain_text("1 April 2027 to 31 March 2034")
    outcomes = page.get_by_role("table", name=re.compile(r"^Shared business outcomes"))
    expect(outcomes.get_by_role("row")).to_have_count(3)  # header and two outcomes
    assert_accessible(page)
    page.get_by_role("navigation", name="The relationship").get_by_role("link", name="Openness", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="How open is the relationship?")).to_be_visible()
    openness = page.locator(".govuk-summary-list")
    expect(openness.locator(".govuk-summary-list__row").filter(has_text="Single project budget")).to_contain_text("Yes")
    expect(openness.locator(".govuk-summary-list__row").filter(has_text="Single risk register")).to_contain_text("No")
    assert_accessible(page)
    sign_out()

    # 2. The invited provider lead accepts, and from then on the provider side is his.
    sign_in(bob)
    page.goto("/arrangements/invitations/")
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    expect(success_banner(page)).to_contain_text(f"You now lead the provider side of {TITLE}.")
    expect(
        page.get_by_role("table", name="Members and their roles").get_by_role("row").filter(has_text="Bob Brown")
    ).to_contain_text("Senior Responsible Industry Executive (SRIE)")
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Arrangements").click()
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    heading(page, TITLE)
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Your side and roles")).to_contain_text(
        "Provider: Senior Responsible Industry Executive (SRIE)"
    )
    assert_accessible(page)
    sign_out()

    # 3. Someone from another organisation, never invited, neither sees nor reaches it.
    sign_in(charlie)
    expect(page.get_by_role("link", name="Eastbridge benefits")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    response = page.goto(arrangement_path)
    assert response is not None and response.status == 404
    heading(page, "Page not found")
    expect(page).to_have_title("Page not found – Partnering")
    expect(page.get_by_text(TITLE)).to_have_count(0)
    assert page.locator(".govuk-header").evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert_accessible(page)


def test_an_end_date_before_the_start_date_is_shown_in_the_error_summary_and_keeps_the_answers(
    page: Page, log_in, alice
) -> None:
    from partnering.arrangements.models import Arrangement

    before = Arrangement.objects.count()
    log_in(alice)
    page.goto("/arrangements/new/")
    heading(page, "Set up an arrangement")
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label(re.compile(r"^Provider organisation")).select_option(label="Brightwave Digital")
    page.get_by_label(re.compile(r"^Contract start date")).fill("2027-04-01")
    page.get_by_label(re.compile(r"^Contract end date")).fill("2026-04-01")
    page.get_by_label(re.compile(r"^Shared business outcomes")).fill("Fewer failed transactions")
    page.get_by_role("button", name="Create arrangement").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Set up an arrangement"))
    # GOV.UK Frontend moves focus to the summary, so screen readers announce it.
    expect(summary).to_be_focused()
    message = "The contract end date must be on or after the start date."
    link = summary.get_by_role("link", name=message)
    expect(link).to_have_attribute("href", "#id_contract_end")
    # The field shows the same message, and is described by it.
    end = page.get_by_label(re.compile(r"^Contract end date"))
    expect(page.locator("#id_contract_end-error")).to_contain_text(message)
    expect(end).to_have_attribute("aria-describedby", re.compile(r"\bid_contract_end-error\b"))
    expect(end).to_have_class(re.compile(r"\bgovuk-input--error\b"))
    # What was typed is kept.
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)
    expect(page.get_by_label(re.compile(r"^Contract start date"))).to_have_value("2027-04-01")
    expect(end).to_have_value("2026-04-01")
    expect(page.get_by_label(re.compile(r"^Provider organisation")).locator("option:checked")).to_have_text(
        "Brightwave Digital"
    )
    expect(page.get_by_label(re.compile(r"^Shared business outcomes"))).to_have_value("Fewer failed transactions")
    assert_accessible(page)

    link.click()
    expect(end).to_be_focused()
    assert Arrangement.objects.count() == before


def test_a_change_of_openness_needs_the_sro_and_the_srie(
    page: Page, sign_in, sign_out, arrangement, alice, bob
) -> None:
    assert arrangement.openness.single_project_budget is False

    # The SRO proposes: their own agreement counts at once.
    sign_in(alice)
    page.get_by_role("link", name=arrangement.title).click()
    heading(page, arrangement.title)
    assert_accessible(page)
    page.get_by_role("link", name="Openness", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Propose a change")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name=re.compile(r"^Single project budget")).get_by_label("Yes").check()
    page.get_by_label(re.compile(r"^Reason for the change")).fill("Agreed at the joint board in March.")
    page.get_by_role("button", name="Propose change").click()
    expect(success_banner(page)).to_contain_text("It comes into force when the SRIE agrees.")
    pending = page.locator(".govuk-inset-text")
    expect(pending).to_contain_text("A change is waiting for agreement")
    expect(pending).to_contain_text("SRO: agreed (Alice Adams)")
    expect(pending).to_contain_text("SRIE: not yet agreed")
    assert_accessible(page)
    arrangement.openness.refresh_from_db()
    assert arrangement.openness.single_project_budget is False
    sign_out()

    # The SRIE agrees: the change is in force.
    sign_in(bob)
    page.goto(f"/arrangements/{arrangement.slug}/openness/")
    expect(pending).to_contain_text("Reason: Agreed at the joint board in March.")
    assert_accessible(page)
    page.get_by_role("button", name="Agree this change").click()
    expect(success_banner(page)).to_contain_text("The new degree of openness is agreed and in force.")
    expect(pending).to_have_count(0)
    row = page.locator(".govuk-summary-list__row").filter(has_text="Single project budget")
    expect(row.locator(".govuk-summary-list__value")).to_have_text("Yes")
    expect(page.get_by_role("table", name="Past proposals")).to_contain_text("Agreed")
    assert_accessible(page)
    arrangement.openness.refresh_from_db()
    assert arrangement.openness.single_project_budget is True


def test_every_page_of_the_foundation_passes_axe(page: Page, log_in, arrangement, alice, bob, dave) -> None:
    """A tour of the pages the journeys above do not reach, with records in their tables."""
    from django.utils import timezone

    from partnering.actions.models import Action
    from partnering.arrangements.models import SharedOutcome

    outcome = SharedOutcome.objects.create(arrangement=arrangement, text="Services available at any hour")
    action = Action.objects.create(
        arrangement=arrangement,
        title="Agree the exit plan",
        owner=alice,
        created_by=alice,
        due_date=timezone.localdate(),
    )
    # Alice manages her own side's people only: the roles page of a customer colleague.
    carol_membership = arrangement.memberships.get(user__email="carol@northshire.example")
    base = f"/arrangements/{arrangement.slug}"
    pages = {
        f"{base}/": "Summary",
        f"{base}/edit/": "Change details",
        f"{base}/stage/": "Lifecycle stage",
        f"{base}/outcomes/{outcome.uuid}/": "Change outcome",
        f"{base}/members/{carol_membership.uuid}/": "Roles of Carol Chen",
        f"{base}/history/": "History",
        f"{base}/actions/": "Actions",
        f"{base}/actions/{action.uuid}/": None,
        "/actions/": None,
        "/accounts/settings/": None,
    }
    failures: list[str] = []

    def check(label: str) -> None:
        try:
            assert_accessible(page)
        except AccessibilityError as exc:
            failures.append(f"{label}:\n{exc}")

    log_in(alice)
    for path, h2 in pages.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        if h2:
            expect(page.get_by_role("heading", level=2, name=h2)).to_be_visible()
        check(path)
    # Pages with errors: an empty action, and an empty outcome.
    page.goto(f"{base}/actions/")
    check("actions")
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("actions with errors")
    page.goto(f"{base}/outcomes/{outcome.uuid}/")
    check("outcome")
    page.get_by_label(re.compile(r"^Shared business outcome")).fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("outcome with errors")

    # An observer may look but not change: the styled 403 page.
    log_in(dave)
    response = page.goto(f"{base}/edit/")
    assert response is not None and response.status == 403
    heading(page, "You cannot do this")
    check("403")
    page.context.clear_cookies()
    for path in ("/accounts/password-reset/", "/accounts/sign-in/?next=/actions/"):
        page.goto(path)
        check(path)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("sign-in with errors")
    assert not failures, "\n\n".join(failures)


@pytest.mark.browser_context_args(bypass_csp=False)
def test_pages_keep_to_the_content_security_policy_and_start_govuk_frontend(
    page: Page, sign_in, alice, arrangement
) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"console {message.type}: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on(
        "response",
        lambda response: response.status >= 400 and problems.append(f"{response.status}: {response.url}"),
    )
    # Also count violations the console might not report (e.g. of style-src).
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    def check_page() -> None:
        expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
        # initAll() ran: every component on the page marked itself initialised.
        expect(page.locator("[data-module='govuk-button']:not([data-govuk-button-init])")).to_have_count(0)
        assert page.locator("[data-govuk-button-init]").count() > 0
        assert page.evaluate("() => window.__csp") == []
        assert problems == []

    sign_in(alice)  # the sign-in page, then the home page
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Arrangements").click()
    check_page()  # the list, with its "Set up an arrangement" button
    assert_accessible(page)
    page.goto(f"/arrangements/{arrangement.slug}/")
    heading(page, arrangement.title)
    check_page()
    expect(page.locator("[data-module='govuk-header'][data-govuk-header-init]")).to_have_count(1)
    assert_accessible(page)
    page.goto("/arrangements/new/")
    check_page()
    assert_accessible(page)
    page.get_by_role("button", name="Create arrangement").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page()
    assert_accessible(page)
    assert problems == []

    # The policy was enforced all along: an inline script is refused, and noticed.
    with pytest.raises(Error):
        page.add_script_tag(content="window.__inline = true")
    assert page.evaluate("() => window.__inline") is None
    page.wait_for_function("() => window.__csp.some(v => v.startsWith('script-src'))")
