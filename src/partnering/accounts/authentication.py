"""`Authorization: Bearer <token>` for the REST API."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from partnering.accounts.models import TOKEN_PREFIX, ApiToken, TokenScope, hash_token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Personal access tokens, hashed at rest and revocable.

    It is the first authentication class so that anonymous API calls get 401
    with a WWW-Authenticate header rather than 403.
    """

    keyword = "Bearer"

    def authenticate(self, request):  # noqa: ANN001, ANN201
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0] != self.keyword:
            return None
        if len(parts) != 2 or not parts[1].startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed("Malformed bearer token.")
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(parts[1]), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        # Write last-used at most once a minute, not on every request.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):  # noqa: ANN001, ANN201
        return self.keyword


def token_allows_write(auth: object) -> bool:
    """Session sign-ins may write; a token only when its scope says so."""
    if isinstance(auth, ApiToken):
        return auth.scope == TokenScope.READ_WRITE
    return True
