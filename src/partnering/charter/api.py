"""REST API of the partnering charter: versions, editing the working text, signing, comments.

Edits carry the version number and lock `version` the client read; a stale one
gives 409 Conflict. Signing names the lock version read, so a text changed
meanwhile is never signed unseen.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, UUID_REGEX, ArrangementScopedMixin, NamedChoiceField
from partnering.arrangements.api import PersonSerializer
from partnering.charter import selectors, services
from partnering.charter.models import SECTION_FIELDS, CharterComment, CharterVersion, VersionStatus
from partnering.core.policy import Perm


class SectionSerializer(serializers.Serializer):
    heading = serializers.CharField(max_length=200)
    text = serializers.CharField(allow_blank=True)


class CharterVersionSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(VersionStatus, read_only=True)
    extra_sections = SectionSerializer(many=True, read_only=True)
    sro_signed_by = PersonSerializer(read_only=True, allow_null=True)
    srie_signed_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CharterVersion
        fields = [
            "uuid",
            "number",
            "status",
            *SECTION_FIELDS,
            "extra_sections",
            "sro_signed_by",
            "sro_signed_at",
            "srie_signed_by",
            "srie_signed_at",
            "agreed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CharterEditSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=0, help_text="The version number you edited (0 for a first draft).")
    version = serializers.IntegerField(min_value=0, help_text="Its lock version, from the last read.")
    extra_sections = SectionSerializer(many=True, required=False)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for name in SECTION_FIELDS:
            self.fields[name] = serializers.CharField(required=False, allow_blank=True)


class SignSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The lock version of the text you read.")


class CharterCommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CharterComment
        fields = ["uuid", "author", "text", "created_at"]
        read_only_fields = ["uuid", "author", "created_at"]


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class CharterVersionViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Versions of the arrangement's charter, newest first."""

    queryset = CharterVersion.objects.none()
    serializer_class = CharterVersionSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "version_uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {"create": Perm.CONTRIBUTE, "sign": Perm.CONTRIBUTE, "comments": Perm.VIEW}

    def get_queryset(self) -> QuerySet[CharterVersion]:
        if getattr(self, "swagger_fake_view", False):
            return CharterVersion.objects.none()
        return selectors.versions(access=self.get_access())

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CharterVersionSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, version_uuid: str) -> Response:
        version = selectors.version_get(access=self.get_access(), version_uuid=version_uuid)
        return Response(CharterVersionSerializer(version).data)

    @extend_schema(request=CharterEditSerializer, responses={201: CharterVersionSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        """Save the working text: into the draft, or as a new draft after agreement (stale: 409)."""
        serializer = CharterEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        number, version = data.pop("number"), data.pop("version")
        saved = services.charter_edit(
            access=self.get_access(), expected_number=number, expected_version=version, values=data
        )
        return Response(CharterVersionSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SignSerializer, responses=CharterVersionSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, arrangement_slug: str, version_uuid: str) -> Response:
        """The SRO or the SRIE signs this draft; the second signature agrees it."""
        access = self.get_access()
        serializer = SignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = selectors.version_get(access=access, version_uuid=version_uuid)
        signed = services.charter_sign(
            access=access, version=version, expected_version=serializer.validated_data["version"]
        )
        return Response(CharterVersionSerializer(signed).data)

    @extend_schema(methods=["GET"], responses=CharterCommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=CharterCommentSerializer, responses={201: CharterCommentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request: Request, arrangement_slug: str, version_uuid: str) -> Response:
        """The version's discussion; POST adds a comment."""
        access = self.get_access()
        version = selectors.version_get(access=access, version_uuid=version_uuid)
        if request.method == "POST":
            access.require(Perm.CONTRIBUTE)
            serializer = CharterCommentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = services.charter_comment_add(
                access=access, version=version, text=serializer.validated_data["text"]
            )
            return Response(CharterCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        return Response(CharterCommentSerializer(selectors.comments(version=version), many=True).data)
