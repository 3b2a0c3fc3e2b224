"""REST API of the Procurement Act features: contract facts and duty, published KPIs,
contract performance assessments (rate, share, respond, approve, record publication),
the notice's content as an OCDS release, and breaches told to the provider first.

Who may do what is the services' rule (see services.py): customer managers keep the
records, the provider responds, the customer's SRO approves. A draft assessment
is the customer's alone: anyone else gets 404 for it, as for one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, UUID_REGEX, ArrangementScopedMixin, NamedChoiceField
from partnering.arrangements.api import PersonSerializer
from partnering.core.policy import Perm
from partnering.kpis.selectors import kpi_get
from partnering.procurement import notice, selectors, services
from partnering.procurement.models import (
    AssessmentKind,
    AssessmentStatus,
    ContractFacts,
    Exemption,
    IssueKind,
    KpiRating,
    PerformanceAssessment,
    PerformanceIssue,
    ProviderResponse,
    Regime,
    Stance,
)
from partnering.procurement.ratings import Rating

_MONEY = {"max_digits": 15, "decimal_places": 2, "coerce_to_string": True}


class ContractFactsSerializer(serializers.ModelSerializer):
    estimated_value = serializers.DecimalField(read_only=True, allow_null=True, **_MONEY)
    regime = NamedChoiceField(Regime, read_only=True)
    exemption = NamedChoiceField(Exemption, read_only=True)

    class Meta:
        model = ContractFacts
        fields = ["version", *services.FACT_FIELDS, "updated_at"]
        read_only_fields = fields


class ContractFactsInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The version you edited; 0 to record them first.")
    estimated_value = serializers.DecimalField(
        max_digits=15, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    regime = NamedChoiceField(Regime, required=False)
    exemption = NamedChoiceField(Exemption, required=False)
    exemption_reason = serializers.CharField(required=False, allow_blank=True)
    ocid = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notice_identifier = serializers.CharField(max_length=100, required=False, allow_blank=True)
    buyer_scheme = serializers.CharField(max_length=40, required=False, allow_blank=True)
    buyer_identifier = serializers.CharField(max_length=100, required=False, allow_blank=True)
    supplier_scheme = serializers.CharField(max_length=40, required=False, allow_blank=True)
    supplier_identifier = serializers.CharField(max_length=100, required=False, allow_blank=True)
    terminated_on = serializers.DateField(required=False, allow_null=True)


class ProcurementDutySerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="The contract facts' version (0 before they are recorded); send it back to edit them."
    )
    facts = ContractFactsSerializer(allow_null=True)
    in_scope = serializers.BooleanField(help_text="The Act applies, the value is £5m or more, no exemption.")
    published_kpis = serializers.ListField(child=serializers.UUIDField())
    next_due = serializers.DateField(allow_null=True)
    next_due_reason = serializers.CharField(allow_null=True)
    overdue = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())


def _duty(view: ArrangementScopedMixin) -> dict[str, Any]:
    access = view.get_access()
    duty = selectors.duty(access=access)
    return {
        "version": duty.facts.version if duty.facts else 0,
        "facts": duty.facts,
        "in_scope": duty.in_scope,
        "published_kpis": [str(k.uuid) for k in selectors.published_kpis(access=access).only("uuid")],
        "next_due": duty.due.on if duty.due else None,
        "next_due_reason": duty.due.reason if duty.due else None,
        "overdue": duty.overdue,
        "warnings": duty.warnings,
    }


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class ProcurementView(ArrangementScopedMixin, APIView):
    """The contract's facts under the Procurement Act 2023 and where it stands against s.52 and s.71."""

    action_perms = {"patch": Perm.EDIT_ARRANGEMENT}

    @extend_schema(responses=ProcurementDutySerializer)
    def get(self, request: Request, arrangement_slug: str) -> Response:
        return Response(ProcurementDutySerializer(_duty(self)).data)

    @extend_schema(request=ContractFactsInput, responses=ProcurementDutySerializer)
    def patch(self, request: Request, arrangement_slug: str) -> Response:
        """Record or change the contract facts (customer managers); a stale `version` gives 409."""
        serializer = ContractFactsInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version")
        services.contract_facts_save(access=self.get_access(), expected_version=version, values=values)
        return Response(ProcurementDutySerializer(_duty(self)).data)


class PublishedKpiInput(serializers.Serializer):
    kpi = serializers.UUIDField(help_text="The KPI's UUID.")
    published = serializers.BooleanField(help_text="true to mark it published, false to take it off.")


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class PublishedKpisView(ArrangementScopedMixin, APIView):
    action_perms = {"post": Perm.EDIT_ARRANGEMENT}

    @extend_schema(request=PublishedKpiInput, responses=ProcurementDutySerializer)
    def post(self, request: Request, arrangement_slug: str) -> Response:
        """Mark a KPI as one of the contract's published KPIs (s.52), or take it off (customer managers)."""
        serializer = PublishedKpiInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        kpi = kpi_get(access=self.get_access(), kpi_uuid=serializer.validated_data["kpi"])
        if serializer.validated_data["published"]:
            services.kpi_publish(access=self.get_access(), kpi=kpi)
        else:
            services.kpi_unpublish(access=self.get_access(), kpi=kpi)
        return Response(ProcurementDutySerializer(_duty(self)).data)


