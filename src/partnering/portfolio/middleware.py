"""Count every write to an arrangement, so that cached portfolio rows know they are stale."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from partnering.portfolio.services import activity_record

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: The URL keyword that names the arrangement, on pages and in the API.
ARRANGEMENT_KWARGS = ("slug", "arrangement_slug")


class ActivityMiddleware:
    """After any unsafe request under an arrangement's URL, count a write to it.

    Counted after the view, whatever its answer: a reader that works out the
    arrangement's row between the view's commit and this count caches it under
    the old count, which the count then retires. (Counted before, that reader
    could cache the old state under the new count.) Refused requests (anonymous,
    403, 404, 409, a refused form, a failed CSRF check) write nothing and are not
    counted, so that no stranger can keep the cache cold or the SQLite write lock
    busy. A server error is counted: it may come after the view's transaction
    committed (an e-mail sent on commit failed), and a kept page must not go on
    showing the state from before that write.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method not in SAFE_METHODS
            # Refused requests (4xx) write nothing; a 5xx may follow a committed write.
            and (response.status_code < 400 or response.status_code >= 500)
            and request.resolver_match is not None
            and request.user.is_authenticated
        ):
            kwargs = request.resolver_match.kwargs
            slug = next((kwargs[k] for k in ARRANGEMENT_KWARGS if isinstance(kwargs.get(k), str)), None)
            if slug:
                activity_record(arrangement_slug=slug)
        return response
