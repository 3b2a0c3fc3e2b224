"""How views pass the access policy: one decorator for every arrangement page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from partnering.core import pagecache
from partnering.core.policy import Perm, access_for, standing_for


def arrangement_page(
    perm: Perm = Perm.VIEW,
    *,
    write_perm: Perm | None = None,
    kept: bool = False,
    kept_also: Callable[[Any], str] | None = None,
) -> Callable:
    """Resolve the member's `Access` to the arrangement in the URL, or refuse.

    Anonymous people go to the sign-in page; non-members get 404; members
    without `perm` get 403. `write_perm`, when given, is required for POST (and any other unsafe
    method); a page with only `perm=VIEW` needs CONTRIBUTE for one.
    The view receives `access` instead of the slug.

    `kept=True` keeps the page's GET answer for its reader (`core.pagecache`): the
    member's standing is read live first, and while the arrangement is unwritten the
    page kept for them is served without loading or rendering anything.
    `kept_also(user)` names what else the page shows from outside the arrangement.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            needed = perm
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                # A read-only page still refuses writes from people who only read.
                needed = write_perm or (perm if perm != Perm.VIEW else Perm.CONTRIBUTE)

            def answer() -> HttpResponse:
                access = access_for(user=request.user, arrangement_slug=slug, perm=needed)
                request.access = access  # type: ignore[attr-defined]
                return view(request, access, *args, **kwargs)

            if kept and pagecache.usable(request):
                standing = standing_for(user=request.user, arrangement_slug=slug)
                if standing is not None and standing.has(needed):
                    scope = pagecache.standing_scope(standing)
                    if kept_also is not None:
                        scope += kept_also(request.user)
                    return pagecache.serve(request, scope, answer)
            return answer()  # refusals, writes, and pages not kept

        wrapper.arrangement_gate = True  # type: ignore[attr-defined]
        return wrapper

    return decorator
