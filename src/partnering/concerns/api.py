"""REST API of the concern log.

Concerns follow the same visibility rule as the pages (see services). Edits
and resolutions carry the `version` the client read; a stale one gives 409.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, UUID_REGEX, ArrangementScopedMixin, NamedChoiceField
from partnering.arrangements.api import PersonSerializer
from partnering.concerns import selectors, services
from partnering.concerns.models import Concern, ConcernComment, ConcernStatement, ConcernStatus, EscalationEvent
from partnering.core.choices import Side, Visibility
from partnering.core.policy import Perm

_LEVEL_HELP = "1 working level, 2 relationship managers, 3 SRO and SRIE, 4 joint board."


class StatementSerializer(serializers.ModelSerializer):
    side = NamedChoiceField(Side, read_only=True)
    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ConcernStatement
        fields = ["side", "text", "author", "version", "updated_at"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = EscalationEvent
        fields = ["from_level", "to_level", "reason", "by", "created_at"]
        read_only_fields = fields


class ConcernCommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ConcernComment
        fields = ["uuid", "text", "author", "created_at"]
        read_only_fields = fields


class ConcernSerializer(serializers.ModelSerializer):
    raised_by = PersonSerializer(read_only=True, allow_null=True)
    raised_by_side = NamedChoiceField(Side, read_only=True)
    level = serializers.IntegerField(read_only=True, help_text=_LEVEL_HELP)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status = NamedChoiceField(ConcernStatus, read_only=True)
    visibility = NamedChoiceField(Visibility, read_only=True)

    class Meta:
        model = Concern
        fields = [
            "uuid",
            "reference",
            "title",
            "description",
            "impact",
            "other_side_view",
            "raised_by",
            "raised_by_side",
            "level",
            "level_label",
            "level_since",
            "status",
            "visibility",
            "shared_at",
            "resolved_at",
            "resolution_summary",
            "publishable_as_lesson",
            "lesson_text",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ConcernDetailSerializer(ConcernSerializer):
    statements = StatementSerializer(many=True, read_only=True)
    escalations = EscalationSerializer(many=True, read_only=True)

    class Meta(ConcernSerializer.Meta):
        fields = [*ConcernSerializer.Meta.fields, "statements", "escalations"]
        read_only_fields = fields


class ConcernCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField()
    impact = serializers.CharField()
    other_side_view = serializers.CharField(help_text="How the other party sees the issue: required.")
    level = serializers.IntegerField(min_value=1, max_value=4, default=1, help_text=_LEVEL_HELP)


class ConcernUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you edited: a stale one gives 409.")
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False)
    impact = serializers.CharField(required=False)
    other_side_view = serializers.CharField(required=False)


class EscalateSerializer(serializers.Serializer):
    to_level = serializers.IntegerField(min_value=1, max_value=4, help_text=_LEVEL_HELP)
    reason = serializers.CharField(max_length=2000)


class ResolveSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    summary = serializers.CharField(help_text="A no-blame summary of how the concern was resolved.")
    publishable_as_lesson = serializers.BooleanField(default=False)
    lesson_text = serializers.CharField(required=False, allow_blank=True, default="")


class StatementInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    version = serializers.IntegerField(required=False, help_text="When editing your side's statement.")


class ConcernCommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class ConcernViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Concerns of an arrangement that your side may see."""

    queryset = Concern.objects.none()
    serializer_class = ConcernSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "concern_uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {
        "create": Perm.CONTRIBUTE,
        "partial_update": Perm.CONTRIBUTE,
        "escalate": Perm.CONTRIBUTE,
        "share": Perm.CONTRIBUTE,
        "resolve": Perm.CONTRIBUTE,
        "statement": Perm.CONTRIBUTE,
    }

    def get_queryset(self) -> QuerySet[Concern]:
        if getattr(self, "swagger_fake_view", False):
            return Concern.objects.none()
        status_filter = self.request.query_params.get("status", "all")
        return selectors.concern_list(access=self.get_access(), status=status_filter)

    def _concern(self) -> Concern:
        return selectors.concern_get(access=self.get_access(), concern_uuid=self.kwargs["concern_uuid"])

    @extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=list(selectors.STATUS_FILTERS))],
    )
    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ConcernSerializer(page, many=True).data)

    @extend_schema(responses=ConcernDetailSerializer)
    def retrieve(self, request: Request, arrangement_slug: str, concern_uuid: str) -> Response:
        concern = self._concern()
        return Response(ConcernDetailSerializer(concern).data)

    @extend_schema(request=ConcernCreateSerializer, responses={201: ConcernSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        serializer = ConcernCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        concern = services.concern_raise(access=self.get_access(), **serializer.validated_data)
        return Response(ConcernSerializer(concern).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConcernUpdateSerializer, responses=ConcernSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, concern_uuid: str) -> Response:
        """Edit the wording; send the `version` you read (stale: 409)."""
        serializer = ConcernUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        concern = services.concern_update(
            access=self.get_access(), concern=self._concern(), expected_version=version, changes=changes
        )
        return Response(ConcernSerializer(concern).data)

    @extend_schema(request=EscalateSerializer, responses=ConcernSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, arrangement_slug: str, concern_uuid: str) -> Response:
        """Move the concern up or down the ladder, with a reason."""
        serializer = EscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        concern = self._concern()
        services.concern_escalate(access=self.get_access(), concern=concern, **serializer.validated_data)
        return Response(ConcernSerializer(self._concern()).data)

    @extend_schema(request=None, responses=ConcernSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request: Request, arrangement_slug: str, concern_uuid: str) -> Response:
        """Share your side's private concern with the other side."""
        concern = services.concern_share(access=self.get_access(), concern=self._concern())
        return Response(ConcernSerializer(concern).data)

    @extend_schema(request=ResolveSerializer, responses=ConcernSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, arrangement_slug: str, concern_uuid: str) -> Response:
        """Resolve with a no-blame summary; send the `version` you read (stale: 409)."""
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        concern = services.concern_resolve(
            access=self.get_access(), concern=self._concern(), expected_version=data.pop("version"), **data
        )
        return Response(ConcernSerializer(concern).data)

    @extend_schema(request=StatementInputSerializer, responses=StatementSerializer)
    @action(detail=True, methods=["post"])
    def statement(self, request: Request, arrangement_slug: str, concern_uuid: str) -> Response:
        """The other side adds (or edits) its own statement of the issue."""
        serializer = StatementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = services.concern_statement_save(
            access=self.get_access(),
            concern=self._concern(),
            text=serializer.validated_data["text"],
            expected_version=serializer.validated_data.get("version"),
        )
        return Response(StatementSerializer(statement).data)

    @extend_schema(methods=["GET"], responses=ConcernCommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=ConcernCommentInputSerializer, responses={201: ConcernCommentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request: Request, arrangement_slug: str, concern_uuid: str) -> Response:
        """The concern's discussion: read it, or add a comment."""
        concern = self._concern()
        if request.method == "GET":
            return Response(ConcernCommentSerializer(selectors.concern_comments(concern=concern), many=True).data)
        self.get_access().require(Perm.CONTRIBUTE)
        serializer = ConcernCommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.concern_comment_add(
            access=self.get_access(), concern=concern, text=serializer.validated_data["text"]
        )
        return Response(ConcernCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
