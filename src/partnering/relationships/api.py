"""REST API of peer pairs: the one-on-one relationships across the sides."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.api.views_base import ARRANGEMENT_SLUG_PARAMETER, UUID_REGEX, ArrangementScopedMixin
from partnering.arrangements.models import Membership
from partnering.core.choices import Side
from partnering.core.policy import Perm
from partnering.relationships import selectors, services
from partnering.relationships.models import PeerPair


class _MemberSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)


class PeerPairSerializer(serializers.ModelSerializer):
    customer_member = _MemberSerializer(read_only=True)
    provider_member = _MemberSerializer(read_only=True)

    class Meta:
        model = PeerPair
        fields = ["uuid", "label", "customer_member", "provider_member", "version", "created_at", "updated_at"]
        read_only_fields = fields


class PeerPairCreateSerializer(serializers.Serializer):
    customer_member = serializers.UUIDField(help_text="Membership UUID of the customer-side person.")
    provider_member = serializers.UUIDField(help_text="Membership UUID of the provider-side person.")
    label = serializers.CharField(max_length=120, help_text="For example “SRO–SRIE”.")


class PeerPairUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you edited: a stale one gives 409.")
    label = serializers.CharField(max_length=120)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class PeerPairViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Peer pairs of an arrangement: every member reads them; managers record them."""

    queryset = PeerPair.objects.none()
    serializer_class = PeerPairSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "peer_uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {
        "create": Perm.MANAGE_MEMBERS,
        "partial_update": Perm.MANAGE_MEMBERS,
        "destroy": Perm.MANAGE_MEMBERS,
    }

    def get_queryset(self) -> QuerySet[PeerPair]:
        if getattr(self, "swagger_fake_view", False):
            return PeerPair.objects.none()
        return selectors.peer_pairs(access=self.get_access()).order_by("label", "id")

    def _pair(self) -> PeerPair:
        return selectors.peer_pair_get(access=self.get_access(), peer_uuid=self.kwargs["peer_uuid"])

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PeerPairSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, peer_uuid: str) -> Response:
        return Response(PeerPairSerializer(self._pair()).data)

    @extend_schema(request=PeerPairCreateSerializer, responses={201: PeerPairSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        access = self.get_access()
        serializer = PeerPairCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        members = Membership.objects.filter(arrangement=access.arrangement, is_active=True)
        pair = services.peer_pair_create(
            access=access,
            customer_member=get_object_or_404(members, uuid=data["customer_member"], side=Side.CUSTOMER),
            provider_member=get_object_or_404(members, uuid=data["provider_member"], side=Side.PROVIDER),
            label=data["label"],
        )
        return Response(PeerPairSerializer(pair).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PeerPairUpdateSerializer, responses=PeerPairSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, peer_uuid: str) -> Response:
        serializer = PeerPairUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.peer_pair_update(
            access=self.get_access(),
            pair=self._pair(),
            expected_version=serializer.validated_data["version"],
            label=serializer.validated_data["label"],
        )
        return Response(PeerPairSerializer(pair).data)

    def destroy(self, request: Request, arrangement_slug: str, peer_uuid: str) -> Response:
        services.peer_pair_remove(access=self.get_access(), pair=self._pair())
        return Response(status=status.HTTP_204_NO_CONTENT)
