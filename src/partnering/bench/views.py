"""The ceiling: a view that does nothing, behind the same middleware as every page."""

from django.http import HttpRequest, HttpResponse


def ok(request: HttpRequest) -> HttpResponse:
    """No database, no template: what Django and gunicorn cost on their own."""
    return HttpResponse(b"ok", content_type="text/plain")
