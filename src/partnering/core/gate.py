"""How views pass the access policy: one decorator for every arrangement page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from partnering.core.policy import Perm, access_for


def arrangement_page(perm: Perm = Perm.VIEW, *, write_perm: Perm | None = None) -> Callable:
    """Resolve the member's `Access` to the arrangement in the URL, or refuse.

    Anonymous people go to the sign-in page; non-members get 404; members
    without `perm` get 403. `write_perm`, when given, is required for POST (and any other unsafe
    method); a page with only `perm=VIEW` needs CONTRIBUTE for one.
    The view receives `access` instead of the slug.
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
            access = access_for(user=request.user, arrangement_slug=slug, perm=needed)
            request.access = access  # type: ignore[attr-defined]
            return view(request, access, *args, **kwargs)

        wrapper.arrangement_gate = True  # type: ignore[attr-defined]
        return wrapper

    return decorator
