"""REST API of lessons learned.

/arrangements/{slug}/lessons/: the arrangement's lessons (list, read, record,
edit with `version`, publish). /lessons/?q=: search every lesson you may read,
across arrangements, with the same filters as the pages (q, stage, source, tag,
published).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.api.views_base import (
    ARRANGEMENT_SLUG_PARAMETER,
    UUID_REGEX,
    ApiMixin,
    ArrangementScopedMixin,
    NamedChoiceField,
)
from partnering.core.choices import Stage, Visibility
from partnering.core.policy import Perm
from partnering.lessons import selectors, services
from partnering.lessons.models import Authorship, Lesson, Source


class LessonSerializer(serializers.ModelSerializer):
    arrangement = serializers.CharField(source="arrangement.slug", read_only=True)
    stage = NamedChoiceField(Stage, read_only=True)
    source = NamedChoiceField(Source, read_only=True)
    visibility = NamedChoiceField(Visibility, read_only=True)
    tags = serializers.ListField(source="tag_list", child=serializers.CharField(), read_only=True)
    author_side = NamedChoiceField(Authorship, read_only=True)
    published_to = serializers.SerializerMethodField(help_text="The organisations whose libraries hold it.")

    class Meta:
        model = Lesson
        fields = [
            "uuid",
            "arrangement",
            "title",
            "what_happened",
            "lesson",
            "recommendation",
            "tags",
            "stage",
            "source",
            "source_label",
            "visibility",
            "author_side",
            "customer_consent_at",
            "provider_consent_at",
            "published_to",
            "published_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_published_to(self, obj: Lesson) -> list[str]:
        return [org.name for org in obj.published_to]


class LessonCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    what_happened = serializers.CharField()
    lesson = serializers.CharField()
    recommendation = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    stage = NamedChoiceField(Stage, required=False)
    visibility = NamedChoiceField(Visibility, default=Visibility.SHARED)
    joint = serializers.BooleanField(
        default=False, help_text="Written by both sides: published only when both sides' leads agree."
    )


class LessonUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you edited: a stale one gives 409.")
    title = serializers.CharField(max_length=300, required=False)
    what_happened = serializers.CharField(required=False)
    lesson = serializers.CharField(required=False)
    recommendation = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    stage = NamedChoiceField(Stage, required=False)


class PublishSerializer(serializers.Serializer):
    publish = serializers.BooleanField(
        default=True,
        help_text="True gives your side's consent (a joint lesson is published once both sides agree); "
        "False withdraws it from every other arrangement.",
    )


FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Full-text search: every word must match."),
    OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values),
    OpenApiParameter("source", OpenApiTypes.STR, enum=Source.values),
    OpenApiParameter("tag", OpenApiTypes.STR),
    OpenApiParameter("published", OpenApiTypes.BOOL, description="Only lessons published to future arrangements."),
]


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class LessonViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Lessons of an arrangement that your side may see."""

    queryset = Lesson.objects.none()
    serializer_class = LessonSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "lesson_uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {"create": Perm.CONTRIBUTE, "partial_update": Perm.CONTRIBUTE, "publish": Perm.EDIT_ARRANGEMENT}

    def get_queryset(self) -> QuerySet[Lesson]:
        if getattr(self, "swagger_fake_view", False):
            return Lesson.objects.none()
        filters = selectors.LessonFilters.from_query(self.request.query_params)
        return selectors.lessons_of_arrangement(access=self.get_access(), filters=filters)

    def _lesson(self) -> Lesson:
        return selectors.lesson_get(access=self.get_access(), lesson_uuid=self.kwargs["lesson_uuid"])

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LessonSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, lesson_uuid: str) -> Response:
        return Response(LessonSerializer(self._lesson()).data)

    @extend_schema(request=LessonCreateSerializer, responses={201: LessonSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        serializer = LessonCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lesson = services.lesson_create(access=self.get_access(), **serializer.validated_data)
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LessonUpdateSerializer, responses=LessonSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, lesson_uuid: str) -> Response:
        """Edit some of a lesson's fields; send the `version` you read (stale: 409)."""
        lesson = self._lesson()
        serializer = LessonUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes: dict[str, Any] = dict(serializer.validated_data)
        version = changes.pop("version")
        lesson = services.lesson_update(
            access=self.get_access(), lesson=lesson, expected_version=version, changes=changes
        )
        return Response(LessonSerializer(lesson).data)

    @extend_schema(request=PublishSerializer, responses=LessonSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, arrangement_slug: str, lesson_uuid: str) -> Response:
        """Your side's consent to publish the lesson to its authors' organisations (or its withdrawal).

        Only the side that wrote a lesson publishes it; a joint lesson needs both sides' leads."""
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lesson = services.lesson_publish(
            access=self.get_access(), lesson=self._lesson(), publish=serializer.validated_data["publish"]
        )
        return Response(LessonSerializer(lesson).data)


@extend_schema(parameters=FILTER_PARAMETERS)
class LessonSearchView(ApiMixin, generics.ListAPIView):
    """Every lesson you may read, across your arrangements and those published to them."""

    serializer_class = LessonSerializer

    def get_queryset(self) -> QuerySet[Lesson]:
        if getattr(self, "swagger_fake_view", False):
            return Lesson.objects.none()
        filters = selectors.LessonFilters.from_query(self.request.query_params)
        return selectors.lessons_search(user=self.request.user, filters=filters)