class ProviderResponseSerializer(serializers.ModelSerializer):
    stance = NamedChoiceField(Stance, read_only=True)
    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ProviderResponse
        fields = ["uuid", "stance", "text", "author", "created_at"]
        read_only_fields = fields


class KpiRatingSerializer(serializers.ModelSerializer):
    kpi = serializers.UUIDField(source="kpi.uuid", read_only=True)
    kpi_name = serializers.CharField(source="kpi.name", read_only=True)
    suggested = NamedChoiceField(Rating, read_only=True)
    rating = NamedChoiceField(Rating, read_only=True, allow_null=True)
    evidence = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text="The period's measurements as approved: [period, value] pairs, empty until approval.",
    )
    responses = ProviderResponseSerializer(many=True, read_only=True)

    class Meta:
        model = KpiRating
        fields = [
            "uuid",
            "kpi",
            "kpi_name",
            "suggested",
            "suggestion_reason",
            "rating",
            "reason",
            "evidence",
            "responses",
        ]
        read_only_fields = fields


class PerformanceAssessmentSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(AssessmentKind, read_only=True)
    status = NamedChoiceField(AssessmentStatus, read_only=True)
    approved_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PerformanceAssessment
        fields = [
            "uuid",
            "kind",
            "period_start",
            "period_end",
            "status",
            "summary",
            "shared_at",
            "approved_at",
            "approved_by",
            "published_on",
            "platform_notice_id",
            "version",
        ]
        read_only_fields = fields


class PerformanceAssessmentDetailSerializer(PerformanceAssessmentSerializer):
    ratings = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField(help_text="The provider's responses to the assessment as a whole.")

    class Meta(PerformanceAssessmentSerializer.Meta):
        fields = [*PerformanceAssessmentSerializer.Meta.fields, "ratings", "responses"]
        read_only_fields = fields

    @extend_schema_field(KpiRatingSerializer(many=True))
    def get_ratings(self, assessment: PerformanceAssessment) -> Any:
        return KpiRatingSerializer(self.context["ratings"], many=True).data

    @extend_schema_field(ProviderResponseSerializer(many=True))
    def get_responses(self, assessment: PerformanceAssessment) -> Any:
        return ProviderResponseSerializer(selectors.responses_general(assessment=assessment), many=True).data


class PerformanceAssessmentInput(serializers.Serializer):
    kind = NamedChoiceField(AssessmentKind, required=False)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    summary = serializers.CharField(required=False, allow_blank=True)


class KpiRatingInput(serializers.Serializer):
    rating_uuid = serializers.UUIDField(help_text="The UUID of the KPI's rating in this assessment.")
    rating = NamedChoiceField(Rating)
    reason = serializers.CharField()


class ProviderResponseInput(serializers.Serializer):
    rating_uuid = serializers.UUIDField(required=False, allow_null=True, help_text="A KPI's rating; none: the whole.")
    stance = NamedChoiceField(Stance, required=False)
    text = serializers.CharField()


class NoticePublicationInput(serializers.Serializer):
    published_on = serializers.DateField()
    platform_notice_id = serializers.CharField(max_length=100, required=False, allow_blank=True)


