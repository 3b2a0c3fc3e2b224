"""What every API view shares: default permissions, error translation, the gate.

Every view that touches an arrangement resolves the member's `Access` through
`partnering.core.policy.access_for`, once per request: non-members get 404,
members lacking the role 403. Writes name the permission they need so that a
member without it gets 403 before their input is even validated.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
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
from partnering.core import pagecache
from partnering.core.policy import Access, Perm, Standing, access_for, standing_for

UUID_REGEX = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
SLUG_REGEX = r"[-a-zA-Z0-9_]+"

#: The arrangement in the path of every nested endpoint, for the schema.
ARRANGEMENT_SLUG_PARAMETER = OpenApiParameter(
    "arrangement_slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The slug of the arrangement.",
    # As the URL's converter: a value that cannot match is never routed (404 from Django).
    pattern=f"^{SLUG_REGEX}$",
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

    def get_standing(self) -> Standing | None:
        """The member's standing, read live and light (see `policy.Standing`); None for others."""
        if not hasattr(self, "_standing"):
            request = self.request  # type: ignore[attr-defined]
            self._standing = standing_for(user=request.user, arrangement_slug=self.kwargs[self.arrangement_kwarg])  # type: ignore[attr-defined]
        return self._standing

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        """Gate the request before any input is parsed or validated.

        A list kept for its reader (`kept_answer`) is gated on the member's standing,
        so that serving it loads nothing more; the full `Access` is loaded when
        the list is worked out, and anyone the standing does not admit goes
        through `access_for`, which refuses them.
        """
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        perm = self.action_perms.get(getattr(self, "action", None) or request.method.lower())
        method = getattr(self, getattr(self, "action", None) or "", None)
        if getattr(method, "kept", False) and pagecache.usable(request, forms=False):
            standing = self.get_standing()
            if standing is not None and standing.has(perm or Perm.VIEW):
                return
        access = self.get_access()
        if perm is not None:
            access.require(perm)


def kept_answer(scope: Callable[[Any], str]) -> Callable:
    """A list's answer kept for the reader under `scope(view)` (see `core.pagecache`).

    The gate and the token's checks run first, on every request (`initial`); only the
    queries and the serializers are skipped while nothing the list shows was written.
    """

    def decorator(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            if not pagecache.usable(request, forms=False):
                return method(self, request, *args, **kwargs)
            return pagecache.serve_data(request, scope(self), lambda: method(self, request, *args, **kwargs))

        wrapper.kept = True  # type: ignore[attr-defined]
        return wrapper

    return decorator


def arrangement_scope(view: ArrangementScopedMixin) -> str:
    """The scope of a list inside one arrangement: its counter, the reader's side, roles, openness."""
    standing = view.get_standing()
    if standing is None:  # not a member: refused by the gate before this is asked
        raise PermissionDenied
    return pagecache.standing_scope(standing)


def member_scope(view: Any) -> str:
    """The scope of a list across the reader's arrangements."""
    return pagecache.member_scope(view.request.user)


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
    per field name and warn about it. A blank stored value is shown as null, so
    a field whose model field may be blank must say `allow_null=True` for the
    schema to admit it.
    """

    def __init__(self, choices_class: type[models.TextChoices], **kwargs: Any) -> None:
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)

    def to_representation(self, value: Any) -> Any:
        if value in ("", None):
            return None
        return super().to_representation(value)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """One enum component per choices class, named after the class.

    A nullable field (`allow_null=True`, for a model field that may be blank)
    refers to the same component: drf-spectacular adds `nullable: true` next to
    the reference, so the shared component itself never admits null.
    """

    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        return choices_enum_name(self.target.choices_class)

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        choices = self.target.choices_class.choices
        return {
            "type": "string",
            "enum": [value for value, _ in choices],
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
        }


def _project_choices_classes() -> list[type[models.Choices]]:
    """Every choices class defined in partnering's own modules."""
    found: list[type[models.Choices]] = []
    pending: list[type[models.Choices]] = [models.TextChoices, models.IntegerChoices]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("partnering."):
                found.append(sub)
    return found


@functools.cache
def _shared_class_names() -> frozenset[str]:
    """Names that two of the project's choices classes share (e.g. lessons' and KPIs' `Source`)."""
    counts = Counter(cls.__name__ for cls in _project_choices_classes())
    return frozenset(name for name, count in counts.items() if count > 1)


def choices_enum_name(choices_class: type[models.Choices]) -> str:
    """The schema's name for a choices class: unique, and the same on every run.

    `RiskStatusEnum` for a class whose name is the project's only one; a name
    that two apps use is prefixed with the app, whether or not both are in the
    API (`LessonsSourceEnum`, `KpisSourceEnum`), so that adding one of them to
    the API later does not rename the other. drf-spectacular's own collision
    handling (and `ENUM_NAME_OVERRIDES`) does not see extension-named enums.
    """
    name = choices_class.__name__
    if name in _shared_class_names():
        app = apps.get_containing_app_config(choices_class.__module__)
        label = app.label if app is not None else choices_class.__module__.split(".")[1]
        name = "".join(part.title() for part in label.split("_")) + name
    return f"{name}Enum"
