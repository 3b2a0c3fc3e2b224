"""Every paginated API list: `?limit=` and `?offset=`, with a most that a request may ask for.

Why a most: one request for 20,000 risks returned 10 MB in about 3 s, and the page
cache kept a 1 MB entry for it; sixty such URLs grew a worker by about 95 MB. A page
of at most `MAX_LIMIT` records bounds what one request costs and what is kept of it.

Why refused rather than capped: a client that asks for 5,000 and silently gets 500
may take the first page for the whole list. A `limit` beyond `MAX_LIMIT`, below 1 or
not a whole number (and an `offset` below 0 or not a whole number) is refused with
400 in the API's usual field-error shape (`{"limit": ["..."]}`); follow `next` for
the rest. The schema documents both bounds on every list.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

#: Most records one page of an API list may hold.
MAX_LIMIT = 500


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit/offset pagination with `max_limit`, refusing what it would otherwise ignore."""

    max_limit = MAX_LIMIT
    limit_query_description = f"Number of results to return per page: 1 to {MAX_LIMIT} (default 50)."
    offset_query_description = "The initial index from which to return the results (0 or more)."

    def _whole_number(self, request: Any, name: str, *, least: int, most: int | None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < least or (most is not None and value > most):
            bound = f"from {least} to {most}" if most is not None else f"{least} or more"
            raise ValidationError({name: [f"Give a whole number {bound}."]})
        return value

    def get_limit(self, request: Any) -> int | None:
        limit = self._whole_number(request, self.limit_query_param, least=1, most=self.max_limit)
        return self.default_limit if limit is None else limit

    def get_offset(self, request: Any) -> int:
        return self._whole_number(request, self.offset_query_param, least=0, most=None) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_limit, default=self.default_limit)
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update(minimum=0, default=0)
        return parameters
