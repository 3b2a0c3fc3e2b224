"""Pages kept, as rendered, for the one reader who asked for them, until their arrangement is written.

Why: at department scale a page of this app costs 12-50 ms of template rendering
and serialization against about 1 ms for Django's own request handling, so a
person who comes back to a page (the overview after a form, the register after
reading a risk, a tab left open and refreshed) pays the whole render again for
the same bytes. A rendered page is therefore kept in the cache and served again
while nothing it shows can have changed.

Why it cannot leak, and what it trusts:

- *It sits behind the gate.* The access policy runs on every request, hits
  included (`core.gate.arrangement_page(kept=True)`, the API's lists): a member
  removed a second ago gets 404, not the page kept for them. Only the loading
  and rendering are skipped.
- *It is the reader's own.* The key holds the user, a digest of their session
  key (or of the API token), their CSRF cookie (the page's forms carry a token
  made from it) and the fields of the user that pages show (name, e-mail,
  organisation, flags). A page is never served to anyone but the session it was
  rendered for, so it cannot cross a side, an arrangement or an organisation.
- *It knows what the reader may see.* The scope in the key holds the reader's
  side, roles and the arrangement's degree of openness, read live on every
  request (`policy.standing_for`), so a change to any of them is a new key.
- *It knows when the page is stale.* The scope holds each arrangement's write
  counter (`portfolio.Activity`), which counts every write under its URL; pages
  that read several arrangements hold all of their counters; pages that show
  something written outside the arrangement (lessons published elsewhere,
  question banks) hold a version of that table (`table_version`). Today's date
  is in the key, for what falls due.
  Counters are read before the page is rendered, so a write that lands during a
  render can only make the kept page newer than its key, never older.
- *Whatever else* (another person's name, e-mail or organisation, which only
  management commands and single sign-on change; an organisation's name; a
  management command's writes) is bounded by the lifetime, `PAGE_CACHE_SECONDS` (5 minutes
  unless set; 0 turns the cache off).

Nothing is kept for a request that shows flash messages, has no CSRF cookie yet
or changes the session, nor for a response that is not 200, sets a cookie or streams,
nor for a body over `PAGE_CACHE_MAX_ENTRY_BYTES` compressed.

Where it lives: by default in each worker's memory, bounded in entries and bytes
(`PAGE_CACHE_ENTRIES`, `PAGE_CACHE_MAX_BYTES`, core.bytecache); with `CACHE_URL`, in
Redis, shared by every app server. Nothing above depends on which: the key holds all
it depends on, and the write counters are in the database, so a write through one
server retires what another kept. The key holds the request's host, so the servers
behind one load balancer must see the same `Host` (the public one).
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

import partnering
from partnering.core.prepared import Prepared, Stand

#: Part of every key: a new release never serves what an old one rendered.
FORMAT = 1
#: The request headers that change what a page or API answer is.
VARYING_HEADERS = ("Accept", "HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted", "HX-Current-URL")
#: Response headers kept with the body; the middleware adds the rest on every response.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "Cache-Control", "Link", "Vary")
#: Only GET: a HEAD goes through the view's own method checks (e.g. `require_GET`) every time.
SAFE = frozenset({"GET"})


def _cache() -> Any:
    """Pages have a cache of their own, so that they never push out the portfolio's rows: per
    worker it is bounded in entries and in bytes (core.bytecache; bodies are kept compressed, and
    none over `PAGE_CACHE_MAX_ENTRY_BYTES`); in Redis (`CACHE_URL`) it is shared by every server."""
    return caches["pages"]


def lifetime() -> int:
    """Seconds a page is kept at most; 0 when the cache is off."""
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0))


def _digest(*parts: Any) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()


# -- what the page depends on ---------------------------------------------------------


def standing_scope(standing: Any) -> str:
    """One arrangement as this member stands in it (`policy.Standing`, read live): its write
    counter, the openness in force, the membership, the side and the roles."""
    return _digest(
        "arrangement",
        standing.arrangement_id,
        standing.writes,
        standing.openness,
        standing.membership_id,
        standing.side,
        ",".join(sorted(standing.roles)),
    )


def _member_query(stand: Stand) -> Any:
    from django.db.models import OuterRef, Subquery

    from partnering.arrangements.models import Membership
    from partnering.portfolio.models import Activity

    writes = Activity.objects.filter(arrangement=OuterRef("arrangement_id")).values("writes")[:1]
    return (
        Membership.objects.filter(user_id=stand.int("user"), is_active=True)
        .annotate(writes=Subquery(writes))
        .order_by("pk")
        .values_list("pk", "arrangement_id", "side", "writes")
    )


_MEMBER = Prepared(_member_query)


def member_scope(user: Any) -> str:
    """Every arrangement the person is a member of: the membership set and each counter.

    For pages that read across the person's arrangements (their actions, their list
    of arrangements): joining or leaving one changes the set; a write in any changes
    its counter. One query.
    """
    return _digest("member", *(f"{m}:{a}:{s}:{w or 0}" for m, a, s, w in _MEMBER.rows(user=user.pk)))


def _aggregate(sql: str, params: list[Any]) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def organisation_scope(organisation_id: int) -> str:
    """Every arrangement of an organisation, as customer or provider (its portfolio), and all
    their counters, in one aggregate query: how many, which (the sum and the highest of their
    ids) and their writes (counters only go up, so any write raises the sum).

    Plain SQL: the ORM cannot name an aggregate over a join without compiling it on each
    call (see core.prepared), and this runs on every request for the portfolio.
    """
    from partnering.arrangements.models import Arrangement
    from partnering.portfolio.models import Activity

    # Only table names from the models, quoted, are put in; the id goes as a parameter.
    sql = (
        f"SELECT COUNT(a.id), SUM(a.id), MAX(a.id), SUM(w.writes) FROM {_table(Arrangement)} a "  # noqa: S608  # nosec B608
        f"LEFT JOIN {_table(Activity)} w ON w.arrangement_id = a.id "
        "WHERE a.customer_id = %s OR a.provider_id = %s"
    )
    return _digest("organisation", organisation_id, *_aggregate(sql, [organisation_id, organisation_id]))


def table_version(model: Any) -> str:
    """A version of a small shared table (question banks, lessons): its rows' count, highest
    id and the sum of their edit counters, in one aggregate query. An upload, an edit through
    `save_versioned`, a publication or a deletion each change it."""
    versioned = any(f.name == "version" for f in model._meta.concrete_fields)
    edits = "SUM(version)" if versioned else "0"
    sql = f"SELECT COUNT(*), MAX(id), {edits} FROM {_table(model)}"  # noqa: S608  # nosec B608: a model's table
    return _digest(model._meta.label, *_aggregate(sql, []))


# -- the key and what is kept ------------------------------------------------------------


def reader_key(request: HttpRequest, scope: str) -> str:
    """The cache key of this request's page for this reader (see the module's docstring)."""
    user = request.user
    session = getattr(request, "session", None)
    auth = getattr(request, "auth", None)  # an API token, under DRF
    credential = getattr(auth, "pk", None) or (session.session_key if session is not None else "")
    identity = (
        user.pk,
        getattr(user, "email", ""),
        getattr(user, "full_name", ""),
        getattr(user, "organisation_id", ""),
        getattr(user, "is_portfolio_manager", ""),
        user.is_staff,
        user.is_superuser,
    )
    return "page:" + _digest(
        FORMAT,
        partnering.__version__,
        *identity,
        credential,
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.build_absolute_uri(),  # the API's page links hold the host and scheme
        *(request.headers.get(h, "") for h in VARYING_HEADERS),
        get_language(),
        timezone.localdate().isoformat(),
        scope,
    )


def _shows_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _still_keepable(request: HttpRequest) -> bool:
    """After the render: it showed no message and changed nothing in the session (a hit would
    skip that change)."""
    session = getattr(request, "session", None)
    return not _shows_messages(request) and not getattr(session, "modified", False)


def usable(request: HttpRequest, *, forms: bool = True) -> bool:
    """Whether this request may be answered from, or stored in, the cache. `forms=False` for
    API data, which carries no CSRF token."""
    return (
        lifetime() > 0
        and request.method in SAFE
        and request.user.is_authenticated
        # The page's forms carry tokens made from this cookie; without it, the render sets a new
        # one, which a kept page could not set again: such a request is rendered, not kept.
        and (not forms or settings.CSRF_COOKIE_NAME in request.COOKIES)
        and not _shows_messages(request)
    )


@dataclass(frozen=True)
class Kept:
    """What is stored of a response: its status, the headers the view set, the body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes  # zlib-compressed: a GOV.UK page shrinks about tenfold

    @classmethod
    def of(cls, response: HttpResponse) -> Kept | None:
        if response.status_code != 200 or response.streaming or response.cookies:
            return None
        if "no-store" in response.get("Cache-Control", ""):
            return None  # a view that says no cache may keep it means this one too
        headers = tuple((h, response[h]) for h in KEPT_HEADERS if response.has_header(h))
        return cls(response.status_code, headers, zlib.compress(response.content, 1))

    def response(self) -> HttpResponse:
        response = HttpResponse(zlib.decompress(self.body), status=self.status)
        for header, value in self.headers:
            response[header] = value
        return response


