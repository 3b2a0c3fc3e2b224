"""Personal access tokens for the API."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from partnering.accounts.models import ApiToken, TokenScope, hash_token


@transaction.atomic
def token_create(*, user: Any, name: str, scope: str = TokenScope.READ) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and shown once."""
    raw = ApiToken.generate()
    token = ApiToken(user=user, name=name.strip() or "Token", prefix=raw[:10], key_hash=hash_token(raw), scope=scope)
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def token_revoke(*, user: Any, token_uuid: str) -> ApiToken:
    token = ApiToken.objects.get(user=user, uuid=token_uuid, revoked_at__isnull=True)
    token.revoke()
    return token
