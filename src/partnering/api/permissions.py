"""Permissions every API view carries: signed in, and a token allowed to write.

What a member may do inside an arrangement is decided by the one access
policy (`partnering.core.policy`), not here; these classes only decide
whether the request may reach the view at all.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from partnering.accounts.authentication import token_allows_write


class TokenScopeAllowsMethod(BasePermission):
    """A read-only token may only use safe methods; session sign-ins may write."""

    message = "This token is read-only: create a read and write token to make changes."

    def has_permission(self, request: Any, view: Any) -> bool:
        return request.method in SAFE_METHODS or token_allows_write(request.auth)


#: The permission classes of every API view (DRF denies by default).
DEFAULT_PERMISSION_CLASSES = [IsAuthenticated, TokenScopeAllowsMethod]
