"""Two-factor sign-in: setting up an authenticator app, codes after the password, backup codes,
and organisations that require it."""

from __future__ import annotations

import time
from binascii import unhexlify
from io import StringIO
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnering.accounts import two_factor
from partnering.accounts.models import Organisation
from partnering.accounts.services import token_create
from partnering.testing import PASSWORD

SIGN_IN = "/accounts/sign-in/"
SET_UP = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"


def _code(key: str, steps_ahead: int = 0) -> str:
    totp = TOTP(unhexlify(key))
    totp.drift = steps_ahead
    return f"{totp.token():06d}"


def _sign_in(client, user):
    response = client.post(SIGN_IN, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _with_app(user) -> tuple[str, list[str]]:
    """Give `user` an authenticator app (its key) and backup codes, as the set-up page does."""
    key = TOTPDevice().key
    _, codes = two_factor.two_factor_enable(user=user, key=key, step=0)
    return key, codes


def _set_up_in_the_browser(client) -> tuple[str, object]:
    client.get(SET_UP)
    key = client.session[two_factor.PENDING_KEY_SESSION]
    return key, client.post(SET_UP, {"code": _code(key)})


# -- setting up ------------------------------------------------------------------


def test_the_set_up_page_shows_the_secret_a_link_and_a_qr_code(client, alice):
    client.force_login(alice)

    response = client.get(SET_UP)

    page = response.content.decode()
    key = client.session[two_factor.PENDING_KEY_SESSION]
    assert response.status_code == 200
    assert two_factor.secret_for_display(key) in page
    assert "otpauth://totp/Partnering%3Aalice%40northshire.example?secret=" in page
    assert '<svg width="' in page and "<path" in page  # the QR code, drawn inline
    assert "<script" not in page.split("</main>")[0].split('id="main-content"')[1]  # no inline script


def test_the_set_up_page_keeps_the_same_secret_until_confirmed(client, alice):
    client.force_login(alice)
    client.get(SET_UP)
    first = client.session[two_factor.PENDING_KEY_SESSION]

    client.get(SET_UP)

    assert client.session[two_factor.PENDING_KEY_SESSION] == first
    assert not TOTPDevice.objects.filter(user=alice).exists()  # nothing stored before confirming


def test_a_wrong_code_does_not_turn_it_on(client, alice):
    client.force_login(alice)
    client.get(SET_UP)

    response = client.post(SET_UP, {"code": "000000"})

    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_the_right_code_turns_it_on_and_shows_ten_backup_codes_once(client, alice):
    client.force_login(alice)

    key, response = _set_up_in_the_browser(client)

    page = response.content.decode()
    device = TOTPDevice.objects.get(user=alice)
    codes = list(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert device.confirmed and device.key == key
    assert len(codes) == 10 and all(code in page for code in codes)
    assert "they will not be shown again" in page
    assert not any(code in client.get("/accounts/settings/").content.decode() for code in codes)


@pytest.mark.parametrize("seconds_later", [0, 30])
def test_the_code_that_confirmed_the_app_cannot_sign_in_again(client, alice, monkeypatch, seconds_later):
    """The very code typed to confirm is kept and typed again, in the same 30-second step and in
    the next, where the app's clock tolerance would still accept it were it not already used."""
    client.force_login(alice)
    client.get(SET_UP)
    now = time.time()
    code = _code(client.session[two_factor.PENDING_KEY_SESSION])
    assert client.post(SET_UP, {"code": code}).status_code == 200
    client.post("/accounts/sign-out/")
    _sign_in(client, alice)
    # The device reads the clock through its own module's `time`.
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=lambda: now + seconds_later))

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 200  # asked again: a code is good once


# -- signing in with a code ------------------------------------------------------------


def test_after_the_password_a_person_with_an_app_is_asked_for_a_code(client, alice):
    _with_app(alice)

    response = client.get(_sign_in(client, alice)["Location"])

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == VERIFY


