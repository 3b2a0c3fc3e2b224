"""Keep a half-signed-in session away from the service until its second factor is done."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from partnering.accounts.authentication import BearerTokenAuthentication
from partnering.accounts.two_factor import SET_UP, STATE_KEY, VERIFY


class TwoFactorMiddleware:
    """Send a session that still owes a code to the code page, and one whose organisation requires
    two-factor sign-in to the set-up page, whatever it asks for.

    Only the pages needed to finish (or abandon) signing in stay open: sign-in, sign-out, the
    health check, static files, and the verify or set-up page itself. API calls with a bearer
    token carry no session and are not affected; session calls to the API get 403.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = request.session.get(STATE_KEY) if self._may_need_checking(request) else None
        if state in (VERIFY, SET_UP) and request.user.is_authenticated:
            target = reverse("accounts:two_factor_verify" if state == VERIFY else "accounts:two_factor_setup")
            if request.path not in self._open_paths() | {target}:
                if request.path.startswith("/api/"):
                    if request.META.get("HTTP_AUTHORIZATION", "").startswith(f"{BearerTokenAuthentication.keyword} "):
                        # A bearer token, not this session: the token class answers it, or refuses it
                        # (never falling back to the session). Any other scheme would fall through to
                        # the half-signed-in session, so it is refused here like no header at all.
                        return self.get_response(request)
                    return JsonResponse({"detail": "Finish signing in with your second factor first."}, status=403)
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return redirect(f"{target}?{query}" if query else target)
        return self.get_response(request)

    @staticmethod
    def _may_need_checking(request: HttpRequest) -> bool:
        # No session cookie, no half-finished sign-in: skip without touching the session store.
        return settings.SESSION_COOKIE_NAME in request.COOKIES and not request.path.startswith(settings.STATIC_URL)

    @staticmethod
    def _open_paths() -> set[str]:
        return {reverse("healthz"), reverse("accounts:login"), reverse("accounts:logout"), reverse("accessibility")}
