"""Sign-in throttling: too many wrong passwords for one e-mail address from one IP address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from partnering.accounts.services import token_create
from partnering.testing import PASSWORD, UserFactory

SIGN_IN = "/accounts/sign-in/"
OFFICE = "192.0.2.10"


def _sign_in(client, email, password, ip=OFFICE):
    return client.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _lock_out(client, email, ip=OFFICE):
    for _ in range(5):
        response = _sign_in(client, email, "not-the-password", ip)
    return response


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@northshire.example", full_name="Alice Adams")


@pytest.fixture
def carol(db):
    return UserFactory(email="carol@northshire.example", full_name="Carol Chen")


def test_four_wrong_passwords_only_ask_again(client, alice):
    for _ in range(4):
        response = _sign_in(client, alice.email, "not-the-password")

    assert response.status_code == 200
    assert "Enter a correct e-mail address and password." in response.content.decode()


def test_the_fifth_wrong_password_locks_the_address_out(client, alice):
    response = _lock_out(client, alice.email)

    assert response.status_code == 429
    assert AccessAttempt.objects.get(username=alice.email, ip_address=OFFICE).failures_since_start == 5


def test_the_lockout_page_says_what_happened_and_how_long_to_wait(client, alice):
    response = _lock_out(client, alice.email)

    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Too many attempts to sign in</h1>' in page
    assert "Wait 15 minutes" in page
    assert 'class="govuk-header' in page  # the service's own layout, not a bare error


def test_the_right_password_is_refused_while_locked_out(client, alice):
    _lock_out(client, alice.email)

    response = _sign_in(client, alice.email, PASSWORD)

    assert response.status_code == 429
    assert client.get("/arrangements/").status_code == 302  # still signed out


def test_capitals_in_the_address_count_against_the_same_limit(client, alice):
    for email in [
        "Alice@northshire.example",
        "ALICE@NORTHSHIRE.EXAMPLE",
        "alice@Northshire.example",
        " alice@northshire.example",
    ]:
        _sign_in(client, email, "not-the-password")

    assert _sign_in(client, alice.email, "not-the-password").status_code == 429


def test_another_person_in_the_same_office_can_still_sign_in(client, alice, carol):
    _lock_out(client, alice.email)

    response = _sign_in(client, carol.email, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_same_person_from_another_address_can_still_sign_in(client, alice):
    _lock_out(client, alice.email)

    response = _sign_in(client, alice.email, PASSWORD, ip="198.51.100.7")

    assert response.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, alice):
    _lock_out(client, alice.email)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))

    response = _sign_in(client, alice.email, PASSWORD)

    assert response.status_code == 302


def test_a_lockout_lasts_the_whole_cool_off(client, alice):
    _lock_out(client, alice.email)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))

    assert _sign_in(client, alice.email, PASSWORD).status_code == 429


def test_a_right_password_starts_the_count_again(client, alice):
    for _ in range(4):
        _sign_in(client, alice.email, "not-the-password")
    assert _sign_in(client, alice.email, PASSWORD).status_code == 302
    client.post("/accounts/sign-out/")

    for _ in range(4):
        response = _sign_in(client, alice.email, "not-the-password")

    assert response.status_code == 200


def test_the_limit_and_cool_off_come_from_the_settings(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)

    _sign_in(client, alice.email, "not-the-password")
    response = _sign_in(client, alice.email, "not-the-password")

    assert response.status_code == 429
    assert "Wait 30 minutes" in response.content.decode()


def test_api_tokens_keep_working_while_the_sign_in_is_locked_out(client, alice):
    _, raw = token_create(user=alice, name="script")
    _lock_out(client, alice.email)

    response = client.get("/api/v1/arrangements/", HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR=OFFICE)

    assert response.status_code == 200
