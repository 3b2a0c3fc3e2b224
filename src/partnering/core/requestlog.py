"""Request ids and one log line per request, as JSON in production.

`RequestLogMiddleware` takes the caller's `X-Request-ID` when it is a short token (letters, digits,
`.`, `_`, `-`; at most 64), or makes one, returns it in the response's `X-Request-ID` header, and
logs one line per request on `partnering.request`: request id, method, path, status, duration in
milliseconds, the user's id and the arrangement's slug when the URL names one. Never an e-mail
address, a query string or anything a form carried: a log is read by people who may not read the
arrangement. Secrets that travel in a path (password-reset and pulse-survey tokens) are replaced by
their name.

`RequestIdFilter` stamps every record logged while a request runs with its id, so a warning or a
traceback can be joined to its request line. `json_formatter` is python-json-logger's formatter
with our field names.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# URL arguments that are secrets: logged as "<name>", never as their value.
_SECRET_KWARGS = ("token", "uidb64")
# Characters left as they are in a logged path; anything else (spaces, controls) is %-encoded.
_PATH_SAFE = "/-._~:@!$&'()*+,;="

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
logger = logging.getLogger("partnering.request")


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_from(value: str | None) -> str:
    """The caller's id when it is a short token, otherwise a new one."""
    if value and _VALID_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs 4xx and 5xx responses after the middleware has returned, with the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _request_id.get()
        return True


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then any extra fields."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        # Django attaches the request to its own records; its repr has the query string.
        reserved_attrs=[*RESERVED_ATTRS, "request"],
    )


def _user_id(request: HttpRequest) -> Any:
    # Read the user only if the view already did: loading it here would add a query to a page
    # that never needed one (the health check, the "ok" view).
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return getattr(user, "pk", None)


def _logged_path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name in _SECRET_KWARGS:
            value = match.kwargs.get(name)
            if value:
                path = path.replace(str(value), f"<{name}>")
    return quote(path, safe=_PATH_SAFE + "<>")


def _arrangement(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return match.kwargs.get("slug") or match.kwargs.get("arrangement_slug")


class RequestLogMiddleware:
    """First in the chain: times everything after it and tags the response with the request id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            status = response.status_code
            path = _logged_path(request)
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                status,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                    "arrangement": _arrangement(request),
                },
            )
            return response
        finally:
            _request_id.reset(token)