def test_without_the_code_no_page_of_the_service_opens(client, alice, arrangement):
    _with_app(alice)
    _sign_in(client, alice)

    for url in (f"/arrangements/{arrangement.slug}/", "/accounts/settings/", SET_UP, "/actions/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{VERIFY}?next={url.replace('/', '%2F')}"
    assert client.get("/api/v1/arrangements/").status_code == 403
    assert client.get("/healthz").status_code == 200


def test_the_right_code_lets_the_person_in(client, alice, arrangement):
    key, _ = _with_app(alice)
    _sign_in(client, alice)
    url = f"/arrangements/{arrangement.slug}/"

    response = client.post(VERIFY, {"code": _code(key), "next": url})

    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200


def test_a_wrong_code_is_refused(client, alice):
    _with_app(alice)
    _sign_in(client, alice)

    response = client.post(VERIFY, {"code": "123456"})

    assert response.status_code == 200
    assert "Enter the code your authenticator app shows now" in response.content.decode()
    assert client.get("/arrangements/").status_code == 302


def test_wrong_codes_make_the_app_wait(client, alice):
    key, _ = _with_app(alice)
    TOTPDevice.objects.filter(user=alice).update(
        throttling_failure_count=6, throttling_failure_timestamp=timezone.now()
    )
    _sign_in(client, alice)

    response = client.post(VERIFY, {"code": _code(key)})

    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/arrangements/").status_code == 302


def test_a_backup_code_signs_in_once(client, alice):
    _, codes = _with_app(alice)
    _sign_in(client, alice)

    assert client.post(VERIFY, {"code": codes[0].upper()})["Location"] == "/"
    client.post("/accounts/sign-out/")
    _sign_in(client, alice)

    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=alice).count() == 9


