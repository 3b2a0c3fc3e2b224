"""The service's own 404 page in development too.

With `DEBUG` on, Django answers a 404 with its yellow technical page, which lists the project's URL
patterns: not what someone trying the service under `make run` should meet, and not what the
pages look like in production. This middleware serves the GOV.UK-style 404 page whenever `DEBUG`
is on, unless a developer asks for Django's page with `DEBUG_ERROR_PAGES=true`. (A 403 is always
the service's page: Django uses `handler403` whatever `DEBUG` says. A 500 under `DEBUG` keeps
Django's traceback page, which is what a developer needs.) With `DEBUG` off it does nothing:
Django already serves `handler404`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from partnering.core.views import error_404


def _wanted(request: HttpRequest) -> bool:
    return settings.DEBUG and not getattr(settings, "DEBUG_ERROR_PAGES", False)


class ErrorPagesInDevelopmentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _wanted(request):
            # An address no URL pattern matches never reaches a view (nor process_exception).
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exc:
                return error_404(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and _wanted(request):
            return error_404(request, exception)
        return None
