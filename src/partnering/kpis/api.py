"""REST API of KPIs: definitions, baseline and target proposals and agreements, measurements.

Edits carry the `version` the client read; a stale one gives 409 Conflict.
Agreeing names the proposal by UUID; a superseded or own-side proposal is 400.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, UUID_REGEX, ArrangementScopedMixin, NamedChoiceField
from partnering.arrangements.api import PersonSerializer
from partnering.core.policy import Perm
from partnering.kpis import rag, selectors, services
from partnering.kpis.models import (
    BaselineProposal,
    Direction,
    Frequency,
    Kpi,
    KpiKind,
    Measurement,
    ProposalStatus,
    Source,
)

_VALUE = {"max_digits": 16, "decimal_places": 4, "coerce_to_string": True}


class KpiProposalSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    value = serializers.DecimalField(read_only=True, **_VALUE)
    note = serializers.CharField(read_only=True)
    uncertainty = serializers.SerializerMethodField(help_text="How uncertain a baseline is; null for a target.")
    proposed_by = PersonSerializer(read_only=True, allow_null=True)
    proposed_side = serializers.CharField(read_only=True)
    agreed_by = PersonSerializer(read_only=True, allow_null=True)
    agreed_side = serializers.CharField(read_only=True)
    agreed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    status = NamedChoiceField(ProposalStatus, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_uncertainty(self, instance: Any) -> str | None:
        return instance.uncertainty if isinstance(instance, BaselineProposal) else None


class KpiSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(KpiKind, read_only=True)
    direction = NamedChoiceField(Direction, read_only=True)
    frequency = NamedChoiceField(Frequency, read_only=True)
    source = NamedChoiceField(Source, read_only=True)
    baseline = serializers.DecimalField(source="baseline_value", read_only=True, allow_null=True, **_VALUE)
    baseline_agreed = serializers.SerializerMethodField()
    target = serializers.DecimalField(source="target_value", read_only=True, allow_null=True, **_VALUE)
    latest = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = [
            "uuid",
            "name",
            "description",
            "kind",
            "unit",
            "direction",
            "frequency",
            "data_source",
            "source",
            "baseline",
            "baseline_agreed",
            "target",
            "latest",
            "status",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _row(self, kpi: Kpi) -> selectors.KpiRow:
        rows = self.context.get("rows", {})
        return rows.get(kpi.pk) or selectors._row(kpi, self.context.get("annex_b", []))

    def get_baseline_agreed(self, kpi: Kpi) -> bool:
        return getattr(kpi, "baseline_value", None) is not None

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_latest(self, kpi: Kpi) -> str | None:
        latest = self._row(kpi).latest
        return None if latest is None else f"{latest.normalize():f}"

    @extend_schema_field({"type": "string", "enum": [r.value for r in rag.Rag]})
    def get_status(self, kpi: Kpi) -> str:
        return self._row(kpi).status.value


class KpiCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    kind = NamedChoiceField(KpiKind, required=False)
    unit = serializers.CharField(max_length=40)
    direction = NamedChoiceField(Direction, required=False)
    frequency = NamedChoiceField(Frequency, required=False)
    data_source = serializers.CharField(max_length=300, required=False, allow_blank=True)
    source = NamedChoiceField(Source, required=False)


class KpiUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you edited: a stale one gives 409.")
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    kind = NamedChoiceField(KpiKind, required=False)
    unit = serializers.CharField(max_length=40, required=False)
    direction = NamedChoiceField(Direction, required=False)
    frequency = NamedChoiceField(Frequency, required=False)
    data_source = serializers.CharField(max_length=300, required=False, allow_blank=True)


class KpiProposeSerializer(serializers.Serializer):
    what = serializers.ChoiceField(choices=[("baseline", "Baseline"), ("target", "Target")])
    value = serializers.DecimalField(max_digits=16, decimal_places=4)
    note = serializers.CharField(required=False, allow_blank=True)
    uncertainty = serializers.CharField(required=False, allow_blank=True, help_text="How sure the baseline is.")


class KpiAgreeSerializer(serializers.Serializer):
    what = serializers.ChoiceField(choices=[("baseline", "Baseline"), ("target", "Target")])
    proposal = serializers.UUIDField(help_text="The UUID of the other side's pending proposal.")


class KpiMeasurementSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(read_only=True, **_VALUE)
    entered_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Measurement
        fields = ["uuid", "period", "value", "note", "entered_by", "entered_side", "version", "created_at"]
        read_only_fields = fields


class KpiMeasurementInputSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="Any day in the period; stored as the period's first day.")
    value = serializers.DecimalField(max_digits=16, decimal_places=4)
    note = serializers.CharField(required=False, allow_blank=True)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class KpiViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """The arrangement's KPIs, their agreed baselines and targets, and measurements."""

    queryset = Kpi.objects.none()
    serializer_class = KpiSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "kpi_uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {
        "create": Perm.CONTRIBUTE,
        "partial_update": Perm.CONTRIBUTE,
        "propose": Perm.CONTRIBUTE,
        "agree": Perm.CONTRIBUTE,
    }

    def get_queryset(self) -> QuerySet[Kpi]:
        if getattr(self, "swagger_fake_view", False):
            return Kpi.objects.none()
        return selectors.kpi_list(access=self.get_access())

    def _kpi(self) -> Kpi:
        return selectors.kpi_get(access=self.get_access(), kpi_uuid=self.kwargs["kpi_uuid"])

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        annex_b = selectors.annex_b_series(access=self.get_access()) if any(k.is_computed for k in page) else []
        return self.get_paginated_response(KpiSerializer(page, many=True, context={"annex_b": annex_b}).data)

    def retrieve(self, request: Request, arrangement_slug: str, kpi_uuid: str) -> Response:
        kpi = self._kpi()
        row = selectors.kpi_row(access=self.get_access(), kpi=kpi)
        return Response(KpiSerializer(kpi, context={"rows": {kpi.pk: row}}).data)

    @extend_schema(request=KpiCreateSerializer, responses={201: KpiSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        serializer = KpiCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kpi = services.kpi_create(access=self.get_access(), **serializer.validated_data)
        return Response(KpiSerializer(self._fresh(kpi)).data, status=status.HTTP_201_CREATED)

    def _fresh(self, kpi: Kpi) -> Kpi:
        return selectors.kpi_get(access=self.get_access(), kpi_uuid=kpi.uuid)

    @extend_schema(request=KpiUpdateSerializer, responses=KpiSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, kpi_uuid: str) -> Response:
        """Change a KPI's definition; send the `version` you read (stale: 409)."""
        serializer = KpiUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        kpi = services.kpi_update(access=self.get_access(), kpi=self._kpi(), expected_version=version, changes=changes)
        return Response(KpiSerializer(self._fresh(kpi)).data)

    @extend_schema(request=KpiProposeSerializer, responses={201: KpiProposalSerializer})
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, arrangement_slug: str, kpi_uuid: str) -> Response:
        """Propose a baseline or target; it supersedes a proposal still pending."""
        kpi = self._kpi()
        serializer = KpiProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data["what"] != "baseline":
            data.pop("uncertainty", None)
        proposal = services.proposal_make(access=self.get_access(), kpi=kpi, **data)
        return Response(KpiProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=KpiAgreeSerializer, responses=KpiProposalSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, arrangement_slug: str, kpi_uuid: str) -> Response:
        """Agree the other side's pending baseline or target."""
        kpi = self._kpi()
        serializer = KpiAgreeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        what = serializer.validated_data["what"]
        proposal = selectors.proposal_get(
            access=self.get_access(), kpi=kpi, what=what, proposal_uuid=serializer.validated_data["proposal"]
        )
        return Response(
            KpiProposalSerializer(services.proposal_agree(access=self.get_access(), proposal=proposal)).data
        )

    @extend_schema(responses=KpiProposalSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def proposals(self, request: Request, arrangement_slug: str, kpi_uuid: str) -> Response:
        """Every baseline and target proposal, newest first: the history of agreed values."""
        kpi = self._kpi()
        rows = selectors.proposals(kpi=kpi, what="baseline") + selectors.proposals(kpi=kpi, what="target")
        return Response(KpiProposalSerializer(rows, many=True).data)

    @extend_schema(methods=["GET"], responses=KpiMeasurementSerializer(many=True))
    @extend_schema(methods=["POST"], request=KpiMeasurementInputSerializer, responses={201: KpiMeasurementSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def measurements(self, request: Request, arrangement_slug: str, kpi_uuid: str) -> Response:
        """The KPI's measurements, oldest first; POST records one period's value."""
        kpi = self._kpi()
        if request.method == "POST":
            self.get_access().require(Perm.CONTRIBUTE)
            serializer = KpiMeasurementInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            m = services.measurement_record(access=self.get_access(), kpi=kpi, **serializer.validated_data)
            return Response(KpiMeasurementSerializer(m).data, status=status.HTTP_201_CREATED)
        return Response(KpiMeasurementSerializer(selectors.measurements(kpi=kpi), many=True).data)
