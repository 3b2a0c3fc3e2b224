"""REST API of arrangements: organisations, arrangements, members, openness, stage, outcomes.

Views only translate HTTP into calls of `services` and `selectors` and back;
every one resolves the member's access through the one policy
(`partnering.core.policy`). Records are named by slug or UUID, never by id.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.accounts.models import Organisation, OrganisationKind
from partnering.api.views_base import (
    ARRANGEMENT_SLUG_PARAMETER,
    SLUG_REGEX,
    UUID_REGEX,
    ApiMixin,
    ArrangementScopedMixin,
    NamedChoiceField,
    detail_response,
    kept_answer,
    member_scope,
)
from partnering.arrangements import people, selectors, services
from partnering.arrangements.models import (
    Arrangement,
    Membership,
    OpennessProposal,
    ProposalStatus,
    RoleAssignment,
    SharedOutcome,
    StageChange,
)
from partnering.core.choices import OpenBook, Role, Side, Stage
from partnering.core.policy import (
    PERMISSIONS,
    Access,
    Perm,
    access_for,
    arrangements_for,
    can_create_arrangement,
)
from partnering.core.text import SingleLineSerializerField

# -- serializers: what the API shows -------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "name", "kind"]
        read_only_fields = fields


class PersonSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class ArrangementSerializer(serializers.ModelSerializer):
    customer = OrganisationSerializer(read_only=True)
    provider = OrganisationSerializer(read_only=True)
    stage = NamedChoiceField(Stage, read_only=True)

    class Meta:
        model = Arrangement
        fields = [
            "slug",
            "title",
            "description",
            "customer",
            "provider",
            "contract_start",
            "contract_end",
            "stage",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LeadersSerializer(serializers.Serializer):
    sro = PersonSerializer(allow_null=True, read_only=True)
    srie = PersonSerializer(allow_null=True, read_only=True)


class ArrangementListSerializer(ArrangementSerializer):
    """A row of the list: relies on `selectors.arrangement_list` (leaders prefetched)."""

    member_count = serializers.IntegerField(read_only=True)
    leaders = serializers.SerializerMethodField()

    class Meta(ArrangementSerializer.Meta):
        fields = [*ArrangementSerializer.Meta.fields, "member_count", "leaders"]
        read_only_fields = fields

    @extend_schema_field(LeadersSerializer)
    def get_leaders(self, obj: Arrangement) -> dict[str, Any]:
        found = {ra.role: ra.membership.user for ra in getattr(obj, "leaders", [])}
        return LeadersSerializer({"sro": found.get(Role.SRO), "srie": found.get(Role.SRIE)}).data


class OpennessSettingsSerializer(serializers.Serializer):
    """The answers to the guide's six questions of "How open should the relationship be?"."""

    joint_project_board = serializers.BooleanField(help_text="Single/joint project board.")
    single_risk_register = serializers.BooleanField(help_text="Single risk register.")
    problems_visible = serializers.BooleanField(help_text="Potential problems visible to both sides.")
    open_book = NamedChoiceField(OpenBook, help_text="Open-book accounting.")
    single_project_budget = serializers.BooleanField(help_text="Single project budget managed together.")
    staff_360_reporting = serializers.BooleanField(help_text="360° staff reporting on both sides.")
    facilitator_sees_blind_answers = serializers.BooleanField(
        help_text="The partnering facilitator sees each side's answers before they are revealed."
    )


