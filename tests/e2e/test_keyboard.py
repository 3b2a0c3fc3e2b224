"""One journey by keyboard alone, with the focus visible at every step (WCAG 2.2: 2.1.1 Keyboard,
2.4.7 Focus Visible, 2.4.11 Focus Not Obscured).

Alice, the customer SRO, signs in, follows the task on her home page, answers Annex A, agrees her
side's answers and reads the results. She never clicks: she presses Tab, Shift+Tab, Space, the
arrow keys and Enter, and types. At every Tab the test checks that something is focused, that the
focus can be seen (an outline or the GOV.UK yellow focus style, on the element or, for a radio or
a checkbox, on its label's drawn box) and that the focused element is on the screen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from .axe import assert_accessible

pytestmark = pytest.mark.browser

# Tab presses allowed to reach one target: a page's header, navigation and a form's earlier fields.
MOST_TABS = 120

# One round trip a key press: what has the focus, whether it can be seen and whether it is on screen.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {what: '', seen: false, onScreen: false};
  const seen = (style) => {
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
      && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(style.outlineColor);
    return outline || (style.boxShadow && style.boxShadow !== 'none');
  };
  const drawn = el.matches('.govuk-radios__input, .govuk-checkboxes__input');
  const box = (drawn ? el.nextElementSibling : el).getBoundingClientRect();
  return {
    what: `${el.tagName.toLowerCase()}#${el.id} ${(el.innerText || el.value || '').slice(0, 60)}`,
    seen: drawn ? seen(getComputedStyle(el.nextElementSibling, '::before')) : seen(getComputedStyle(el)),
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


def tab_to(page: Page, target: Locator, *, key: str = "Tab") -> None:
    """Press Tab until `target` has the focus, checking at each stop that the focus is visible."""
    for _ in range(MOST_TABS):
        page.keyboard.press(key)
        focus = page.evaluate(FOCUS)
        assert focus["what"], f"nothing has the focus after {key}"
        assert focus["seen"], f"the focus cannot be seen on {focus['what']}"
        assert focus["onScreen"], f"the focused element is off the screen: {focus['what']}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{MOST_TABS} presses of {key} never reached {target}")


def test_sign_in_answer_agree_and_read_the_results_by_keyboard_alone(page: Page, world) -> None:
    from partnering.assessments.tests.test_services import agree_all, invite, start, submit_side

    assessment = start(world, "annex-a")
    invite(world, assessment, world.alice)
    agree_all(world, assessment, world.bob, "yes")  # the provider's side is already in
    submit_side(world, assessment, world.bob)
    questions = [q.id for q in assessment.bank.bank.questions]

    # Sign in: the skip link comes first, then the form's fields; Enter sends it.
    page.goto("/accounts/sign-in/")
    assert_accessible(page)
    tab_to(page, page.get_by_role("link", name="Skip to main content"))
    tab_to(page, page.get_by_label("E-mail address"))
    page.keyboard.type(world.alice.email)
    tab_to(page, page.get_by_label("Password"))
    from partnering.testing import PASSWORD

    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="What is waiting for you")).to_be_visible()
    assert_accessible(page)

    # The home page's task leads to the answer page.
    tab_to(page, page.get_by_role("link", name=re.compile(r"^Answer the assessment: Annex A")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name=assessment.title)).to_be_visible()
    assert_accessible(page)

    # Each question: Tab into its radios (the first, "Yes", takes the focus) and Space chooses it.
    # On the last, the arrow key moves the choice to "No" and back, as a keyboard user corrects one.
    for qid in questions:
        first = page.locator(f'[id="v-{qid}-self-yes"]')
        tab_to(page, first)
        page.keyboard.press("Space")
        expect(first).to_be_checked()
        expect(page.locator(f'[id="status-{qid}-self"]')).to_have_text("Saved")
    last = questions[-1]
    page.keyboard.press("ArrowRight")
    expect(page.locator(f'[id="v-{last}-self-no"]')).to_be_checked()
    page.keyboard.press("ArrowLeft")
    expect(page.locator(f'[id="v-{last}-self-yes"]')).to_be_checked()
    expect(page.locator(f'[id="status-{last}-self"]')).to_have_text("Saved")
    tab_to(page, page.get_by_role("button", name="Submit my answers"))
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your answers are submitted.")
    assert_accessible(page)

    # Agree the side: every answer is suggested from hers; she submits the side.
    tab_to(page, page.get_by_role("link", name="Agree your side's answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="The customer side's agreed answers")).to_be_visible()
    assert_accessible(page)
    for qid in questions:
        expect(page.locator(f'[id="v-{qid}-self-yes"]')).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Submit our side's answers"))
    page.keyboard.press("Enter")

    # Both sides are in, so the results are revealed and shown to her at once.
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("submitted")
    expect(page.get_by_role("heading", level=2, name=f"Results: {assessment.title}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No barrier found by the checklist")
    assert_accessible(page)
    # She reads on down the page to its last link (the footer's) ...
    tab_to(page, page.locator("footer a").last)

    # ... and Shift+Tab takes her back up to the top with the focus visible all the way.
    tab_to(page, page.get_by_role("link", name="Skip to main content"), key="Shift+Tab")
