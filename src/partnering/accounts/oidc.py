"""Single sign-on through OpenID Connect, with mozilla-django-oidc: the machinery.

Imported only when single sign-on is used (see `accounts/sso.py`, which is what the rest of the
project names): mozilla-django-oidc brings PyJWT and cryptography, about 9 MB of every worker's
memory, which a service without single sign-on need not carry.

A person is mapped onto an organisation by the domain of the e-mail address the identity provider
vouches for: the organisation whose `sso_email_domains` lists it. Someone new gets an account only
when that organisation is known; an existing account signs in only if it belongs to that
organisation.

The provider's endpoints come from its discovery document (`OIDC_OP_DISCOVERY_URL`), fetched
once and kept, or from the `OIDC_OP_*_ENDPOINT` settings, which win when both are given.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from partnering.accounts.models import User, organisation_for_email_domain
from partnering.accounts.sso import enabled

log = logging.getLogger(__name__)

DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
REFUSED = "Your organisation's account could not sign you in here."
UNKNOWN_ORGANISATION = (
    "Your organisation does not use single sign-on with this service. "
    "Sign in with your e-mail address and password, or ask your organisation's administrator."
)


@cache
def _discovery(url: str) -> dict[str, Any]:
    response = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
    response.raise_for_status()
    return response.json()


def setting(name: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting, an endpoint from the discovery document when not set."""
    value = getattr(settings, name, "")
    if name in DISCOVERED and not value and getattr(settings, "OIDC_OP_DISCOVERY_URL", ""):
        value = _discovery(settings.OIDC_OP_DISCOVERY_URL).get(DISCOVERED[name], "")
    if value in ("", None):
        if default:
            return default[0]
        return import_from_settings(name)  # raises ImproperlyConfigured, naming the setting
    return value


class OidcBackend(OIDCAuthenticationBackend):
    """Signs in from the SSO callback (which passes a nonce) when SSO is on; `sso.SsoBackend` hands over.

    It must not read the provider's settings, nor fetch its discovery document, until it signs someone in.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: D107
        self.UserModel = User

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:  # type: ignore[override]
        if request is None or not enabled() or "nonce" not in kwargs or "password" in kwargs:
            return None
        super().__init__()  # now read the provider's settings
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was not issued to this service.")
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        # Required, not merely "not false": a provider that does not vouch for the address (or a
        # federated one that lets any tenant assert any address) must not sign anyone in by e-mail.
        if claims.get("email_verified") is not True:
            self._refuse("Your organisation's account has not confirmed your e-mail address.")
            return False
        return bool(claims.get("email")) and "@" in claims["email"]

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(email__iexact=claims.get("email", "").strip())

    def _organisation(self, claims: dict[str, Any]) -> Any:
        organisation = organisation_for_email_domain(claims["email"].rsplit("@", 1)[1])
        if organisation is None:
            self._refuse(UNKNOWN_ORGANISATION)
        return organisation

    def create_user(self, claims: dict[str, Any]) -> User | None:  # type: ignore[override]
        organisation = self._organisation(claims)
        if organisation is None:
            raise SuspiciousOperation("No organisation uses the e-mail domain of this person.")
        return self.UserModel.objects.create_user(
            email=claims["email"].strip(),
            full_name=(claims.get("name") or "").strip()[:200] or claims["email"].split("@")[0],
            organisation=organisation,
        )

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        organisation = self._organisation(claims)
        if organisation is None or user.organisation_id not in (None, organisation.pk):
            if organisation is not None:
                self._refuse(REFUSED + " Your account here belongs to another organisation.")
            raise SuspiciousOperation("The account belongs to another organisation.")
        if user.organisation_id is None:
            user.organisation = organisation
            user.save(update_fields=["organisation"])
        return user

    def _refuse(self, message: str) -> None:
        self.request.sso_refusal = message  # type: ignore[attr-defined]


class _OnlyWhenEnabled(View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)


class SsoStartView(_OnlyWhenEnabled, OIDCAuthenticationRequestView):
    """Sends the browser to the organisation's identity provider."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the provider's settings are read in get(), when SSO is on

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = setting("OIDC_RP_CLIENT_ID")
        except (requests.RequestException, ValueError, ImproperlyConfigured):
            log.exception("OIDC discovery failed")
            messages.error(request, "Single sign-on is not available at the moment. Try again later.")
            return HttpResponseRedirect(reverse("accounts:login"))
        return super().get(request)


class SsoCallbackView(_OnlyWhenEnabled, OIDCAuthenticationCallbackView):
    """Where the identity provider sends the browser back; refuses with a message on the sign-in page."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SuspiciousOperation as exc:  # a state that this browser did not start, a bad token
            log.warning("SSO sign-in refused: %s", exc)
        except requests.RequestException:
            log.exception("SSO sign-in failed talking to the identity provider")
        return self.login_failure()

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, getattr(self.request, "sso_refusal", REFUSED + " Try again."))
        return HttpResponseRedirect(reverse("accounts:login"))

    @property
    def failure_url(self) -> str:
        return reverse("accounts:login")


start_view = SsoStartView.as_view()
callback_view = SsoCallbackView.as_view()