class OpennessInitialSerializer(OpennessSettingsSerializer):
    """The same settings, each optional: the convening customer's first choice.

    Settings left out take the model's defaults.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class AccessSerializer(serializers.Serializer):
    side = NamedChoiceField(Side, read_only=True)
    roles = serializers.ListField(child=NamedChoiceField(Role), read_only=True)
    permissions = serializers.ListField(child=serializers.CharField(), read_only=True)


def access_summary(access: Access) -> dict[str, Any]:
    granted = [Perm.VIEW.value] + [p.value for p in PERMISSIONS if access.has(p)]
    return {"side": access.side, "roles": sorted(access.roles), "permissions": granted}


class ArrangementDetailSerializer(ArrangementSerializer):
    """One arrangement as its member sees it, with what they may do in it."""

    openness = serializers.SerializerMethodField()
    your_access = serializers.SerializerMethodField()

    class Meta(ArrangementSerializer.Meta):
        fields = [*ArrangementSerializer.Meta.fields, "openness", "your_access"]
        read_only_fields = fields

    @extend_schema_field(OpennessSettingsSerializer)
    def get_openness(self, obj: Arrangement) -> dict[str, Any]:
        return obj.openness.as_dict()

    @extend_schema_field(AccessSerializer)
    def get_your_access(self, obj: Arrangement) -> dict[str, Any]:
        return access_summary(self.context["access"])


# -- serializers: what the API accepts --------------------------------------------


class ArrangementCreateSerializer(serializers.Serializer):
    title = SingleLineSerializerField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    provider = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.filter(kind=OrganisationKind.PROVIDER),
        required=False,
        allow_null=True,
        help_text="The slug of an existing provider organisation.",
    )
    new_provider = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Or the name of a provider organisation to add.",
    )
    contract_start = serializers.DateField(required=False, allow_null=True, default=None)
    contract_end = serializers.DateField(required=False, allow_null=True, default=None)
    stage = NamedChoiceField(Stage, default=Stage.STRATEGIC_ASSESSMENT)
    outcomes = serializers.ListField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False, default=list
    )
    openness = OpennessInitialSerializer(required=False)
    creator_role = NamedChoiceField(Role, default=Role.SRO)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("provider") and not attrs.get("new_provider", "").strip():
            raise serializers.ValidationError({"provider": "Choose the provider organisation, or add one."})
        return attrs


class ArrangementCreateSchema(OpenApiSerializerExtension):
    """The schema of `ArrangementCreateSerializer`, with its rule that a provider is required.

    Neither field is required on its own; one of them must be given, as `validate` says.
    """

    target_class = ArrangementCreateSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["anyOf"] = [
            {"required": ["provider"], "properties": {"provider": {"type": "string"}}},
            {"required": ["new_provider"], "properties": {"new_provider": {"type": "string", "pattern": r"\S"}}},
        ]
        return schema


class ArrangementUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you edited, from the last read: a stale one gives 409."
    )
    title = SingleLineSerializerField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    contract_start = serializers.DateField(required=False, allow_null=True)
    contract_end = serializers.DateField(required=False, allow_null=True)


class StageChangeInputSerializer(serializers.Serializer):
    stage = NamedChoiceField(Stage)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StageChangeSerializer(serializers.ModelSerializer):
    from_stage = NamedChoiceField(Stage, read_only=True, allow_null=True, help_text="Null at the start.")
    to_stage = NamedChoiceField(Stage, read_only=True)
    changed_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = StageChange
        fields = ["uuid", "from_stage", "to_stage", "reason", "changed_by", "created_at"]
        read_only_fields = fields


# -- organisations and arrangements -------------------------------------------------


class OrganisationViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """Your organisation, those in your arrangements and, for customers, every provider."""

    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.none()
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX

    def get_queryset(self) -> QuerySet[Organisation]:
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        user = self.request.user
        mine = arrangements_for(user)
        relevant = Q(Exists(mine.filter(customer=OuterRef("pk")))) | Q(Exists(mine.filter(provider=OuterRef("pk"))))
        if user.organisation_id is not None:
            relevant |= Q(pk=user.organisation_id)
        if can_create_arrangement(user):  # they choose a provider when convening one
            relevant |= Q(kind=OrganisationKind.PROVIDER)
        return Organisation.objects.filter(relevant).order_by("name")


class ArrangementViewSet(
    ApiMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Arrangements you are a member of. A stale `version` on update gives 409 Conflict."""

    queryset = Arrangement.objects.none()
    serializer_class = ArrangementListSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX

    def get_queryset(self) -> QuerySet[Arrangement]:
        if getattr(self, "swagger_fake_view", False):
            return Arrangement.objects.none()
        return selectors.arrangement_list(user=self.request.user)

    def _access(self, perm: Perm = Perm.VIEW) -> Access:
        return access_for(user=self.request.user, arrangement_slug=self.kwargs["slug"], perm=perm)

    @kept_answer(member_scope)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _detail(self, access: Access, arrangement: Arrangement, code: int = 200) -> Response:
        data = ArrangementDetailSerializer(arrangement, context={"access": access}).data
        return Response(data, status=code)

    @extend_schema(responses=ArrangementDetailSerializer)
    def retrieve(self, request: Request, slug: str) -> Response:
        access = self._access()
        return self._detail(access, access.arrangement)

    @extend_schema(request=ArrangementCreateSerializer, responses={201: ArrangementDetailSerializer})
    def create(self, request: Request) -> Response:
        """Convene an arrangement: your organisation is the customer and you its first member."""
        if not can_create_arrangement(request.user):
            raise PermissionDenied("Only people in a customer organisation can set up an arrangement.")
        serializer = ArrangementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        provider = data.pop("provider", None)
        new_provider = data.pop("new_provider", "")
        openness = dict(data.pop("openness", {}) or {})
        arrangement = services.arrangement_create(
            user=request.user, provider=provider, new_provider=new_provider, openness=openness or None, **data
        )
        access = access_for(user=request.user, arrangement_slug=arrangement.slug)
        return self._detail(access, access.arrangement, status.HTTP_201_CREATED)

    @extend_schema(request=ArrangementUpdateSerializer, responses=ArrangementDetailSerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        """Edit the details; send the `version` you read. A stale one gives 409 with the changes."""
        access = self._access(Perm.EDIT_ARRANGEMENT)
        serializer = ArrangementUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        arrangement = services.arrangement_update(access=access, expected_version=version, changes=changes)
        return self._detail(access, arrangement)

    @extend_schema(request=StageChangeInputSerializer, responses={201: StageChangeSerializer})
    @action(detail=True, methods=["post"], url_path="stage")
    def stage(self, request: Request, slug: str) -> Response:
        """Move the arrangement along the lifecycle (the SRO only)."""
        access = self._access(Perm.CHANGE_STAGE)
        serializer = StageChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = services.arrangement_change_stage(access=access, **serializer.validated_data)
        return Response(StageChangeSerializer(change).data, status=status.HTTP_201_CREATED)


# -- members ------------------------------------------------------------------------


class MemberPersonSerializer(PersonSerializer):
    organisation = OrganisationSerializer(read_only=True, allow_null=True)


class MemberSerializer(serializers.ModelSerializer):
    user = MemberPersonSerializer(read_only=True)
    side = NamedChoiceField(Side, read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["uuid", "user", "side", "roles", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=NamedChoiceField(Role)))
    def get_roles(self, obj: Membership) -> list[str]:
        return sorted(ra.role for ra in obj.current_roles)


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when the person has no account yet.",
    )
    side = NamedChoiceField(
        Side, required=False, help_text="Your own side (the default): each organisation adds its own people only."
    )
    roles = serializers.ListField(child=NamedChoiceField(Role), allow_empty=False)


