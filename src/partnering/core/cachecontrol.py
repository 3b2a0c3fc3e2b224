"""Nothing shown to a signed-in person is kept by a browser or a cache along the way.

Every answer to a signed-in request (a page, an htmx fragment, an API answer under a session or a
bearer token) leaves with `Cache-Control: private, no-store`: the back button after signing out
asks the server again (and gets the sign-in page) instead of showing the private page from the
browser's cache, and a misconfigured shared cache keeps nothing. `no-store` rather than
`no-cache, private` plus `Vary: Cookie`: a revalidated copy would still sit on the disk of a shared
computer. Downloads were already marked so (core/downloads.py). What anyone may see (the sign-in
page, the accessibility statement, static files served by whitenoise before this middleware) keeps
whatever caching it had.

The page cache (core/pagecache.py) is not affected: it keeps rendered bodies on the server, inside
the view, before this header is added, and the header is added again to every answer it serves.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateResponsesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # DRF puts the person a bearer token authenticated on the request as well.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
