"""REST API of the open books and incentive mechanisms.

Cost lines come only from the books the member may read (the openness
profile, through `Access.sees_book_of`); a line of a closed book answers 404
as if it did not exist. Amounts are decimal strings ("1250.00"), never floats.
Edits carry the `version` the client read; a stale one gives 409.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, UUID_REGEX, ArrangementScopedMixin, NamedChoiceField
from partnering.core.policy import Perm
from partnering.finance import selectors, services
from partnering.finance.models import Basis, Book, CostCategory, CostLine, IncentiveMechanism

_MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}
_PCT = {"max_digits": 5, "decimal_places": 2, "coerce_to_string": True}


class CostLineSerializer(serializers.ModelSerializer):
    side = NamedChoiceField(Book, read_only=True)
    category = NamedChoiceField(CostCategory, read_only=True)
    planned = serializers.DecimalField(read_only=True, **_MONEY)
    actual = serializers.DecimalField(read_only=True, **_MONEY)
    margin_pct = serializers.DecimalField(read_only=True, allow_null=True, **_PCT)

    class Meta:
        model = CostLine
        fields = ["uuid", "side", "period", "category", "description", "planned", "actual", "margin_pct", "version"]
        read_only_fields = fields


class CostLineCreateSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="Any date in the month; stored as the first of the month.")
    category = NamedChoiceField(CostCategory)
    description = serializers.CharField(max_length=300)
    planned = serializers.DecimalField(**_MONEY)
    actual = serializers.DecimalField(required=False, **_MONEY)
    margin_pct = serializers.DecimalField(
        required=False, allow_null=True, help_text="Provider's book only.", min_value=0, max_value=100, **_PCT
    )


class CostLineUpdateSerializer(CostLineCreateSerializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you read: a stale one gives 409.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            if name != "version":
                f.required = False


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class CostLineViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Cost lines of the books your side may read; you write only your own side's book."""

    queryset = CostLine.objects.none()
    serializer_class = CostLineSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {"create": Perm.CONTRIBUTE, "partial_update": Perm.CONTRIBUTE}

    def get_queryset(self) -> QuerySet[CostLine]:
        if getattr(self, "swagger_fake_view", False):
            return CostLine.objects.none()
        book = self.request.query_params.get("book", "")
        return selectors.cost_lines(access=self.get_access(), book=book if book in Book.values else "")

    @extend_schema(parameters=[OpenApiParameter("book", OpenApiTypes.STR, enum=Book.values)])
    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CostLineSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        return Response(CostLineSerializer(selectors.cost_line_get(access=self.get_access(), line_uuid=uuid)).data)

    @extend_schema(request=CostLineCreateSerializer, responses={201: CostLineSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        serializer = CostLineCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.cost_line_create(access=self.get_access(), **serializer.validated_data)
        return Response(CostLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CostLineUpdateSerializer, responses=CostLineSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        access = self.get_access()
        line = selectors.cost_line_get(access=access, line_uuid=uuid)
        serializer = CostLineUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        line = services.cost_line_update(access=access, line=line, expected_version=version, changes=changes)
        return Response(CostLineSerializer(line).data)


class StepSerializer(serializers.Serializer):
    label = serializers.CharField()
    working = serializers.CharField()
    result = serializers.CharField()


class PeriodSharesSerializer(serializers.Serializer):
    period = serializers.DateField(source="period.period")
    outcome = serializers.DecimalField(source="period.outcome", **_MONEY)
    kind = serializers.CharField(source="shares.kind")
    total = serializers.DecimalField(source="shares.total", **_MONEY)
    customer = serializers.DecimalField(source="shares.customer", **_MONEY)
    provider = serializers.DecimalField(source="shares.provider", **_MONEY)
    steps = StepSerializer(source="shares.steps", many=True)


class IncentiveMechanismSerializer(serializers.ModelSerializer):
    basis = NamedChoiceField(Basis, read_only=True)
    baseline = serializers.DecimalField(read_only=True, **_MONEY)
    cap = serializers.DecimalField(read_only=True, allow_null=True, **_MONEY)
    floor = serializers.DecimalField(read_only=True, allow_null=True, **_MONEY)
    customer_gain_pct = serializers.DecimalField(read_only=True, **_PCT)
    provider_gain_pct = serializers.DecimalField(read_only=True, **_PCT)
    customer_pain_pct = serializers.DecimalField(read_only=True, **_PCT)
    provider_pain_pct = serializers.DecimalField(read_only=True, **_PCT)
    efficiency_threshold_pct = serializers.DecimalField(read_only=True, **_PCT)
    efficiency_bonus_pct = serializers.DecimalField(read_only=True, **_PCT)

    class Meta:
        model = IncentiveMechanism
        fields = ["uuid", *IncentiveMechanism.TERMS, "agreed_at", "version"]
        read_only_fields = fields


class IncentiveDetailSerializer(IncentiveMechanismSerializer):
    periods = serializers.SerializerMethodField()

    class Meta(IncentiveMechanismSerializer.Meta):
        fields = [*IncentiveMechanismSerializer.Meta.fields, "periods"]
        read_only_fields = fields

    @extend_schema_field(PeriodSharesSerializer(many=True))
    def get_periods(self, obj: IncentiveMechanism) -> list[dict[str, Any]]:
        return PeriodSharesSerializer(selectors.mechanism_periods(mechanism=obj), many=True).data  # type: ignore[return-value]


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class IncentiveMechanismViewSet(ArrangementScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Incentive mechanisms in force, with each period's shares worked out step by step."""

    queryset = IncentiveMechanism.objects.none()
    serializer_class = IncentiveMechanismSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX

    def get_queryset(self) -> QuerySet[IncentiveMechanism]:
        if getattr(self, "swagger_fake_view", False):
            return IncentiveMechanism.objects.none()
        return selectors.mechanisms(access=self.get_access())

    @extend_schema(responses=IncentiveDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(IncentiveDetailSerializer(self.get_object()).data)
