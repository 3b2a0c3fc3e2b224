"""Concerns for tests, raised through the services."""

from __future__ import annotations

from typing import Any

from partnering.concerns.models import Concern


def make_concern(access: Any, **overrides: Any) -> Concern:
    from partnering.concerns import services

    values = {
        "title": "Change requests wait weeks",
        "description": "Requests sit in the queue.",
        "impact": "Release 2 slips.",
        "other_side_view": "They see requests arriving without priorities.",
    } | overrides
    return services.concern_raise(access=access, **values)
