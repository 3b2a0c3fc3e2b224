"""Sign-in hardening in the browser: two-factor set-up and sign-in under the real CSP, and the lockout page."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from .axe import assert_accessible

pytestmark = pytest.mark.browser


def _code_for(secret: str) -> str:
    key = b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


@pytest.mark.browser_context_args(bypass_csp=False)
def test_a_person_sets_up_an_authenticator_app_and_then_signs_in_with_a_backup_code(
    page: Page, sign_in, sign_out, alice
) -> None:
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    sign_in(alice)
    page.goto("/accounts/settings/")
    assert_accessible(page)
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code to add your account to an authenticator app")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(_code_for(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=2, name="Your backup codes")).to_be_visible()
    assert_accessible(page)
    backup = page.locator("#backup-codes li").first.inner_text()
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="What is waiting for you")).to_be_visible()
    assert_accessible(page)
    sign_out()

    page.get_by_label("E-mail address").fill(alice.email)
    from partnering.testing import PASSWORD

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert_accessible(page)
    page.get_by_label("Code").fill(backup)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="What is waiting for you")).to_be_visible()
    assert_accessible(page)
    assert violations == []


def test_five_wrong_passwords_show_the_lockout_page(page: Page, alice) -> None:
    page.goto("/accounts/sign-in/")
    assert_accessible(page)
    for _ in range(5):
        page.get_by_label("E-mail address").fill(alice.email)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to sign in")
    expect(page.get_by_text("Wait 15 minutes")).to_be_visible()
