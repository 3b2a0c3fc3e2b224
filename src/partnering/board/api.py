"""REST API of the joint project board: meetings (with their decisions) and the decisions log.

Edits carry the `version` the client read; a stale one gives 409 Conflict.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, UUID_REGEX, ArrangementScopedMixin
from partnering.arrangements.api import PersonSerializer
from partnering.board import selectors, services
from partnering.board.models import Decision, Meeting
from partnering.core.policy import Perm


class DecisionSerializer(serializers.ModelSerializer):
    meeting = serializers.UUIDField(source="meeting.uuid", read_only=True)

    class Meta:
        model = Decision
        fields = ["uuid", "reference", "title", "rationale", "meeting", "version", "created_at", "updated_at"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    attendees = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["uuid", "title", "held_on", "location", "attendees", "agenda", "minutes", "version", "created_at"]
        read_only_fields = fields


class MeetingInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    held_on = serializers.DateField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    attendees = serializers.ListField(
        child=serializers.EmailField(), required=False, help_text="E-mail addresses of members."
    )
    agenda = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)


class MeetingUpdateSerializer(MeetingInputSerializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you edited: a stale one gives 409.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            if name != "version":
                f.required = False


class DecisionInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    rationale = serializers.CharField(required=False, allow_blank=True)


def _members(access: Any, emails: list[str] | None) -> list[Any] | None:
    if emails is None:
        return None
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    users = list(
        get_user_model().objects.filter(
            email__in=emails, memberships__arrangement=access.arrangement, memberships__is_active=True
        )
    )
    if len(users) != len(set(emails)):
        raise ValidationError({"attendees": "Every attendee must be a member of this arrangement."})
    return users


class _BoardMixin(ArrangementScopedMixin):
    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not services.board_in_use(self.get_access()):
            raise PermissionDenied(services.NO_BOARD)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class MeetingViewSet(_BoardMixin, viewsets.GenericViewSet):
    """Meetings of the joint project board, newest first."""

    queryset = Meeting.objects.none()
    serializer_class = MeetingSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "meeting_uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {"create": Perm.CONTRIBUTE, "partial_update": Perm.CONTRIBUTE}

    def get_queryset(self) -> QuerySet[Meeting]:
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return selectors.meetings(access=self.get_access()).prefetch_related("attendees")

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, meeting_uuid: str) -> Response:
        meeting = selectors.meeting_get(access=self.get_access(), meeting_uuid=meeting_uuid)
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        access = self.get_access()
        serializer = MeetingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["attendees"] = _members(access, data.get("attendees")) or []
        meeting = services.meeting_create(access=access, **data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, meeting_uuid: str) -> Response:
        """Edit a meeting; send the `version` you read (stale: 409)."""
        access = self.get_access()
        meeting = selectors.meeting_get(access=access, meeting_uuid=meeting_uuid)
        serializer = MeetingUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        if "attendees" in changes:
            changes["attendees"] = _members(access, changes["attendees"])
        meeting = services.meeting_update(access=access, meeting=meeting, expected_version=version, changes=changes)
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, arrangement_slug: str, meeting_uuid: str) -> Response:
        """Record a decision taken at this meeting."""
        access = self.get_access()
        access.require(Perm.CONTRIBUTE)
        meeting = selectors.meeting_get(access=access, meeting_uuid=meeting_uuid)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.decision_add(access=access, meeting=meeting, **serializer.validated_data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class DecisionViewSet(_BoardMixin, viewsets.GenericViewSet):
    """The decisions log across meetings, newest first."""

    queryset = Decision.objects.none()
    serializer_class = DecisionSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "decision_uuid"
    lookup_value_regex = UUID_REGEX

    def get_queryset(self) -> QuerySet[Decision]:
        if getattr(self, "swagger_fake_view", False):
            return Decision.objects.none()
        return selectors.decisions_log(access=self.get_access())

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DecisionSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, decision_uuid: str) -> Response:
        decision = selectors.decision_get(access=self.get_access(), decision_uuid=decision_uuid)
        return Response(DecisionSerializer(decision).data)
