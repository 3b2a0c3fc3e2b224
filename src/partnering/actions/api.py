"""REST API of actions: an arrangement's actions, and the person's own ("mine").

Edits carry the `version` the client read; a stale one gives 409 Conflict
with the fields that differ, instead of silently overwriting someone's work.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.actions import selectors, services
from partnering.actions.models import Action, ActionStatus
from partnering.api.views_base import (
    ARRANGEMENT_SLUG_PARAMETER,
    UUID_REGEX,
    ApiMixin,
    ArrangementScopedMixin,
    NamedChoiceField,
    arrangement_scope,
    kept_answer,
    member_scope,
)
from partnering.arrangements.api import PersonSerializer
from partnering.core.choices import Visibility
from partnering.core.policy import Access, Perm

User = get_user_model()

ACTION_FIELDS = [
    "uuid",
    "title",
    "description",
    "due_date",
    "status",
    "visibility",
    "is_overdue",
    "completed_at",
    "source_detail",
    "version",
    "created_at",
    "updated_at",
]


class ActionSerializer(serializers.ModelSerializer):
    owner = PersonSerializer(read_only=True, allow_null=True)
    status = NamedChoiceField(ActionStatus, read_only=True)
    visibility = NamedChoiceField(Visibility, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = [*ACTION_FIELDS[:3], "owner", *ACTION_FIELDS[3:]]
        read_only_fields = fields


class ArrangementRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)


class MyActionSerializer(serializers.ModelSerializer):
    """One of your own actions, with the arrangement it belongs to."""

    arrangement = ArrangementRefSerializer(read_only=True)
    status = NamedChoiceField(ActionStatus, read_only=True)
    visibility = NamedChoiceField(Visibility, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = ["arrangement", *ACTION_FIELDS]
        read_only_fields = fields


class ActionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.EmailField(
        required=False, allow_null=True, default=None, help_text="E-mail address of a member."
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    visibility = NamedChoiceField(Visibility, default=Visibility.SHARED)


class ActionUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you edited, from the last read: a stale one gives 409."
    )
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.EmailField(required=False, allow_null=True, help_text="E-mail address of a member, or null.")
    due_date = serializers.DateField(required=False, allow_null=True)
    status = NamedChoiceField(ActionStatus, required=False)


def _member_by_email(access: Access, email: str | None) -> Any:
    """The member with that address, or a field error.

    Looked up among this arrangement's members only, so the answer never
    tells whether someone outside it has an account.
    """
    if not email:
        return None
    user = User.objects.filter(
        email__iexact=email,
        memberships__arrangement=access.arrangement,
        memberships__is_active=True,
    ).first()
    if user is None:
        raise ValidationError({"owner": "The owner must be a member of this arrangement."})
    return user


OPEN_PARAMETER = OpenApiParameter(
    "all",
    OpenApiTypes.BOOL,
    description="Include done and cancelled actions (only open ones by default).",
)


def _wants_all(request: Request) -> bool:
    return request.query_params.get("all", "").lower() in {"1", "true", "yes"}


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class ActionViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Actions of an arrangement that your side may see."""

    queryset = Action.objects.none()
    serializer_class = ActionSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {"create": Perm.CONTRIBUTE, "partial_update": Perm.CONTRIBUTE}

    def get_queryset(self) -> QuerySet[Action]:
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        return selectors.actions_for_arrangement(access=self.get_access(), open_only=not _wants_all(self.request))

    def _action(self) -> Action:
        return selectors.action_get(access=self.get_access(), action_uuid=self.kwargs["uuid"])

    @extend_schema(parameters=[OPEN_PARAMETER])
    @kept_answer(arrangement_scope)
    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ActionSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        return Response(ActionSerializer(self._action()).data)

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        access = self.get_access()
        serializer = ActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["owner"] = _member_by_email(access, data["owner"])
        action = services.action_create(access=access, **data)
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionUpdateSerializer, responses=ActionSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Edit an action; send the `version` you read. A stale one gives 409 with the changes."""
        access = self.get_access()
        action = self._action()
        serializer = ActionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        if "owner" in changes:
            changes["owner"] = _member_by_email(access, changes["owner"])
        action = services.action_update(access=access, action=action, expected_version=version, changes=changes)
        return Response(ActionSerializer(action).data)


class MyActionsView(ApiMixin, generics.ListAPIView):
    """Your own actions across every arrangement you are still a member of."""

    serializer_class = MyActionSerializer
    queryset = Action.objects.none()

    def get_queryset(self) -> QuerySet[Action]:
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        return selectors.actions_for_user(user=self.request.user, open_only=not _wants_all(self.request))

    @extend_schema(parameters=[OPEN_PARAMETER])
    @kept_answer(member_scope)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