def test_the_next_page_must_be_on_this_site(client, alice):
    key, _ = _with_app(alice)
    _sign_in(client, alice)

    response = client.post(VERIFY, {"code": _code(key), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_a_person_who_half_signed_in_cannot_replace_their_app(client, alice):
    _with_app(alice)
    _sign_in(client, alice)

    response = client.post(SET_UP, {"code": "123456"})

    assert response.status_code == 302 and response["Location"] == VERIFY


def test_api_tokens_do_not_need_the_second_factor(client, alice):
    _with_app(alice)
    _, raw = token_create(user=alice, name="script")

    assert client.get("/api/v1/arrangements/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


@pytest.mark.parametrize("header", ["Basic eDp5", "bearer prt_x", "Token abc", "Bearer"])
def test_a_half_signed_in_session_cannot_reach_the_api_behind_another_authorization_scheme(client, alice, header):
    """Only a real bearer token skips the session; any other header must not let the session in."""
    _with_app(alice)
    _sign_in(client, alice)

    response = client.get("/api/v1/arrangements/", HTTP_AUTHORIZATION=header)

    assert response.status_code in (401, 403)


def test_a_half_signed_in_session_with_a_wrong_bearer_token_is_refused(client, alice):
    _with_app(alice)
    _sign_in(client, alice)

    assert client.get("/api/v1/arrangements/", HTTP_AUTHORIZATION="Bearer prt_not-a-token").status_code == 401


def test_new_backup_codes_replace_the_old_ones(client, alice):
    key, old = _with_app(alice)
    _sign_in(client, alice)
    client.post(VERIFY, {"code": _code(key)})

    response = client.post("/accounts/two-factor/backup-codes/")

    new = list(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in response.content.decode() for code in new)


def test_new_backup_codes_need_a_verified_session(client, alice):
    client.force_login(alice)

    response = client.post("/accounts/two-factor/backup-codes/")

    assert response["Location"] == SET_UP
    assert not StaticToken.objects.exists()


def test_people_without_an_app_sign_in_with_the_password_alone(client, alice, arrangement):
    _sign_in(client, alice)

    assert client.get(f"/arrangements/{arrangement.slug}/").status_code == 200


# -- organisations that require it ------------------------------------------------------------


@pytest.fixture
def strict(world):
    world.customer.require_two_factor = True
    world.customer.save()
    return world


def test_people_of_an_organisation_that_requires_it_are_sent_to_set_up(client, strict):
    url = f"/arrangements/{strict.arrangement.slug}/"
    _sign_in(client, strict.alice)

    response = client.get(url)

    assert response["Location"] == f"{SET_UP}?next={url.replace('/', '%2F')}"
    page = client.get(SET_UP).content.decode()
    assert "Your organisation requires two-factor sign-in" in page


def test_before_setting_up_only_signing_in_and_out_stay_open(client, strict):
    _sign_in(client, strict.alice)

    assert client.get("/healthz").status_code == 200
    assert client.get("/static/partnering/favicon.svg").status_code in (200, 404)  # never sent to set up
    assert client.get("/accounts/settings/")["Location"].startswith(SET_UP)
    assert client.get("/api/v1/arrangements/").status_code == 403
    assert client.post("/accounts/sign-out/")["Location"] == SIGN_IN
    assert client.get("/arrangements/")["Location"].startswith(SIGN_IN)


def test_after_setting_up_the_arrangement_opens(client, strict):
    url = f"/arrangements/{strict.arrangement.slug}/"
    _sign_in(client, strict.alice)

    _, response = _set_up_in_the_browser(client)

    assert response.status_code == 200
    assert client.get(url).status_code == 200


def test_the_requirement_does_not_touch_other_organisations(client, strict):
    _sign_in(client, strict.bob)

    assert client.get(f"/arrangements/{strict.arrangement.slug}/").status_code == 200


# -- turning the requirement on or off for people already signed in ---------------------------


def _require(organisation, required=True) -> str:
    out = StringIO()
    call_command("require_two_factor", organisation.name, *([] if required else ["--off"]), stdout=out)
    return out.getvalue()


def test_requiring_it_sends_people_already_signed_in_to_set_up_at_their_next_page(client, world):
    url = f"/arrangements/{world.arrangement.slug}/"
    _sign_in(client, world.alice)
    assert client.get(url).status_code == 200

    said = _require(world.customer)

    world.customer.refresh_from_db()
    assert world.customer.require_two_factor
    assert "now requires two-factor sign-in. 1 session signed in" in said
    assert client.get(url)["Location"] == f"{SET_UP}?next={url.replace('/', '%2F')}"


def test_requiring_it_asks_someone_with_an_app_but_no_code_in_this_session_for_a_code(client, world):
    _sign_in(client, world.alice)  # signed in before setting up the app elsewhere
    _with_app(world.alice)

    _require(world.customer)

    assert urlsplit(client.get("/arrangements/")["Location"]).path == VERIFY


def test_requiring_it_leaves_sessions_that_gave_a_code_and_other_organisations_alone(client, world):
    key, _ = _with_app(world.alice)
    _sign_in(client, world.alice)
    client.post(VERIFY, {"code": _code(key)})
    other = Client()
    _sign_in(other, world.bob)

    said = _require(world.customer)

    assert "now requires two-factor sign-in. 0 sessions signed in" in said
    assert client.get("/arrangements/").status_code == 200
    assert other.get("/arrangements/").status_code == 200


def test_requiring_it_leaves_single_sign_on_sessions_alone(client, world):
    client.force_login(world.alice, backend=two_factor.SSO_BACKEND)

    assert "now requires two-factor sign-in. 0 sessions signed in" in _require(world.customer)
    assert client.get("/arrangements/").status_code == 200


def test_turning_it_off_lets_go_of_people_waiting_to_set_up(client, strict):
    _sign_in(client, strict.alice)
    assert client.get("/arrangements/")["Location"].startswith(SET_UP)

    said = _require(strict.customer, required=False)

    strict.customer.refresh_from_db()
    assert not strict.customer.require_two_factor
    assert "no longer requires two-factor sign-in. 1 session waiting" in said
    assert client.get("/arrangements/").status_code == 200


def test_turning_it_off_still_asks_people_with_an_app_for_their_code(client, strict):
    _with_app(strict.alice)
    _sign_in(client, strict.alice)

    _require(strict.customer, required=False)

    assert urlsplit(client.get("/arrangements/")["Location"]).path == VERIFY


def test_a_session_signed_out_during_the_sweep_stays_signed_out(client, world, monkeypatch):
    """The sweep finds the session, then it is gone before the change is written: nothing comes back."""
    _sign_in(client, world.alice)
    key = client.session.session_key
    decoded = Session.get_decoded

    def sign_out_meanwhile(session):
        data = decoded(session)
        Session.objects.filter(pk=key).delete()
        return data

    monkeypatch.setattr(Session, "get_decoded", sign_out_meanwhile)
    change = two_factor.organisation_require_two_factor(organisation=world.customer, required=True)

    assert change.sessions_changed == 0
    assert not Session.objects.filter(pk=key).exists()


def test_the_command_finds_the_organisation_by_slug_or_by_name_in_any_case(world):
    assert "now requires" in _require_by(world.customer.slug)
    assert "now requires" in _require_by(world.customer.name.upper())


def test_the_command_refuses_a_name_that_is_ambiguous_or_unknown(world):
    Organisation.objects.create(name=world.customer.name.upper(), slug="shouting", kind=world.customer.kind)

    with pytest.raises(CommandError, match="More than one organisation is called"):
        _require_by(world.customer.name.lower())
    with pytest.raises(CommandError, match="No organisation is called 'Nowhere'"):
        _require_by("Nowhere")
    assert not Organisation.objects.filter(require_two_factor=True).exists()


def _require_by(name: str) -> str:
    out = StringIO()
    call_command("require_two_factor", name, stdout=out)
    return out.getvalue()