#: The values of the `X-Page-Cache` header (`PAGE_CACHE_HEADER`): served as kept, or worked out.
HIT, MISS = "hit", "miss"


def _told(response: Any, outcome: str) -> Any:
    """Says whether the cache served the response, when the settings ask (tests, diagnosis)."""
    if getattr(settings, "PAGE_CACHE_HEADER", False):
        response["X-Page-Cache"] = outcome
    return response


def _keep(key: str, value: Kept | KeptData, size: int) -> None:
    """Keep `value` unless its body (`size` bytes, compressed) is over `PAGE_CACHE_MAX_ENTRY_BYTES`:
    a page that large is rare, costs its render anyway, and would push out many small ones."""
    if size <= getattr(settings, "PAGE_CACHE_MAX_ENTRY_BYTES", 256 * 1024):
        _cache().set(key, value, timeout=lifetime())


def serve(request: HttpRequest, scope: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The kept page for this reader and scope, or `render()`'s, kept for next time."""
    if not usable(request):
        return render()
    key = reader_key(request, scope)
    kept = _cache().get(key)
    if isinstance(kept, Kept):
        return _told(kept.response(), HIT)
    response = render()
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    stored = Kept.of(response) if _still_keepable(request) else None
    if stored is not None:
        _keep(key, stored, len(stored.body))
    return _told(response, MISS)


def kept_for(scope: Callable[[HttpRequest], str]) -> Callable:
    """For a signed-in page that reads beyond one arrangement (e.g. under `login_required`):
    `scope(request)` names what it depends on, and refuses (raises) whoever may not see it."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not usable(request):
                return view(request, *args, **kwargs)
            return serve(request, scope(request), lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator


@dataclass(frozen=True)
class KeptData:
    """An API answer as data, before rendering: serializing the rows is what costs."""

    data: bytes  # JSON, compressed
    headers: tuple[tuple[str, str], ...]


def serve_data(request: Any, scope: str, produce: Callable[[], Any]) -> Any:
    """An API list's answer for this reader and scope (a DRF `Response`), kept as data.

    Content negotiation and rendering still run on every request; only the
    queries and the serializers are skipped.
    """
    from rest_framework.response import Response
    from rest_framework.utils.encoders import JSONEncoder

    if not usable(request, forms=False):
        return produce()
    key = "data:" + reader_key(request, scope)
    kept = _cache().get(key)
    if isinstance(kept, KeptData):
        data = json.loads(zlib.decompress(kept.data))
        return _told(Response(data, headers=dict(kept.headers)), HIT)
    response = produce()
    if (
        response.status_code == 200
        and not response.cookies
        and isinstance(response, Response)
        and _still_keepable(request)
    ):
        headers = tuple((h, response[h]) for h in ("Link",) if response.has_header(h))
        data = zlib.compress(json.dumps(response.data, cls=JSONEncoder).encode(), 1)
        _keep(key, KeptData(data, headers), len(data))
    return _told(response, MISS)
