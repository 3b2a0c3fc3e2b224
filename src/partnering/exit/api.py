"""REST API of the exit strategy: read it, edit it (with `version`), agree it,
and add handover items. An edit after agreement clears both sides' agreement.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, ArrangementScopedMixin, NamedChoiceField
from partnering.arrangements.api import PersonSerializer
from partnering.core.policy import Perm
from partnering.exit import selectors, services
from partnering.exit.models import ExitStatus, ExitStrategy, HandoverItem, HandoverKind

User = get_user_model()


class HandoverItemSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(HandoverKind, read_only=True)
    owner = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = HandoverItem
        fields = ["uuid", "kind", "title", "description", "owner", "due_date", "done", "done_at", "version"]
        read_only_fields = fields


class ExitStrategySerializer(serializers.ModelSerializer):
    status = NamedChoiceField(ExitStatus, read_only=True)
    handover_items = HandoverItemSerializer(many=True, read_only=True)

    class Meta:
        model = ExitStrategy
        fields = [
            "triggers",
            "timeline",
            "continuity",
            "decision_by",
            "recompetition_starts",
            "handover_by",
            "status",
            "sro_agreed_at",
            "srie_agreed_at",
            "version",
            "handover_items",
            "updated_at",
        ]
        read_only_fields = fields


class ExitStrategyInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The version you edited; 0 to create the strategy.")
    triggers = serializers.CharField(required=False, allow_blank=True)
    timeline = serializers.CharField(required=False, allow_blank=True)
    continuity = serializers.CharField(required=False, allow_blank=True)
    decision_by = serializers.DateField(required=False, allow_null=True)
    recompetition_starts = serializers.DateField(required=False, allow_null=True)
    handover_by = serializers.DateField(required=False, allow_null=True)


class HandoverItemInput(serializers.Serializer):
    kind = NamedChoiceField(HandoverKind, required=False)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.EmailField(required=False, allow_null=True, help_text="E-mail address of a member.")
    due_date = serializers.DateField(required=False, allow_null=True)


def _strategy(view: ArrangementScopedMixin) -> ExitStrategy:
    strategy = selectors.exit_strategy_for(access=view.get_access())
    if strategy is None:
        raise Http404("No exit strategy yet.")
    return strategy


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class ExitStrategyView(ArrangementScopedMixin, APIView):
    """The arrangement's exit strategy and handover checklist (`status` "none" until one is written)."""

    action_perms = {"patch": Perm.CONTRIBUTE}

    @extend_schema(responses=ExitStrategySerializer)
    def get(self, request: Request, arrangement_slug: str) -> Response:
        strategy = selectors.exit_strategy_for(access=self.get_access())
        if strategy is None:
            return Response({"status": selectors.NONE, "version": 0, "handover_items": []})
        return Response(ExitStrategySerializer(strategy).data)

    @extend_schema(request=ExitStrategyInput, responses=ExitStrategySerializer)
    def patch(self, request: Request, arrangement_slug: str) -> Response:
        serializer = ExitStrategyInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(serializer.validated_data)
        version = values.pop("version")
        services.exit_strategy_save(access=self.get_access(), expected_version=version, values=values)
        return Response(ExitStrategySerializer(_strategy(self)).data)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class ExitStrategyAgreeView(ArrangementScopedMixin, APIView):
    action_perms = {"post": Perm.AGREE_OUTCOMES}

    @extend_schema(request=None, responses=ExitStrategySerializer)
    def post(self, request: Request, arrangement_slug: str) -> Response:
        """Record the SRO's or SRIE's agreement; with both, the strategy is agreed."""
        services.exit_strategy_agree(access=self.get_access())
        return Response(ExitStrategySerializer(_strategy(self)).data)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class HandoverItemsView(ArrangementScopedMixin, APIView):
    action_perms = {"post": Perm.CONTRIBUTE}

    @extend_schema(request=HandoverItemInput, responses={201: HandoverItemSerializer})
    def post(self, request: Request, arrangement_slug: str) -> Response:
        access = self.get_access()
        serializer = HandoverItemInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        email = data.pop("owner", None)
        if email:
            data["owner"] = User.objects.filter(
                email__iexact=email, memberships__arrangement=access.arrangement, memberships__is_active=True
            ).first()
            if data["owner"] is None:
                raise ValidationError({"owner": "The owner must be a member of this arrangement."})
        item = services.handover_item_add(access=access, **data)
        return Response(HandoverItemSerializer(item).data, status=status.HTTP_201_CREATED)
