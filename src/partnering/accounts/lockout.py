"""Sign-in throttling with django-axes: what identifies the person being locked out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def username_for_lockout(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The e-mail address typed on the sign-in form, as one spelling.

    The form's field is `username` although accounts are found by e-mail; lower-casing it
    means `Alice@…` and `alice@…` count against the same limit.
    """
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "") if request is not None else ""
    return str(value).strip().lower()
