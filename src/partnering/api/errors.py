"""Translate the domain's exceptions into API responses.

Services raise Django's ValidationError, PermissionDenied and Http404 and the
concurrency module raises EditConflict; DRF's own handler knows only the
last two. Views use `api_exception_handler` through `ApiMixin`.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from partnering.core.concurrency import EditConflict


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """Field errors by field name; errors not tied to a field under DRF's usual key."""
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): messages
            for name, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}


def _plain(value: Any) -> Any:
    """A JSON-friendly value for a field of a conflicting record.

    People are named by e-mail address and records by UUID, never by their
    database id, like everywhere else in the API.
    """
    if isinstance(value, models.Model):
        email = getattr(value, "email", None)
        if email:
            return email
        public = getattr(value, "uuid", None) or getattr(value, "slug", None)
        return str(public) if public is not None else str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def conflict_response(exc: EditConflict) -> Response:
    return Response(
        {
            "detail": str(exc),
            "changes": [
                {
                    "field": c.field,
                    "label": c.label,
                    "theirs": _plain(c.theirs),
                    "yours": _plain(c.yours),
                }
                for c in exc.changes
            ],
            "current_version": exc.current.version,
        },
        status=status.HTTP_409_CONFLICT,
    )


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, EditConflict):
        return conflict_response(exc)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    # Http404 and django's PermissionDenied: DRF turns them into 404 and 403.
    return exception_handler(exc, context)
