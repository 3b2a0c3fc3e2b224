"""Query strings that the database can take: no NUL characters.

PostgreSQL refuses a NUL (0x00) in any text it is given, so a filter such as
`?tag=a%00b` would reach the database and fail as a server error, where SQLite
simply finds nothing. No stored text can contain a NUL (the forms refuse them,
and PostgreSQL could not hold one), so a NUL in a search or filter can match
nothing: it is dropped before any view reads the query, once for every page and
API list, rather than in each of the places that read a parameter. A NUL in the path names nothing, so it is a 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, QueryDict

NUL = "\x00"


class DropNulFromQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info:
            # No page or record is named with a NUL: the address does not exist.
            raise Http404("No such page.")
        if NUL in request.META.get("QUERY_STRING", "") or any(
            NUL in key or any(NUL in v for v in values) for key, values in request.GET.lists()
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                for value in values:
                    cleaned.appendlist(key.replace(NUL, ""), value.replace(NUL, ""))
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
