"""REST API of the portfolio and the early warnings (read only).

GET /api/v1/portfolio/: the organisation's portfolio, for its portfolio
managers only (403 for anyone else). GET
/api/v1/arrangements/{arrangement_slug}/warnings/: one arrangement's warnings,
for its members, as their side may see it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, ApiMixin, ArrangementScopedMixin
from partnering.portfolio import selectors


class WarningSerializer(serializers.Serializer):
    rule = serializers.CharField(source="rule.id")
    title = serializers.CharField(source="rule.title")
    severity = serializers.CharField()
    message = serializers.CharField()
    explanation = serializers.CharField(source="rule.explanation")
    guide = serializers.CharField(source="rule.pitfall")
    quote = serializers.CharField(source="rule.quote")
    fix_url = serializers.CharField()


class VerdictSerializer(serializers.Serializer):
    assessment = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    label = serializers.CharField(allow_null=True)


class RowSerializer(serializers.Serializer):
    slug = serializers.CharField(source="arrangement.slug")
    title = serializers.CharField(source="arrangement.title")
    customer = serializers.CharField(source="arrangement.customer.name")
    provider = serializers.CharField(source="arrangement.provider.name")
    stage = serializers.CharField(source="arrangement.stage")
    health = serializers.CharField()
    verdicts = serializers.SerializerMethodField()
    open_high_risks = serializers.IntegerField()
    overdue_actions = serializers.IntegerField()
    open_escalations = serializers.IntegerField(allow_null=True)
    kpi_status = serializers.CharField()
    charter_status = serializers.CharField()
    warnings = WarningSerializer(many=True)

    @extend_schema(responses=VerdictSerializer(many=True))
    def get_verdicts(self, row: selectors.Row) -> list[dict[str, Any]]:
        return [
            {"assessment": heading, "code": v.code if v else None, "label": v.label if v else None}
            for heading, v in row.verdicts
        ]


class PortfolioView(ApiMixin, APIView):
    @extend_schema(responses=RowSerializer(many=True), summary="The portfolio of your organisation")
    def get(self, request: Request) -> Response:
        return Response(RowSerializer(selectors.portfolio(user=request.user), many=True).data)


class WarningsView(ArrangementScopedMixin, APIView):
    @extend_schema(
        parameters=[ARRANGEMENT_SLUG_PARAMETER], responses=RowSerializer, summary="The arrangement's early warnings"
    )
    def get(self, request: Request, arrangement_slug: str) -> Response:
        return Response(RowSerializer(selectors.arrangement_warnings(access=self.get_access())).data)
