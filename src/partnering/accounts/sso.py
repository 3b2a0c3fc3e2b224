"""Single sign-on through OpenID Connect: the switch, the sign-in backend and the two pages.

Off unless `OIDC_RP_CLIENT_ID` is set. The machinery (mozilla-django-oidc, and with it PyJWT and
cryptography) lives in `accounts/oidc.py` and is imported only when single sign-on is used: on a
service without it, no worker carries it (about 9 MB of a worker's memory, measured). This module
is what settings, URLs and pages name, so it must stay light.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.http import Http404, HttpRequest, HttpResponse

from partnering.accounts.models import User


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class SsoBackend(BaseBackend):
    """Signs in only from the SSO callback (which passes a nonce), and only when SSO is on.

    It sits in AUTHENTICATION_BACKENDS all the time, so a password sign-in passes through it: it
    must then neither read the provider's settings nor import the machinery.
    """

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:  # type: ignore[override]
        if request is None or not enabled() or "nonce" not in kwargs or "password" in kwargs:
            return None
        from partnering.accounts.oidc import OidcBackend

        user = OidcBackend().authenticate(request, **kwargs)
        return user if user is not None and user.is_active else None

    def get_user(self, user_id: Any) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()


def _off() -> Http404:
    return Http404("Single sign-on is not configured.")


def start_view(request: HttpRequest) -> HttpResponse:
    """Sends the browser to the organisation's identity provider (404 while SSO is off)."""
    if not enabled():
        raise _off()
    from partnering.accounts import oidc

    return oidc.start_view(request)


def callback_view(request: HttpRequest) -> HttpResponse:
    """Where the identity provider sends the browser back (404 while SSO is off)."""
    if not enabled():
        raise _off()
    from partnering.accounts import oidc

    return oidc.callback_view(request)
