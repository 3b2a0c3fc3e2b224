"""REST API of how people of another organisation join (sovereign sides, issue 13).

- arrangements/{slug}/invitations/: the provider-lead invitation (the customer's SRO,
  once) and facilitator proposals (either lead; the other agrees).
- invitations/mine/: the signed-in person's own invitations, to accept or decline.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
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
from partnering.arrangements import people
from partnering.arrangements.models import Invitation, InvitationKind, InvitationStatus
from partnering.core.policy import Perm


class InviteeSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    organisation = serializers.CharField(read_only=True, source="organisation.name", allow_null=True)


class InvitationSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(InvitationKind, read_only=True)
    status = NamedChoiceField(InvitationStatus, read_only=True)
    user = InviteeSerializer(read_only=True)
    invited_by = serializers.CharField(read_only=True, source="invited_by.full_name", allow_null=True)
    arrangement = serializers.SlugRelatedField(read_only=True, slug_field="slug")

    class Meta:
        model = Invitation
        fields = [
            "uuid",
            "arrangement",
            "kind",
            "status",
            "user",
            "invited_by",
            "message",
            "sro_agreed_at",
            "srie_agreed_at",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class InvitationInputSerializer(serializers.Serializer):
    kind = NamedChoiceField(InvitationKind)
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    organisation_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="A new facilitator's organisation."
    )
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _invitations(arrangement_id: int) -> QuerySet[Invitation]:
    return Invitation.objects.filter(arrangement_id=arrangement_id).select_related(
        "arrangement", "user", "user__organisation", "invited_by"
    )


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class InvitationViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Invitations of people of another organisation: the provider's lead and facilitators."""

    queryset = Invitation.objects.none()
    serializer_class = InvitationSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    #: Only the leads (the SRO, the SRIE) invite, agree and withdraw.
    action_perms = {"create": Perm.LEAD_SIDE, "agree": Perm.LEAD_SIDE, "withdraw": Perm.LEAD_SIDE}

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return _invitations(self.get_access().arrangement.pk)

    def _invitation(self) -> Invitation:
        return get_object_or_404(self.get_queryset(), uuid=self.kwargs["uuid"])

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        return Response(InvitationSerializer(self._invitation()).data)

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        """Invite the provider's lead (the customer's SRO, while the provider side has nobody),
        or propose a facilitator (either lead; the other agrees)."""
        serializer = InvitationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kind = data.pop("kind")
        access = self.get_access()
        if kind == InvitationKind.PROVIDER_LEAD:
            data.pop("organisation_name")
            invitation = people.provider_lead_invite(
                access=access, request_base_url=request.build_absolute_uri("/"), **data
            )
        else:
            invitation = people.facilitator_propose(access=access, **data)
        return Response(
            InvitationSerializer(_invitations(access.arrangement.pk).get(pk=invitation.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """The other lead agrees a proposed facilitator, who then joins."""
        invitation = self._invitation()
        if invitation.kind != InvitationKind.FACILITATOR:
            return Response({"detail": "Only a facilitator proposal is agreed."}, status=status.HTTP_400_BAD_REQUEST)
        people.facilitator_agree(access=self.get_access(), invitation=invitation)
        return Response(InvitationSerializer(self._invitation()).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        people.invitation_withdraw(access=self.get_access(), invitation=self._invitation())
        return Response(InvitationSerializer(self._invitation()).data)


class MyInvitationsView(ApiMixin, viewsets.GenericViewSet):
    """Your own invitations to lead a provider side: accept or decline."""

    queryset = Invitation.objects.none()
    serializer_class = InvitationSerializer

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return Invitation.objects.filter(
            user=self.request.user, kind=InvitationKind.PROVIDER_LEAD, status=InvitationStatus.PENDING
        ).select_related("arrangement", "user", "user__organisation", "invited_by")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    def accept(self, request: Request, uuid: str) -> Response:
        invitation = get_object_or_404(self.get_queryset(), uuid=uuid)
        people.invitation_accept(user=request.user, invitation=invitation)
        invitation.refresh_from_db()
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    def decline(self, request: Request, uuid: str) -> Response:
        invitation = get_object_or_404(self.get_queryset(), uuid=uuid)
        invitation = people.invitation_decline(user=request.user, invitation=invitation)
        return Response(InvitationSerializer(invitation).data)
