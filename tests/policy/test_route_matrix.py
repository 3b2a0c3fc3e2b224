"""The route × user access matrix: every URL of the project, every kind of person.

The routes come from the URLconf itself, so a new page or API endpoint is
checked the moment it is added. Any URL kwarg other than the arrangement's
slug needs an object factory in `tests/policy/route_objects.py`; an unknown
kwarg fails with a message saying so. Only the explicitly public routes in
`PUBLIC_ROUTES` are left out.

The people (see conftest.py): alice (customer SRO), bob (provider SRIE),
dave (customer observer), fran (neutral facilitator) are members of
`world.arrangement`; charlie is a member of another arrangement only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.regex_helper import normalize
from rest_framework.views import APIView

from .route_objects import object_for

SIGN_IN = "/accounts/sign-in/"

#: Routes anyone may open without signing in. Keep this list short and explicit.
PUBLIC_ROUTES = frozenset(
    {
        "healthz",
        "accessibility",  # the accessibility statement, as the accessibility regulations ask
        "api-schema",
        "api-docs",
        "accounts:login",
        "accounts:logout",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:sso_start",  # single sign-on starts signed out (404 while OIDC is not configured)
        "accounts:sso_callback",  # the identity provider sends the browser back here, signed out
        "assessments:pulse_public",  # staff answer the 360° pulse survey anonymously, by its token
    }
)

#: Routes that send anonymous people to sign-in without a `next` (there is nowhere to return to).
NO_NEXT = frozenset({"home"})

#: Cells of the matrix that fail because of a known bug in code outside the tests, each an
#: xfail(strict=True) naming the bug: remove its line once fixed. Empty when none is open.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Route:
    name: str
    regex: str
    kwargs: tuple[str, ...]
    callback: Any
    id: str
    converters: tuple[tuple[str, Any], ...] = ()

    @property
    def is_api(self) -> bool:
        return self.regex.startswith("api/")

    @property
    def is_arrangement_scoped(self) -> bool:
        found = [object_for(self.name, k) for k in self.kwargs]
        return any(f is not None and f.names_arrangement for f in found)

    def url(self, world: Any, **override: str) -> str:
        """A concrete URL, with each kwarg pointing at an object made for `world`."""
        values = {}
        for kwarg in self.kwargs:
            if kwarg in override:
                values[kwarg] = override[kwarg]
                continue
            found = object_for(self.name, kwarg)
            if found is None:
                pytest.fail(
                    f"Route {self.name!r} ({self.regex}) has the URL kwarg {kwarg!r}, which the "
                    f"access matrix does not know. Register a factory for it in "
                    f"tests/policy/route_objects.py with @route_object({kwarg!r}) (add routes=<route-name prefix> "
                    "if the name means different objects on different routes).",
                    pytrace=False,
                )
            value = found.make(world)
            converter = dict(self.converters).get(kwarg)
            values[kwarg] = converter.to_url(value) if converter else quote(str(value), safe="")
        fmt, _params = normalize(self.regex)[0]
        url = "/" + fmt % values
        assert resolve(url).func is self.callback, f"{url} does not resolve back to {self.name}"
        return url

    def hidden_from(self, user: str) -> bool:
        found = [object_for(self.name, k) for k in self.kwargs]
        return any(user in f.hidden_from for f in found if f is not None)


def _walk(patterns: list, prefix: str = "", namespace: str = "", converters: dict | None = None) -> list:
    """Every URLPattern under `patterns`, with its full regex, as Django's reverse() joins them."""
    routes = []
    for entry in patterns:
        regex = entry.pattern.regex.pattern
        if prefix:
            regex = regex.removeprefix("^")
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace]))
            routes += _walk(entry.url_patterns, prefix + regex, ns, found)
        elif isinstance(entry, URLPattern):
            full = (prefix + regex).removeprefix("^")
            name = ":".join(filter(None, [namespace, entry.name])) if entry.name else full
            kwargs = tuple(normalize(full)[0][1])
            routes.append(Route(name, full, kwargs, entry.callback, name, tuple(found.items())))
    return routes


def _all_routes() -> list[Route]:
    routes = _walk(get_resolver().url_patterns)
    seen: set[str] = set()
    unique = []
    for route in routes:
        rid = route.name if route.name not in seen else f"{route.name}[{route.regex}]"
        seen.add(rid)
        unique.append(Route(route.name, route.regex, route.kwargs, route.callback, rid, route.converters))
    return unique


