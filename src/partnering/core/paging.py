"""One way to cut a long list into pages, for every list page.

Lists that grow with the arrangement's age (actions, risks, lessons) are shown a
page at a time: a page's cost must not grow with the data. The query string of
the page links keeps every other parameter (filters, sort) but the page number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, items: Sequence[Any] | Any, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """`page` (Django's `Page`) and `page_query` for `includes/pagination.html`."""
    page: Page = Paginator(items, per_page).get_page(request.GET.get("page"))
    kept = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
    return {"page": page, "page_query": urlencode(kept)}