NoticeSerializer = inline_serializer(
    name="ContractPerformanceNotice",
    fields={
        "release": serializers.JSONField(
            help_text="The notice's content as an OCDS release (see the README's mapping)."
        ),
        "problems": serializers.ListField(child=serializers.CharField(), help_text="What is missing to publish it."),
    },
)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class PerformanceAssessmentViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Contract performance assessments: drafts are the customer's alone until shared."""

    queryset = PerformanceAssessment.objects.none()
    serializer_class = PerformanceAssessmentSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {
        "create": Perm.EDIT_ARRANGEMENT,
        "rate": Perm.EDIT_ARRANGEMENT,
        "share": Perm.EDIT_ARRANGEMENT,
        "respond": Perm.CONTRIBUTE,
        "approve": Perm.CONTRIBUTE,
        "publication": Perm.EDIT_ARRANGEMENT,
    }

    def get_queryset(self) -> QuerySet[PerformanceAssessment]:
        if getattr(self, "swagger_fake_view", False):
            return PerformanceAssessment.objects.none()
        return selectors.assessment_list(access=self.get_access())

    def _assessment(self) -> PerformanceAssessment:
        return selectors.assessment_get(access=self.get_access(), assessment_uuid=self.kwargs["uuid"])

    def _detail(self, assessment: PerformanceAssessment, code: int = 200) -> Response:
        assessment = selectors.assessment_get(access=self.get_access(), assessment_uuid=assessment.uuid)
        rows = selectors.ratings_for(access=self.get_access(), assessment=assessment)
        return Response(PerformanceAssessmentDetailSerializer(assessment, context={"ratings": rows}).data, status=code)

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PerformanceAssessmentSerializer(page, many=True).data)

    @extend_schema(responses=PerformanceAssessmentDetailSerializer)
    def retrieve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        return self._detail(self._assessment())

    @extend_schema(request=PerformanceAssessmentInput, responses={201: PerformanceAssessmentDetailSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        """Start drafting an assessment: each published KPI gets a suggested rating (customer managers)."""
        serializer = PerformanceAssessmentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_start(access=self.get_access(), **serializer.validated_data)
        return self._detail(assessment, status.HTTP_201_CREATED)

    @extend_schema(request=KpiRatingInput, responses=PerformanceAssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Rate one published KPI with reasons (customer managers, until approval)."""
        assessment = self._assessment()
        serializer = KpiRatingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rating = selectors.rating_get(access=self.get_access(), assessment=assessment, rating_uuid=data["rating_uuid"])
        services.rating_set(access=self.get_access(), rating=rating, value=data["rating"], reason=data["reason"])
        return self._detail(assessment)

    @extend_schema(request=None, responses=PerformanceAssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Share the draft with the provider (customer managers)."""
        return self._detail(services.assessment_share(access=self.get_access(), assessment=self._assessment()))

    @extend_schema(request=ProviderResponseInput, responses={201: ProviderResponseSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """The provider comments on or disagrees with the shared assessment, or one KPI's rating."""
        assessment = self._assessment()
        serializer = ProviderResponseInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        rating_uuid = data.pop("rating_uuid", None)
        rating = (
            selectors.rating_get(access=self.get_access(), assessment=assessment, rating_uuid=rating_uuid)
            if rating_uuid
            else None
        )
        response = services.response_add(access=self.get_access(), assessment=assessment, rating=rating, **data)
        return Response(ProviderResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PerformanceAssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """The customer SRO's approval: the ratings become final."""
        return self._detail(services.assessment_approve(access=self.get_access(), assessment=self._assessment()))

    @extend_schema(request=NoticePublicationInput, responses=PerformanceAssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def publication(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Record the date a person published the approved notice on the platform."""
        serializer = NoticePublicationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = services.assessment_record_publication(
            access=self.get_access(), assessment=self._assessment(), **serializer.validated_data
        )
        return self._detail(done)

    @extend_schema(responses=NoticeSerializer)
    @action(detail=True, methods=["get"])
    def notice(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """The notice's content as an OCDS release, and what is missing before it can be published."""
        built = notice.build(access=self.get_access(), assessment=self._assessment())
        return Response({"release": built.release, "problems": built.problems})


class PerformanceIssueSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(IssueKind, read_only=True)
    assessment = serializers.UUIDField(source="assessment.uuid", read_only=True, allow_null=True)

    class Meta:
        model = PerformanceIssue
        fields = ["uuid", "kind", "description", "occurred_on", "assessment", "provider_told_at", "created_at"]
        read_only_fields = fields


class PerformanceIssueInput(serializers.Serializer):
    kind = NamedChoiceField(IssueKind)
    description = serializers.CharField()
    occurred_on = serializers.DateField()
    assessment = serializers.UUIDField(required=False, allow_null=True, help_text="The assessment to carry it.")


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class PerformanceIssueViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Breaches and performance failures: the customer's alone until the provider is told."""

    queryset = PerformanceIssue.objects.none()
    serializer_class = PerformanceIssueSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {"create": Perm.EDIT_ARRANGEMENT, "tell": Perm.EDIT_ARRANGEMENT}

    def get_queryset(self) -> QuerySet[PerformanceIssue]:
        if getattr(self, "swagger_fake_view", False):
            return PerformanceIssue.objects.none()
        return selectors.issues_visible(access=self.get_access())

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PerformanceIssueSerializer(page, many=True).data)

    @extend_schema(request=PerformanceIssueInput, responses={201: PerformanceIssueSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        serializer = PerformanceIssueInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        assessment_uuid = data.pop("assessment", None)
        assessment = (
            selectors.assessment_get(access=self.get_access(), assessment_uuid=assessment_uuid)
            if assessment_uuid
            else None
        )
        issue = services.issue_add(access=self.get_access(), assessment=assessment, **data)
        return Response(PerformanceIssueSerializer(issue).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PerformanceIssueSerializer)
    @action(detail=True, methods=["post"])
    def tell(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Tell the provider: they can see it from now on, and their leads are e-mailed."""
        issue = selectors.issue_get(access=self.get_access(), issue_uuid=self.kwargs["uuid"])
        return Response(
            PerformanceIssueSerializer(services.issue_tell_provider(access=self.get_access(), issue=issue)).data
        )