ALL_ROUTES = _all_routes()
ROUTES = [r for r in ALL_ROUTES if r.name not in PUBLIC_ROUTES]
SCOPED = [r for r in ROUTES if r.is_arrangement_scoped]


def _is_drf_view(callback: Any) -> bool:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


def _cases(user: str, routes: list[Route]) -> list:
    cases = []
    for route in routes:
        for method in ("GET", "POST"):
            reason = KNOWN_BUGS.get((route.name, user, method))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(route, method, id=f"{route.id}-{method}", marks=marks))
    return cases


def _request(client: Any, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    return client.post(url, {})


def _as(client: Any, world: Any, user: str) -> Any:
    client.force_login(getattr(world, user))
    return client


# -- the route list itself -----------------------------------------------------


def test_the_route_list_covers_the_project():
    names = {r.name for r in ALL_ROUTES}
    assert {"arrangements:overview", "arrangements:members", "actions:edit", "accounts:settings"} <= names
    assert any(r.is_api for r in ROUTES), "the API root should be in the matrix"


def test_public_routes_all_exist():
    names = {r.name for r in ALL_ROUTES}
    assert names >= PUBLIC_ROUTES, f"stale entries in PUBLIC_ROUTES: {sorted(PUBLIC_ROUTES - names)}"


def test_every_route_kwarg_has_a_factory():
    missing = sorted({(r.name, k) for r in ALL_ROUTES for k in r.kwargs if object_for(r.name, k) is None})
    assert not missing, (
        "These URL kwargs have no object factory: register one in "
        f"tests/policy/route_objects.py with @route_object(<kwarg>): {missing}"
    )


@pytest.mark.parametrize("route", SCOPED, ids=[r.id for r in SCOPED])
def test_arrangement_routes_pass_the_gate(route):
    assert getattr(route.callback, "arrangement_gate", False) or _is_drf_view(route.callback), (
        f"{route.name} is arrangement-scoped but its view is neither decorated with "
        "core.gate.arrangement_page nor a DRF view checked by the policy"
    )


@pytest.mark.parametrize("route", [r for r in ALL_ROUTES if r.name in PUBLIC_ROUTES], ids=lambda r: r.id)
def test_public_routes_answer_anonymous_people(client, world, route):
    response = client.get(route.url(world))

    assert response.status_code < 500


# -- the matrix ----------------------------------------------------------------


@pytest.mark.parametrize(("route", "method"), _cases("anonymous", ROUTES))
def test_anonymous_people_are_sent_to_sign_in(client, world, route, method):
    url = route.url(world)

    response = _request(client, method, url)

    if route.is_api:
        assert response.status_code == 401
        return
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == SIGN_IN
    if route.name not in NO_NEXT:
        assert parse_qs(location.query).get("next") == [url]


@pytest.mark.parametrize(("route", "method"), _cases("charlie", ROUTES))
def test_outsiders_get_not_found_for_the_arrangement(client, world, route, method):
    url = route.url(world)

    response = _request(_as(client, world, "charlie"), method, url)

    if route.is_arrangement_scoped:
        # 404 as for an arrangement that does not exist; an API route may answer 405
        # for a method it never accepts, but then it must do so for a made-up slug too.
        assert response.status_code in (404, 405)
        if response.status_code == 405:
            made_up = {k: "no-such-arrangement" for k in route.kwargs if object_for(route.name, k).names_arrangement}
            assert _request(client, method, route.url(world, **made_up)).status_code == 405
    else:
        assert response.status_code != 500


@pytest.mark.parametrize(("route", "method"), _cases("dave", ROUTES))
def test_observers_read_but_never_write(client, world, route, method):
    url = route.url(world)

    response = _request(_as(client, world, "dave"), method, url)

    if method == "GET":
        allowed_404 = route.hidden_from("dave")
        assert response.status_code != 500
        assert allowed_404 or response.status_code != 404
    elif route.is_arrangement_scoped:
        assert response.status_code in (403, 405)
    else:
        assert response.status_code != 500


@pytest.mark.parametrize("user", ["alice", "bob", "fran"])
@pytest.mark.parametrize(("route", "method"), _cases("member", ROUTES))
def test_members_never_meet_an_error_or_a_missing_page(client, world, route, method, user):
    url = route.url(world)

    response = _request(_as(client, world, user), method, url)

    assert response.status_code != 500
    if not route.hidden_from(user):
        assert response.status_code != 404
