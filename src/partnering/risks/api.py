"""REST API of the shared risk register.

Listing takes the same filters as the register page (side, category, owner,
status, rating, overdue, q, sort). Edits carry the `version` the client read;
a stale one gives 409 Conflict with the fields that differ.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.api.views_base import (
    ARRANGEMENT_SLUG_PARAMETER,
    UUID_REGEX,
    ArrangementScopedMixin,
    NamedChoiceField,
    arrangement_scope,
    kept_answer,
)
from partnering.arrangements.api import PersonSerializer
from partnering.core.choices import Visibility
from partnering.core.policy import Access, Perm
from partnering.risks import selectors, services
from partnering.risks.models import Category, OwningSide, Proximity, Risk, RiskStatus
from partnering.risks.models import Response as RiskResponse
from partnering.risks.scoring import Rating

User = get_user_model()


class RiskSerializer(serializers.ModelSerializer):
    owner = PersonSerializer(read_only=True, allow_null=True)
    category = NamedChoiceField(Category, read_only=True)
    owning_side = NamedChoiceField(OwningSide, read_only=True)
    proximity = NamedChoiceField(Proximity, read_only=True, allow_null=True, help_text="Null when not set.")
    response = NamedChoiceField(RiskResponse, read_only=True, allow_null=True, help_text="Null when not set.")
    status = NamedChoiceField(RiskStatus, read_only=True)
    rating = NamedChoiceField(Rating, read_only=True)
    visibility = NamedChoiceField(Visibility, read_only=True)
    is_review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Risk
        fields = [
            "uuid",
            "reference",
            "title",
            "description",
            "category",
            "owning_side",
            "owner",
            "owner_rationale",
            "likelihood",
            "impact",
            "score",
            "rating",
            "proximity",
            "response",
            "status",
            "next_review_date",
            "is_review_overdue",
            "visibility",
            "shared_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _RiskInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    category = NamedChoiceField(Category, required=False)
    owning_side = NamedChoiceField(OwningSide)
    owner = serializers.EmailField(required=False, allow_null=True, help_text="E-mail address of a member, or null.")
    owner_rationale = serializers.CharField(required=False, allow_blank=True)
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    impact = serializers.IntegerField(min_value=1, max_value=5)
    proximity = NamedChoiceField(Proximity, required=False, allow_blank=True)
    response = NamedChoiceField(RiskResponse, required=False, allow_blank=True)
    next_review_date = serializers.DateField(required=False, allow_null=True)


class RiskCreateSerializer(_RiskInput):
    visibility = NamedChoiceField(
        Visibility,
        default=Visibility.SHARED,
        help_text="Private to your own side only when the arrangement has no single risk register.",
    )


class RiskUpdateSerializer(_RiskInput):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you edited, from the last read: a stale one gives 409."
    )
    status = NamedChoiceField(RiskStatus, required=False)

    def __init__(self, *args: Any, partial_fields: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partial_fields:
            for name, f in self.fields.items():
                if name != "version":
                    f.required = False


def _member_by_email(access: Access, email: str | None) -> Any:
    """The member with that address, looked up among this arrangement's members only."""
    if not email:
        return None
    user = User.objects.filter(
        email__iexact=email, memberships__arrangement=access.arrangement, memberships__is_active=True
    ).first()
    if user is None:
        raise ValidationError({"owner": "The owner must be a member of this arrangement."})
    return user


FILTER_PARAMETERS = [
    OpenApiParameter("side", OpenApiTypes.STR, enum=OwningSide.values, description="Owning side."),
    OpenApiParameter("category", OpenApiTypes.STR, enum=Category.values),
    OpenApiParameter("owner", OpenApiTypes.STR, description="Membership UUID of the owner, or `none`."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=RiskStatus.values),
    OpenApiParameter("rating", OpenApiTypes.STR, enum=Rating.values),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only open risks overdue for review."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Search reference, title and description."),
    OpenApiParameter(
        "sort", OpenApiTypes.STR, description=f"One of {', '.join(selectors.SORTS)}; prefix - to reverse."
    ),
]


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class RiskViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Risks of an arrangement that your side may see."""

    queryset = Risk.objects.none()
    serializer_class = RiskSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "risk_uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {
        "create": Perm.CONTRIBUTE,
        "update": Perm.CONTRIBUTE,
        "partial_update": Perm.CONTRIBUTE,
        "share": Perm.CONTRIBUTE,
    }

    def get_queryset(self) -> QuerySet[Risk]:
        if getattr(self, "swagger_fake_view", False):
            return Risk.objects.none()
        access = self.get_access()
        filters = selectors.RegisterFilters.from_query(self.request.query_params, access=access)
        return selectors.risk_register(access=access, filters=filters)

    def _risk(self) -> Risk:
        return selectors.risk_get(access=self.get_access(), risk_uuid=self.kwargs["risk_uuid"])

    @extend_schema(parameters=FILTER_PARAMETERS)
    @kept_answer(arrangement_scope)
    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RiskSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, risk_uuid: str) -> Response:
        return Response(RiskSerializer(self._risk()).data)

    @extend_schema(request=RiskCreateSerializer, responses={201: RiskSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        access = self.get_access()
        serializer = RiskCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["owner"] = _member_by_email(access, data.get("owner"))
        risk = services.risk_create(access=access, **data)
        return Response(RiskSerializer(risk).data, status=status.HTTP_201_CREATED)

    def _update(self, request: Request, *, partial: bool) -> Response:
        access = self.get_access()
        risk = self._risk()
        serializer = RiskUpdateSerializer(data=request.data, partial_fields=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        if "owner" in changes:
            changes["owner"] = _member_by_email(access, changes["owner"])
        risk = services.risk_update(access=access, risk=risk, expected_version=version, changes=changes)
        return Response(RiskSerializer(risk).data)

    @extend_schema(request=RiskUpdateSerializer, responses=RiskSerializer)
    def update(self, request: Request, arrangement_slug: str, risk_uuid: str) -> Response:
        """Replace a risk's editable fields; send the `version` you read (stale: 409)."""
        return self._update(request, partial=False)

    @extend_schema(request=RiskUpdateSerializer, responses=RiskSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, risk_uuid: str) -> Response:
        """Edit some of a risk's fields; send the `version` you read (stale: 409)."""
        return self._update(request, partial=True)

    @extend_schema(request=None, responses=RiskSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request: Request, arrangement_slug: str, risk_uuid: str) -> Response:
        """Share your side's private risk (and its actions) with the other side."""
        risk = services.risk_share(access=self.get_access(), risk=self._risk())
        return Response(RiskSerializer(risk).data)
