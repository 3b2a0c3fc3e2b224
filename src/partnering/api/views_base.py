"""What every API view shares: default permissions, error translation, the gate.

Every view that touches an arrangement resolves the member's `Access` through
`partnering.core.policy.access_for`, once per request: non-members get 404,
members lacking the role 403. Writes name the permission they need so that a
member without it gets 403 before their input is even validated.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from partnering.api.errors import api_exception_handler
from partnering.api.permissions import DEFAULT_PERMISSION_CLASSES
from partnering.core.policy import Access, Perm, access_for

UUID_REGEX = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
SLUG_REGEX = r"[-a-zA-Z0-9_]+"

#: The arrangement in the path of every nested endpoint, for the schema.
ARRANGEMENT_SLUG_PARAMETER = OpenApiParameter(
    "arrangement_slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The slug of the arrangement.",
)


class ApiMixin:
    """Deny by default and translate domain exceptions (400, 403, 404, 409)."""

    permission_classes = DEFAULT_PERMISSION_CLASSES

    def get_exception_handler(self) -> Any:
        return api_exception_handler


class ArrangementScopedMixin(ApiMixin):
    """Views under /arrangements/{arrangement_slug}/: the member's access, resolved once."""

    arrangement_kwarg = "arrangement_slug"
    #: The permission each action needs beyond membership, e.g. {"create": Perm.CONTRIBUTE}.
    action_perms: dict[str, Perm] = {}

    def get_access(self) -> Access:
        cached = getattr(self, "_access", None)
        if cached is None:
            request = self.request  # type: ignore[attr-defined]
            slug = self.kwargs[self.arrangement_kwarg]  # type: ignore[attr-defined]
            cached = access_for(user=request.user, arrangement_slug=slug)
            self._access = cached
        return cached

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        """Gate the request before any input is parsed or validated."""
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        access = self.get_access()
        perm = self.action_perms.get(getattr(self, "action", None) or request.method.lower())
        if perm is not None:
            access.require(perm)


def detail_response(name: str, **fields: serializers.Field) -> serializers.Serializer:
    """A small inline response schema, for endpoints that answer with a summary."""
    return inline_serializer(name=name, fields=fields)


# -- the schema ------------------------------------------------------------------


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents `Authorization: Bearer <token>` (personal access tokens) in the schema."""

    target_class = "partnering.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choices are one `TextChoices` class, named once in the schema.

    Fields of different names share the same vocabulary (`stage`, `from_stage`,
    `to_stage`); without a name of its own drf-spectacular would emit one enum
    per field name and warn about it. A blank stored value is shown as null.
    """

    def __init__(self, choices_class: type[models.TextChoices], **kwargs: Any) -> None:
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)

    def to_representation(self, value: Any) -> Any:
        if value in ("", None):
            return None
        return super().to_representation(value)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        return f"{self.target.choices_class.__name__}Enum"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        choices = self.target.choices_class.choices
        return {
            "type": "string",
            "enum": [value for value, _ in choices],
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
        }
