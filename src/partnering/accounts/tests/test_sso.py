"""Single sign-on through OpenID Connect, against a stub provider over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages

from partnering.accounts import oidc
from partnering.accounts.models import Organisation, OrganisationKind, User

from .oidc_stub import StubProvider

SIGN_IN = "/accounts/sign-in/"
BUTTON = "Sign in with your organisation's account"


@pytest.fixture
def provider(settings):
    stub = StubProvider(client_id="partnering-test", client_secret="s3cret-for-tests").start()
    settings.OIDC_RP_CLIENT_ID = stub.client_id
    settings.OIDC_RP_CLIENT_SECRET = stub.client_secret
    settings.OIDC_OP_DISCOVERY_URL = stub.discovery_url
    oidc._discovery.cache_clear()
    yield stub
    stub.stop()
    oidc._discovery.cache_clear()


@pytest.fixture
def northshire(db):
    return Organisation.objects.create(
        name="Northshire County Council",
        kind=OrganisationKind.CUSTOMER,
        sso_email_domains="northshire.example\nnorthshire.gov.example",
    )


def _go_to_provider(client, provider, claims, next_url=""):
    """The browser's trip: our start page, the provider (who knows the person), and back with a code."""
    provider.person = {"email_verified": True, **claims}
    start = client.get("/accounts/sso/start/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.url}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/accounts/sso/callback/"
    return back


def _sign_in(client, provider, claims, next_url=""):
    back = _go_to_provider(client, provider, claims, next_url)
    return client.get(f"{back.path}?{back.query}")


def _message(client, response):
    assert response.status_code == 302 and response["Location"] == SIGN_IN
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_sign_in_page_offers_single_sign_on_only_when_configured(client, db, settings):
    assert BUTTON not in client.get(SIGN_IN).content.decode()
    assert client.get("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404

    settings.OIDC_RP_CLIENT_ID = "partnering-test"

    assert BUTTON in client.get(SIGN_IN).content.decode()


def test_the_request_to_the_provider_uses_state_nonce_and_pkce(client, provider, northshire):
    provider.person = {"email": "x@northshire.example"}

    start = client.get("/accounts/sso/start/")

    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["client_id"] == ["partnering-test"]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]
    assert query["state"] and query["nonce"] and query["code_challenge_method"] == ["S256"]


def test_someone_new_from_a_known_domain_signs_in_and_lands_in_their_organisation(client, provider, northshire):
    response = _sign_in(client, provider, {"sub": "1", "email": "nia.jones@northshire.example", "name": "Nia Jones"})

    assert response.status_code == 302 and response["Location"] == "/"
    person = User.objects.get(email="nia.jones@northshire.example")
    assert person.organisation == northshire and person.full_name == "Nia Jones"
    assert not person.has_usable_password()
    assert "nia.jones@northshire.example" in client.get("/accounts/settings/").content.decode()


def test_a_second_domain_of_the_organisation_works_too(client, provider, northshire):
    _sign_in(client, provider, {"email": "Lee.Ward@Northshire.Gov.Example"})

    assert User.objects.get(email="lee.ward@northshire.gov.example").organisation == northshire


def test_someone_with_an_account_signs_in_to_it(client, provider, northshire):
    existing = User.objects.create_user(email="helen@northshire.example", full_name="Helen", organisation=northshire)

    response = _sign_in(client, provider, {"email": "Helen@northshire.example"}, next_url="/actions/")

    assert response["Location"] == "/actions/"
    assert User.objects.filter(email__iexact="helen@northshire.example").count() == 1
    assert client.get("/accounts/settings/").wsgi_request.user == existing


def test_someone_from_an_unknown_domain_is_refused_with_a_clear_message(client, provider, northshire):
    response = _sign_in(client, provider, {"email": "mallory@elsewhere.example"})

    assert "does not use single sign-on with this service" in _message(client, response)
    assert not User.objects.filter(email="mallory@elsewhere.example").exists()
    assert client.get("/arrangements/").status_code == 302


def test_an_account_of_another_organisation_is_refused(client, provider, northshire):
    other = Organisation.objects.create(name="Brightwave", kind=OrganisationKind.PROVIDER)
    User.objects.create_user(email="spy@northshire.example", full_name="Spy", organisation=other)

    response = _sign_in(client, provider, {"email": "spy@northshire.example"})

    assert "belongs to another organisation" in _message(client, response)


def test_an_e_mail_address_the_provider_has_not_confirmed_is_refused(client, provider, northshire):
    response = _sign_in(client, provider, {"email": "new@northshire.example", "email_verified": False})

    assert "has not confirmed your e-mail address" in _message(client, response)
    assert not User.objects.filter(email="new@northshire.example").exists()


def test_an_e_mail_address_the_provider_does_not_vouch_for_is_refused(client, provider, northshire):
    response = _sign_in(client, provider, {"email": "new@northshire.example", "email_verified": None})

    assert "has not confirmed your e-mail address" in _message(client, response)
    assert not User.objects.filter(email="new@northshire.example").exists()


def test_a_state_that_does_not_match_is_refused(client, provider, northshire):
    back = _go_to_provider(client, provider, {"email": "nia@northshire.example"})
    code = parse_qs(back.query)["code"][0]

    response = client.get(f"{back.path}?code={code}&state=forged")

    assert "could not sign you in" in _message(client, response)
    assert not User.objects.filter(email="nia@northshire.example").exists()


def test_a_callback_that_this_browser_did_not_start_is_refused(client, provider, northshire):
    back = _go_to_provider(client, provider, {"email": "nia@northshire.example"})
    client.cookies.clear()  # another browser, e.g. a link sent by an attacker

    response = client.get(f"{back.path}?{back.query}")

    assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert not User.objects.filter(email="nia@northshire.example").exists()


def test_a_code_is_good_once(client, provider, northshire):
    back = _go_to_provider(client, provider, {"email": "nia@northshire.example"})
    client.get(f"{back.path}?{back.query}")
    client.post("/accounts/sign-out/")

    response = client.get(f"{back.path}?{back.query}")

    assert response["Location"] == SIGN_IN


def test_an_error_from_the_provider_is_refused(client, provider, northshire):
    client.get("/accounts/sso/start/")

    response = client.get("/accounts/sso/callback/?error=access_denied&state=x")

    assert "could not sign you in" in _message(client, response)


def test_the_organisation_s_provider_stands_in_for_the_second_factor(client, provider, northshire):
    northshire.require_two_factor = True
    northshire.save()

    _sign_in(client, provider, {"email": "nia@northshire.example"})

    assert client.get("/arrangements/").status_code == 200


def test_a_password_sign_in_never_reaches_the_provider(client, provider, northshire):
    User.objects.create_user(email="pat@northshire.example", password="a-long-password-1", full_name="Pat")
    provider.stop()  # any request to it would now fail

    response = client.post(
        f"{SIGN_IN}?code=x&state=y", {"username": "pat@northshire.example", "password": "a-long-password-1"}
    )

    assert response.status_code == 302


def test_a_domain_belongs_to_one_organisation_only(northshire):
    from django.core.exceptions import ValidationError

    other = Organisation(name="Copycat", kind=OrganisationKind.CUSTOMER, sso_email_domains="northshire.example")

    with pytest.raises(ValidationError):
        other.full_clean()


def test_a_deactivated_account_cannot_sign_in_through_the_provider(client, provider, northshire):
    User.objects.create_user(
        email="gone@northshire.example", full_name="Gone", organisation=northshire, is_active=False
    )

    response = _sign_in(client, provider, {"email": "gone@northshire.example"})

    assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert client.get("/accounts/settings/")["Location"].startswith(SIGN_IN)


def test_a_single_sign_on_session_ends_when_the_account_is_deactivated(client, provider, northshire):
    _sign_in(client, provider, {"email": "nia.jones@northshire.example"})
    assert client.get("/accounts/settings/").status_code == 200

    User.objects.filter(email="nia.jones@northshire.example").update(is_active=False)

    assert client.get("/accounts/settings/")["Location"].startswith(SIGN_IN)


def test_without_single_sign_on_no_worker_loads_its_machinery():
    """mozilla-django-oidc (with PyJWT and cryptography) is about 9 MB of each worker: a service
    without single sign-on loads the URLs, signs people in with passwords, and never imports it."""
    script = (
        "import sys, django; django.setup()\n"
        "from django.urls import get_resolver; get_resolver().url_patterns\n"
        "from django.contrib.auth import get_backends; from django.test import RequestFactory\n"
        "sso = [b for b in get_backends() if type(b).__name__ == 'SsoBackend'][0]\n"
        "assert sso.authenticate(RequestFactory().post('/'), username='x@example.org', password='y') is None\n"
        "print(sorted(m for m in ('mozilla_django_oidc', 'partnering.accounts.oidc', 'jwt') if m in sys.modules))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnering.settings", "OIDC_RP_CLIENT_ID": ""}
    env.pop("DATABASE_URL", None)  # nothing here touches the database; SQLite needs no server
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)  # noqa: S603

    assert result.stdout.strip().splitlines()[-1] == "[]"