class RolesSerializer(serializers.Serializer):
    roles = serializers.ListField(child=NamedChoiceField(Role), allow_empty=False)
    handover_note = serializers.CharField(required=False, allow_blank=True, default="")


class HandoverSerializer(serializers.Serializer):
    successor = serializers.UUIDField(help_text="The membership of the successor, on your own side.")
    handover_note = serializers.CharField(required=False, allow_blank=True, default="")


def _membership_with_roles(membership: Membership) -> Membership:
    current = RoleAssignment.objects.filter(ended_at__isnull=True)
    return (
        Membership.objects.select_related("user", "user__organisation")
        .prefetch_related(Prefetch("role_assignments", queryset=current, to_attr="current_roles"))
        .get(pk=membership.pk)
    )


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class MemberViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """The active members of an arrangement and their current roles."""

    queryset = Membership.objects.none()
    serializer_class = MemberSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {
        "create": Perm.MANAGE_MEMBERS,
        "partial_update": Perm.MANAGE_MEMBERS,
        "destroy": Perm.MANAGE_MEMBERS,
        "handover": Perm.LEAD_SIDE,
    }

    def _membership(self) -> Membership:
        return selectors.membership_get(access=self.get_access(), membership_uuid=self.kwargs["uuid"])

    def list(self, request: Request, arrangement_slug: str) -> Response:
        rows = selectors.members_of(access=self.get_access())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        return Response(MemberSerializer(_membership_with_roles(self._membership())).data)

    @extend_schema(request=InviteSerializer, responses={201: MemberSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        """Invite a person.

        Refused (400): someone already a member, a second SRO or SRIE, and a
        person of another organisation on the customer or provider side.
        """
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = people.member_invite(
            access=self.get_access(),
            request_base_url=request.build_absolute_uri("/"),
            **serializer.validated_data,
        )
        return Response(
            MemberSerializer(_membership_with_roles(membership)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=RolesSerializer, responses=MemberSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Replace the member's roles; ended roles keep their dates and the handover note."""
        membership = self._membership()
        serializer = RolesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        people.member_set_roles(access=self.get_access(), membership=membership, **serializer.validated_data)
        return Response(MemberSerializer(_membership_with_roles(membership)).data)

    @extend_schema(request=HandoverSerializer, responses=MemberSerializer)
    @action(detail=False, methods=["post"])
    def handover(self, request: Request, arrangement_slug: str) -> Response:
        """The SRO or SRIE hands their role to a successor of their own side and organisation."""
        access = self.get_access()
        serializer = HandoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        successor = selectors.membership_get(access=access, membership_uuid=serializer.validated_data["successor"])
        people.lead_handover(
            access=access, successor=successor, handover_note=serializer.validated_data["handover_note"]
        )
        return Response(MemberSerializer(_membership_with_roles(successor)).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Remove the member; their history and past roles stay."""
        membership = self._membership()
        note = request.data.get("handover_note", "") if isinstance(request.data, dict) else ""
        people.member_remove(access=self.get_access(), membership=membership, handover_note=str(note))
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- degree of openness ------------------------------------------------------------------


class ProposalSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(ProposalStatus, read_only=True)
    proposed_settings = OpennessSettingsSerializer(read_only=True)
    proposed_by = PersonSerializer(read_only=True, allow_null=True)
    sro_agreed_by = PersonSerializer(read_only=True, allow_null=True)
    srie_agreed_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OpennessProposal
        fields = [
            "uuid",
            "status",
            "proposed_settings",
            "reason",
            "proposed_by",
            "sro_agreed_by",
            "sro_agreed_at",
            "srie_agreed_by",
            "srie_agreed_at",
            "created_at",
        ]
        read_only_fields = fields


class OpennessSerializer(serializers.Serializer):
    settings = OpennessSettingsSerializer(read_only=True)
    version = serializers.IntegerField(read_only=True)
    pending_proposal = ProposalSerializer(read_only=True, allow_null=True)


class ProposeSerializer(serializers.Serializer):
    settings = OpennessSettingsSerializer()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _proposals(access: Access) -> QuerySet[OpennessProposal]:
    return OpennessProposal.objects.filter(arrangement=access.arrangement).select_related(
        "proposed_by", "sro_agreed_by", "srie_agreed_by"
    )


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class OpennessViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """The degree of openness in force, and a proposal to change it.

    A proposal comes into force once both the SRO and the SRIE agree it.
    """

    queryset = OpennessProposal.objects.none()
    serializer_class = ProposalSerializer
    action_perms = {"propose": Perm.PROPOSE_OPENNESS}

    @extend_schema(responses=OpennessSerializer)
    def current(self, request: Request, arrangement_slug: str) -> Response:
        access = self.get_access()
        profile = access.arrangement.openness
        data = {
            "settings": profile.as_dict(),
            "version": profile.version,
            "pending_proposal": selectors.pending_openness_proposal(access=access),
        }
        return Response(OpennessSerializer(data).data)

    @extend_schema(request=ProposeSerializer, responses={201: ProposalSerializer})
    def propose(self, request: Request, arrangement_slug: str) -> Response:
        """Propose new settings: your own agreement counts at once.

        Any earlier pending proposal is superseded.
        """
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.openness_propose(
            access=self.get_access(),
            settings=dict(serializer.validated_data["settings"]),
            reason=serializer.validated_data["reason"],
        )
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class OpennessProposalViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Every proposal to change the degree of openness, newest first."""

    queryset = OpennessProposal.objects.none()
    serializer_class = ProposalSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {"agree": Perm.AGREE_OPENNESS, "withdraw": Perm.PROPOSE_OPENNESS}

    def get_queryset(self) -> QuerySet[OpennessProposal]:
        if getattr(self, "swagger_fake_view", False):
            return OpennessProposal.objects.none()
        return _proposals(self.get_access())

    def _proposal(self) -> OpennessProposal:
        return get_object_or_404(self.get_queryset(), uuid=self.kwargs["uuid"])

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ProposalSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        return Response(ProposalSerializer(self._proposal()).data)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Agree as the SRO or SRIE; with both agreements the settings come into force."""
        proposal = services.openness_agree(access=self.get_access(), proposal=self._proposal())
        return Response(ProposalSerializer(_proposals(self.get_access()).get(pk=proposal.pk)).data)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        proposal = services.openness_withdraw(access=self.get_access(), proposal=self._proposal())
        return Response(ProposalSerializer(_proposals(self.get_access()).get(pk=proposal.pk)).data)


# -- shared business outcomes -------------------------------------------------------------------


class OutcomeSerializer(serializers.ModelSerializer):
    customer_agreed_by = PersonSerializer(read_only=True, allow_null=True)
    provider_agreed_by = PersonSerializer(read_only=True, allow_null=True)
    is_agreed = serializers.BooleanField(read_only=True)

    class Meta:
        model = SharedOutcome
        fields = [
            "uuid",
            "text",
            "position",
            "customer_agreed_by",
            "customer_agreed_at",
            "provider_agreed_by",
            "provider_agreed_at",
            "is_agreed",
        ]
        read_only_fields = fields


class OutcomeInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
@extend_schema_view(
    destroy=extend_schema(responses={204: None}),
)
class OutcomeViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Shared business outcomes. Changing the words clears both sides' agreement."""

    queryset = SharedOutcome.objects.none()
    serializer_class = OutcomeSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {
        "create": Perm.EDIT_ARRANGEMENT,
        "partial_update": Perm.EDIT_ARRANGEMENT,
        "destroy": Perm.EDIT_ARRANGEMENT,
        "agree": Perm.AGREE_OUTCOMES,
    }

    def get_queryset(self) -> QuerySet[SharedOutcome]:
        if getattr(self, "swagger_fake_view", False):
            return SharedOutcome.objects.none()
        return SharedOutcome.objects.filter(arrangement=self.get_access().arrangement).select_related(
            "customer_agreed_by", "provider_agreed_by"
        )

    def _outcome(self) -> SharedOutcome:
        return get_object_or_404(self.get_queryset(), uuid=self.kwargs["uuid"])

    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(OutcomeSerializer(page, many=True).data)

    def retrieve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        return Response(OutcomeSerializer(self._outcome()).data)

    @extend_schema(request=OutcomeInputSerializer, responses={201: OutcomeSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        serializer = OutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.outcome_add(access=self.get_access(), text=serializer.validated_data["text"])
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OutcomeInputSerializer, responses=OutcomeSerializer)
    def partial_update(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        outcome = self._outcome()
        serializer = OutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.outcome_update(
            access=self.get_access(), outcome=outcome, text=serializer.validated_data["text"]
        )
        return Response(OutcomeSerializer(outcome).data)

    def destroy(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        services.outcome_remove(access=self.get_access(), outcome=self._outcome())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses=detail_response("OutcomesAgreed", agreed=serializers.IntegerField()),
    )
    @action(detail=False, methods=["post"])
    def agree(self, request: Request, arrangement_slug: str) -> Response:
        """The SRO (customer) or SRIE (provider) agrees every outcome as it stands."""
        count = services.outcomes_agree(access=self.get_access())
        return Response({"agreed": count})
