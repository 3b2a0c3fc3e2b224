"""REST API of self-assessments: question banks, assessments, answers, results, actions.

Views only translate HTTP into calls of `services` and `selectors` and back,
the same ones the pages call. The blind rule lives in the selectors: every
answer this API shows comes from `selectors.visible_answers`, `side_spread`
or `results`, never from a query of its own, so nothing of one side reaches
the other before the reveal, and individual answers never leave their side.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from partnering.actions.api import ActionSerializer, _member_by_email
from partnering.api.errors import validation_detail
from partnering.api.views_base import (
    ARRANGEMENT_SLUG_PARAMETER,
    UUID_REGEX,
    ApiMixin,
    ArrangementScopedMixin,
    NamedChoiceField,
    arrangement_scope,
    detail_response,
    kept_answer,
)
from partnering.arrangements.api import OrganisationSerializer
from partnering.assessments import selectors, services
from partnering.assessments.bank_loader import BankSpec, BankValidationError
from partnering.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Participation,
    Perspective,
    QuestionBank,
    Respondent,
)
from partnering.assessments.verdicts import Gap, Verdict
from partnering.core.choices import Role, Side, Stage
from partnering.core.policy import Access, Perm, member_q
from partnering.core.text import SingleLineSerializerField

User = get_user_model()

#: At most this many answers in one PUT: two perspectives of the largest bank, with room to spare.
MAX_ANSWERS_PER_REQUEST = 500
MAX_INVITE_EMAILS = 200

QUESTION_ID_PARAMETER = OpenApiParameter(
    "question_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The question's id in the bank, e.g. `B4`.",
)


# -- question banks ------------------------------------------------------------------


class ScaleOptionSerializer(serializers.Serializer):
    value = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    score = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null: not scored (e.g. Not yet known)."
    )


class ScaleSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    options = ScaleOptionSerializer(many=True, read_only=True)


class BankQuestionSerializer(serializers.Serializer):
    question_id = serializers.CharField(source="id", read_only=True)
    text = serializers.CharField(read_only=True)
    narrative = serializers.BooleanField(read_only=True, help_text="An open question: explain the answer in words.")
    provider_text = serializers.CharField(
        read_only=True,
        default="",
        help_text="Ours: the question as the provider side is asked it; empty where the guide's words serve both.",
    )


class BankSectionSerializer(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    guide_section = serializers.CharField(read_only=True)
    intro = serializers.CharField(read_only=True)
    questions = BankQuestionSerializer(many=True, read_only=True)


class BankSummarySerializer(serializers.ModelSerializer):
    """One version of a bank, read from its stored spec (never re-parsed per row)."""

    organisation = OrganisationSerializer(read_only=True, allow_null=True, help_text="Null for the guide's banks.")
    is_builtin = serializers.BooleanField(read_only=True)
    source = serializers.CharField(source="spec.source", read_only=True)
    verdict_rule = serializers.CharField(source="spec.verdict_rule", read_only=True)
    stages = serializers.ListField(child=NamedChoiceField(Stage), source="spec.stages", read_only=True)
    recurrence = serializers.CharField(source="spec.recurrence", read_only=True)
    perspectives = serializers.ListField(
        child=NamedChoiceField(Perspective), source="spec.perspectives", read_only=True
    )
    addressee = serializers.SerializerMethodField(
        help_text="Whom the guide asks: `sro` (the customer side answers), `srie` (the provider side) or `both`."
    )
    also_ask = serializers.SerializerMethodField(
        help_text="The other side's lead who may also be asked (`srie` or `sro`), or empty."
    )
    question_count = serializers.SerializerMethodField()

    class Meta:
        model = QuestionBank
        fields = [
            "key",
            "version",
            "title",
            "source",
            "organisation",
            "is_builtin",
            "is_current",
            "verdict_rule",
            "stages",
            "recurrence",
            "perspectives",
            "addressee",
            "also_ask",
            "question_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_addressee(self, obj: QuestionBank) -> str:
        return obj.spec.get("addressee", "both")

    def get_also_ask(self, obj: QuestionBank) -> str:
        return obj.spec.get("also_ask", "")

    def get_question_count(self, obj: QuestionBank) -> int:
        return sum(len(section.get("questions", [])) for section in obj.spec.get("sections", []))


class BankSerializer(BankSummarySerializer):
    """A bank version with its scale and every question."""

    intro = serializers.CharField(source="spec.intro", read_only=True)
    scale = ScaleSerializer(source="spec.scale", read_only=True)
    sections = BankSectionSerializer(source="spec.sections", many=True, read_only=True)

    class Meta(BankSummarySerializer.Meta):
        fields = [*BankSummarySerializer.Meta.fields, "intro", "scale", "sections"]
        read_only_fields = fields


class BankUploadSerializer(serializers.Serializer):
    yaml = serializers.CharField(
        trim_whitespace=False,
        max_length=1024 * 1024,
        help_text="The whole bank file, in the partnering.bank/1 YAML format.",
    )


class BankErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(read_only=True, allow_null=True)
    field = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


class BankRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    errors = BankErrorSerializer(many=True, read_only=True)


def _banks_listed(user: Any) -> QuerySet[QuestionBank]:
    """Current banks a person may start from: the guide's and their organisation's own."""
    mine = Q(organisation__isnull=True)
    if user.organisation_id is not None:
        mine |= Q(organisation_id=user.organisation_id)
    return QuestionBank.objects.filter(mine, is_current=True).select_related("organisation").order_by("key")


def _banks_readable(user: Any) -> QuerySet[QuestionBank]:
    """Any version of those, and of a bank used in an arrangement the person is a member of
    (the provider answers the customer's own bank, so it must be able to read its questions)."""
    used = Assessment.objects.filter(member_q(user, prefix="arrangement__"), bank=OuterRef("pk"))
    readable = Q(organisation__isnull=True) | Q(Exists(used))
    if user.organisation_id is not None:
        readable |= Q(organisation_id=user.organisation_id)
    return QuestionBank.objects.filter(readable).select_related("organisation")


class BankViewSet(ApiMixin, viewsets.GenericViewSet):
    """The guide's question banks and your organisation's own, as versioned data."""

    queryset = QuestionBank.objects.none()
    serializer_class = BankSummarySerializer

    def list(self, request: Request) -> Response:
        """The current version of every bank you can start an assessment from."""
        page = self.paginate_queryset(_banks_listed(request.user))
        return self.get_paginated_response(BankSummarySerializer(page, many=True).data)

    @extend_schema(responses=BankSerializer)
    def retrieve(self, request: Request, key: str, version: int) -> Response:
        """One version of a bank, with its scale and questions."""
        # Keys are unique per organisation: the built-in bank, then your own, then another's you answer.
        banks = _banks_readable(request.user).filter(key=key, version=version)
        bank = banks.order_by(selectors.bank_precedence(request.user.organisation_id), "organisation_id").first()
        if bank is None:
            raise Http404("No such question bank.")
        return Response(BankSerializer(bank).data)

    @extend_schema(
        request=BankUploadSerializer,
        responses={201: BankSerializer, 400: BankRejectedSerializer},
    )
    def create(self, request: Request) -> Response:
        """Add your organisation's own bank, or its next version.

        The whole file is checked first: if anything is wrong nothing is saved,
        and every problem is listed with its line and field.
        """
        organisation = request.user.organisation
        if organisation is None:
            raise PermissionDenied("Only people in an organisation can add question banks.")
        try:
            serializer = BankUploadSerializer(data=request.data)
        except ParseError as exc:
            return _bank_rejected(str(exc.detail), [])
        if not serializer.is_valid():
            return _bank_rejected("The upload was refused. Nothing was saved.", _field_problems(serializer.errors))
        try:
            bank = services.bank_load(
                text=serializer.validated_data["yaml"], organisation=organisation, user=request.user
            )
        except BankValidationError as exc:
            count = len(exc.errors)
            return _bank_rejected(
                f"The bank has {count} problem{'' if count == 1 else 's'}. Nothing was saved.",
                [{"line": e.line, "field": e.field, "message": e.message} for e in exc.errors],
            )
        except DjangoValidationError as exc:
            # The services name the upload "file", as the page's form does; here it is "yaml".
            detail = {("yaml" if k == "file" else k): v for k, v in validation_detail(exc).items()}
            return _bank_rejected("The bank was refused. Nothing was saved.", _field_problems(detail))
        bank = _banks_readable(request.user).get(pk=bank.pk)
        return Response(BankSerializer(bank).data, status=status.HTTP_201_CREATED)


def _bank_rejected(detail: str, errors: list[dict[str, Any]]) -> Response:
    """Every refused upload answers the documented `BankRejected` body, whatever refused it."""
    data = {"detail": detail, "errors": errors}
    return Response(BankRejectedSerializer(data).data, status=status.HTTP_400_BAD_REQUEST)


def _field_problems(errors: dict[str, Any]) -> list[dict[str, Any]]:
    """Field errors (DRF's or a service's) as `BankRejected` problems, with no line."""
    return [
        {"line": None, "field": field, "message": str(message)}
        for field, messages in errors.items()
        for message in (messages if isinstance(messages, list) else [messages])
    ]


# -- assessments: what the API shows ---------------------------------------------------------


class BankRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuestionBank
        fields = ["key", "version", "title"]
        read_only_fields = fields


class AssessmentRespondentSerializer(serializers.ModelSerializer):
    """Who was invited and whether they have handed in: names only, never their answers."""

    side = NamedChoiceField(Side, read_only=True)
    invited_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Respondent
        fields = ["name", "side", "invited_at", "reminded_at", "submitted_at"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    bank = BankRefSerializer(read_only=True)
    status = NamedChoiceField(AssessmentStatus, read_only=True)
    participation = NamedChoiceField(Participation, read_only=True)
    sides = serializers.ListField(child=NamedChoiceField(Side), read_only=True, help_text="The sides that answer.")

    class Meta:
        model = Assessment
        fields = [
            "uuid",
            "title",
            "subject",
            "bank",
            "status",
            "participation",
            "sides",
            "asks_other_view",
            "due_date",
            "cycle",
            "customer_submitted_at",
            "provider_submitted_at",
            "revealed_at",
            "created_at",
        ]
        read_only_fields = fields


class AssessmentListSerializer(AssessmentSerializer):
    """A row of the list: relies on the counts annotated by `selectors.assessments_for`."""

    respondent_count = serializers.IntegerField(read_only=True)
    submitted_count = serializers.IntegerField(read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "respondent_count", "submitted_count"]
        read_only_fields = fields


class YourPartSerializer(serializers.Serializer):
    is_respondent = serializers.BooleanField(read_only=True, help_text="You were invited to answer.")
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="When you handed in.")
    is_side_lead = serializers.BooleanField(read_only=True, help_text="You submit your side's agreed answers.")
    can_manage = serializers.BooleanField(read_only=True, help_text="You may start, invite and remind.")


class AssessmentDetailSerializer(AssessmentSerializer):
    previous = serializers.SerializerMethodField()
    visible_sides = serializers.SerializerMethodField()
    respondents = serializers.SerializerMethodField()
    you = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "previous", "visible_sides", "respondents", "you"]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True, help_text="The cycle carried over from."))
    def get_previous(self, obj: Assessment) -> str | None:
        return str(obj.previous.uuid) if obj.previous_id else None

    @extend_schema_field(serializers.ListField(child=NamedChoiceField(Side)))
    def get_visible_sides(self, obj: Assessment) -> list[str]:
        return sorted(selectors.sides_visible(self.context["access"], obj))

    def _respondents(self, obj: Assessment) -> list[Respondent]:
        if "respondents" not in self.context:
            self.context["respondents"] = list(obj.respondents.all())
        return self.context["respondents"]

    @extend_schema_field(AssessmentRespondentSerializer(many=True))
    def get_respondents(self, obj: Assessment) -> list[dict[str, Any]]:
        return AssessmentRespondentSerializer(self._respondents(obj), many=True).data

    @extend_schema_field(YourPartSerializer)
    def get_you(self, obj: Assessment) -> dict[str, Any]:
        access: Access = self.context["access"]
        mine = next((r for r in self._respondents(obj) if r.user_id == access.user.pk), None)
        return {
            "is_respondent": mine is not None,
            "submitted_at": mine.submitted_at if mine else None,
            "is_side_lead": access.has(Perm.LEAD_SIDE) and access.side in obj.sides,
            "can_manage": access.has(Perm.MANAGE_ASSESSMENTS),
        }


class IndividualAnswerSerializer(serializers.ModelSerializer):
    perspective = NamedChoiceField(Perspective, read_only=True)

    class Meta:
        model = Answer
        fields = ["question_id", "perspective", "value", "comment", "evidence", "updated_at"]
        read_only_fields = fields


class MyAnswersSerializer(serializers.Serializer):
    respondent = AssessmentRespondentSerializer(read_only=True, allow_null=True, help_text="Null: not invited.")
    locked = serializers.BooleanField(read_only=True, help_text="You or your side have submitted: no more changes.")
    answers = IndividualAnswerSerializer(many=True, read_only=True)


class AgreedAnswerSerializer(serializers.Serializer):
    """A side's agreed answer to one question."""

    value = serializers.CharField(read_only=True, help_text="Blank: not answered yet.")
    label = serializers.CharField(read_only=True, help_text="The scale's wording of the value.")
    comment = serializers.CharField(read_only=True)
    evidence = serializers.CharField(read_only=True)
    carried_from = serializers.CharField(read_only=True, help_text="The previous cycle's value, if carried over.")


class SpreadCountSerializer(serializers.Serializer):
    value = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True)


class SpreadCommentSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)


class SpreadRowSerializer(serializers.Serializer):
    question_id = serializers.CharField(read_only=True)
    perspective = NamedChoiceField(Perspective, read_only=True)
    text = serializers.CharField(read_only=True)
    agreed = AgreedAnswerSerializer(read_only=True, allow_null=True)
    suggested = serializers.CharField(read_only=True, help_text="The most common answer; ties go to the lower one.")
    counts = SpreadCountSerializer(many=True, read_only=True)
    comments = SpreadCommentSerializer(many=True, read_only=True)


class SideAnswersSerializer(serializers.Serializer):
    side = NamedChoiceField(Side, read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    locked = serializers.BooleanField(read_only=True)
    rows = SpreadRowSerializer(many=True, read_only=True)


class VerdictSerializer(serializers.Serializer):
    code = serializers.CharField(
        read_only=True,
        help_text="ready, not_ready, going_well, needs_attention, no_concerns or incomplete.",
    )
    label = serializers.CharField(read_only=True)
    explanation = serializers.CharField(read_only=True)
    flagged = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="Question ids.")
    unanswered = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_positive = serializers.BooleanField(read_only=True)


class VerdictsSerializer(serializers.Serializer):
    customer = VerdictSerializer(read_only=True, allow_null=True)
    provider = VerdictSerializer(read_only=True, allow_null=True)
    joint = VerdictSerializer(read_only=True, allow_null=True, help_text="Null until both sides are visible.")


class GapSerializer(serializers.Serializer):
    question_id = serializers.CharField(read_only=True)
    customer_value = serializers.CharField(read_only=True)
    provider_value = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    crosses_threshold = serializers.BooleanField(read_only=True)


class MirrorGapsSerializer(serializers.Serializer):
    customer = GapSerializer(
        many=True, read_only=True, help_text="How the customer sees itself vs how the provider sees it."
    )
    provider = GapSerializer(
        many=True, read_only=True, help_text="How the provider sees itself vs how the customer sees it."
    )


class ResultRowSerializer(serializers.Serializer):
    """One question, each side's agreed answers as you may see them: null for a side still blind to you."""

    question_id = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    section = serializers.CharField(read_only=True)
    customer = AgreedAnswerSerializer(read_only=True, allow_null=True)
    provider = AgreedAnswerSerializer(read_only=True, allow_null=True)
    customer_other = AgreedAnswerSerializer(
        read_only=True, allow_null=True, help_text="How the customer sees the provider."
    )
    provider_other = AgreedAnswerSerializer(
        read_only=True, allow_null=True, help_text="How the provider sees the customer."
    )
    customer_flagged = serializers.BooleanField(read_only=True, allow_null=True)
    provider_flagged = serializers.BooleanField(read_only=True, allow_null=True)
    changed_customer = serializers.BooleanField(read_only=True, allow_null=True)
    changed_provider = serializers.BooleanField(read_only=True, allow_null=True)
    gap = GapSerializer(read_only=True, allow_null=True)
    actions = ActionSerializer(many=True, read_only=True)


class ResultsSerializer(serializers.Serializer):
    revealed = serializers.BooleanField(read_only=True)
    complete = serializers.BooleanField(read_only=True, help_text="Every answering side is visible to you.")
    visible_sides = serializers.ListField(child=NamedChoiceField(Side), read_only=True)
    verdicts = VerdictsSerializer(read_only=True)
    gaps = GapSerializer(many=True, read_only=True)
    mirror_gaps = MirrorGapsSerializer(read_only=True, allow_null=True)
    respondents = AssessmentRespondentSerializer(many=True, read_only=True)
    rows = ResultRowSerializer(many=True, read_only=True)


# -- assessments: what the API accepts ------------------------------------------------------


class AssessmentStartSerializer(serializers.Serializer):
    bank = serializers.SlugField(max_length=80, help_text="The bank's key, e.g. `annex-b`.")
    version = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="Leave out for the current version."
    )
    title = SingleLineSerializerField(max_length=300, required=False, allow_blank=True, default="")
    subject = SingleLineSerializerField(
        max_length=200, required=False, allow_blank=True, default="", help_text="For partner suitability."
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    previous = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="A revealed earlier cycle to carry answers over from."
    )
    also_ask_other_lead = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Ask the other side too, where the bank allows it (`also_ask`; the guide's SRIEs who "
            "'will also benefit') and from contract award on. Otherwise only the bank's addressee answers."
        ),
    )
    ask_other_view = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also ask each side how it sees the other party, where the bank offers it (Annex B, health check).",
    )


class InviteRespondentsSerializer(serializers.Serializer):
    sides = serializers.ListField(
        child=NamedChoiceField(Side), required=False, default=list, help_text="Everyone on these sides."
    )
    roles = serializers.ListField(
        child=NamedChoiceField(Role), required=False, default=list, help_text="Everyone holding these roles."
    )
    emails = serializers.ListField(
        child=serializers.EmailField(),
        required=False,
        default=list,
        max_length=MAX_INVITE_EMAILS,
        help_text="Named members, by e-mail address.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs["sides"] or attrs["roles"] or attrs["emails"]):
            raise serializers.ValidationError("Choose a side, a role or at least one person to invite.")
        return attrs


class InvitedSerializer(serializers.Serializer):
    invited = AssessmentRespondentSerializer(many=True, read_only=True)
    skipped = serializers.IntegerField(
        read_only=True,
        help_text="Chosen but not invited: already invited, observers, or on a side that does not answer.",
    )


class AnswerListSerializer(serializers.ListSerializer):
    def validate(self, attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[tuple[str, str]] = set()
        for item in attrs:
            key = (item["question_id"], item["perspective"])
            if key in seen:
                raise serializers.ValidationError(f"Question {key[0]} ({key[1]}) is listed twice.")
            seen.add(key)
        return attrs


class AnswerInputSerializer(serializers.Serializer):
    """One answer to save. A list of them is saved all or nothing."""

    question_id = serializers.CharField(max_length=40)
    perspective = NamedChoiceField(Perspective, default=Perspective.SELF)
    value = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Blank: clear."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    evidence = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    class Meta:
        list_serializer_class = AnswerListSerializer


class RejectedAnswerSerializer(serializers.Serializer):
    index = serializers.IntegerField(read_only=True, help_text="Its position in the list sent, from 0.")
    question_id = serializers.CharField(
        read_only=True, allow_null=True, help_text="As sent; null if it was missing or not text."
    )
    perspective = NamedChoiceField(
        Perspective, read_only=True, allow_null=True, help_text="As sent (or the default); null if not a perspective."
    )
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), read_only=True)


class AnswersRejectedSerializer(serializers.Serializer):
    """Why a list of answers was refused: each refused answer's errors, or (empty list) the list's own."""

    detail = serializers.CharField(read_only=True)
    answers = RejectedAnswerSerializer(many=True, read_only=True)


class QuestionRefSerializer(serializers.Serializer):
    question_id = serializers.CharField(read_only=True)
    perspective = NamedChoiceField(Perspective, read_only=True)


class UnansweredSerializer(serializers.Serializer):
    non_field_errors = serializers.ListField(child=serializers.CharField(), read_only=True)
    unanswered = QuestionRefSerializer(many=True, read_only=True)
    respondents_waiting = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Your side's invited respondents who have not answered (when the refusal is for them).",
    )


class SideSubmitSerializer(serializers.Serializer):
    confirm_unanswered = serializers.BooleanField(
        default=False,
        help_text="Submit even though some of your side's invited respondents have not answered "
        "(they can no longer answer afterwards).",
    )


class ActionFromQuestionSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[("attention", "Needs attention"), ("gap", "Perception gap")], default="attention"
    )
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.EmailField(
        required=False, allow_null=True, default=None, help_text="E-mail address of a member."
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


# -- translating the selectors' results ----------------------------------------------------


def _agreed(spec: BankSpec, answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    label = spec.scale.option(answer.value).label if answer.value in spec.scale.values else ""
    return {
        "value": answer.value,
        "label": label,
        "comment": answer.comment,
        "evidence": answer.evidence,
        "carried_from": answer.carried_from,
    }


def _verdict(verdict: Verdict | None) -> dict[str, Any] | None:
    return None if verdict is None else dataclasses.asdict(verdict)


def _gap(gap: Gap | None) -> dict[str, Any] | None:
    return None if gap is None else dataclasses.asdict(gap)


def _only(visible: bool, value: Any) -> Any:
    """A side's value, or null while that side is blind to the reader (never a default that reads as an answer)."""
    return value if visible else None


def results_data(res: selectors.Results) -> dict[str, Any]:
    spec = res.bank
    cust, prov = Side.CUSTOMER in res.visible_sides, Side.PROVIDER in res.visible_sides
    rows = [
        {
            "question_id": row.question.id,
            "text": row.question.text,
            "section": row.question.section,
            "customer": _only(cust, _agreed(spec, row.customer)),
            "provider": _only(prov, _agreed(spec, row.provider)),
            "customer_other": _only(cust, _agreed(spec, row.customer_other)),
            "provider_other": _only(prov, _agreed(spec, row.provider_other)),
            "customer_flagged": _only(cust, row.customer_flagged),
            "provider_flagged": _only(prov, row.provider_flagged),
            "changed_customer": _only(cust, row.changed_customer),
            "changed_provider": _only(prov, row.changed_provider),
            "gap": _gap(row.gap),
            "actions": row.actions,
        }
        for row in res.rows
    ]
    mirror = {side: [_gap(g) for g in gaps] for side, gaps in res.mirror_gaps.items()} or None
    return {
        "revealed": res.assessment.is_revealed,
        "complete": res.complete,
        "visible_sides": sorted(res.visible_sides),
        "verdicts": {
            "customer": _verdict(res.customer_verdict),
            "provider": _verdict(res.provider_verdict),
            "joint": _verdict(res.joint),
        },
        "gaps": [_gap(g) for g in res.gaps],
        "mirror_gaps": mirror,
        "respondents": res.respondents,
        "rows": rows,
    }


def _spread_data(spec: BankSpec, spread: list[selectors.SpreadRow]) -> list[dict[str, Any]]:
    labels = {o.value: o.label for o in spec.scale.options}
    return [
        {
            "question_id": row.question.id,
            "perspective": row.perspective,
            "text": row.question.text,
            "agreed": _agreed(spec, row.agreed),
            "suggested": row.suggested,
            "counts": [{"value": v, "label": labels.get(v, v), "count": n} for v, n in row.counts.items()],
            "comments": [{"name": name, "comment": comment} for name, comment in row.comments],
        }
        for row in spread
    ]


def _unanswered(spec: BankSpec, answers: list[Answer]) -> list[dict[str, str]]:
    have = {(a.question_id, a.perspective) for a in answers if a.value}
    return [
        {"question_id": q.id, "perspective": p}
        for q in spec.questions
        for p in spec.perspectives
        if (q.id, p) not in have
    ]


def _invitees(access: Access, *, sides: list[str], roles: list[str], emails: list[str]) -> list[Any]:
    """Active members chosen by side, by current role or by e-mail address.

    One `filter()` call, so that every condition applies to the same membership
    of this arrangement. An address of no member is refused without saying
    whether the person has an account elsewhere.
    """
    chosen = []
    if sides:
        chosen.append(Q(memberships__side__in=sides))
    if roles:
        chosen.append(
            Q(memberships__role_assignments__role__in=roles, memberships__role_assignments__ended_at__isnull=True)
        )
    chosen.extend(Q(email__iexact=email) for email in emails)
    users = list(
        User.objects.filter(
            functools.reduce(operator.or_, chosen),
            memberships__arrangement=access.arrangement,
            memberships__is_active=True,
        ).distinct()
    )
    found = {u.email.lower() for u in users}
    unknown = [e for e in emails if e.lower() not in found]
    if unknown:
        raise DjangoValidationError({"emails": [f"{e} is not a member of this arrangement." for e in unknown]})
    return users


# -- assessments ---------------------------------------------------------------------------


@extend_schema(parameters=[ARRANGEMENT_SLUG_PARAMETER])
class AssessmentViewSet(ArrangementScopedMixin, viewsets.GenericViewSet):
    """Self-assessments of an arrangement, answered blind by each side, then revealed at once.

    Until every answering side has submitted, no endpoint shows one side's
    answers to the other; after the reveal, each side's agreed answers are
    shown, never anyone's individual answers.
    """

    queryset = Assessment.objects.none()
    serializer_class = AssessmentListSerializer
    lookup_field = "uuid"
    lookup_value_regex = UUID_REGEX
    action_perms = {
        "create": Perm.MANAGE_ASSESSMENTS,
        "respondents": Perm.MANAGE_ASSESSMENTS,
        "remind": Perm.MANAGE_ASSESSMENTS,
        "my_answers_save": Perm.CONTRIBUTE,
        "my_answers_submit": Perm.CONTRIBUTE,
        "side_answers": Perm.LEAD_SIDE,
        "side_answers_save": Perm.LEAD_SIDE,
        "side_answers_submit": Perm.LEAD_SIDE,
        "question_action": Perm.CONTRIBUTE,
    }

    def _assessment(self) -> Assessment:
        return selectors.assessment_get(access=self.get_access(), assessment_uuid=self.kwargs["uuid"])

    def _detail(self, assessment: Assessment, code: int = status.HTTP_200_OK, *, reload: bool = False) -> Response:
        if reload:  # through the selector: a service may hand back a row without its relations
            assessment = selectors.assessment_get(access=self.get_access(), assessment_uuid=assessment.uuid)
        data = AssessmentDetailSerializer(assessment, context={"access": self.get_access()}).data
        return Response(data, status=code)

    @kept_answer(arrangement_scope)
    def list(self, request: Request, arrangement_slug: str) -> Response:
        page = self.paginate_queryset(selectors.assessments_for(access=self.get_access()))
        return self.get_paginated_response(AssessmentListSerializer(page, many=True).data)

    @extend_schema(responses=AssessmentDetailSerializer)
    def retrieve(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        return self._detail(self._assessment())

    @extend_schema(request=AssessmentStartSerializer, responses={201: AssessmentDetailSerializer})
    def create(self, request: Request, arrangement_slug: str) -> Response:
        """Start an assessment from a bank: its current version unless you name one."""
        access = self.get_access()
        serializer = AssessmentStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        key, version = data.pop("bank"), data.pop("version")
        # Another organisation's bank gets the same answer as a missing one: its key says nothing.
        bank = selectors.bank_by_key(access=access, key=key, version=version)
        if bank is None:
            raise serializers.ValidationError({"bank": "No such question bank is available to this arrangement."})
        previous_uuid = data.pop("previous")
        previous = None
        if previous_uuid is not None:
            previous = (
                Assessment.objects.filter(arrangement=access.arrangement, uuid=previous_uuid)
                .select_related("bank")
                .first()
            )
            if previous is None:
                raise serializers.ValidationError({"previous": "No such assessment in this arrangement."})
        assessment = services.assessment_start(access=access, bank=bank, previous=previous, **data)
        return self._detail(assessment, status.HTTP_201_CREATED, reload=True)

    @extend_schema(request=InviteRespondentsSerializer, responses=InvitedSerializer)
    @action(detail=True, methods=["post"])
    def respondents(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Invite members to answer on their own; each is e-mailed a link.

        Observers, people already invited and people on a side that does not
        answer are skipped.
        """
        access = self.get_access()
        assessment = self._assessment()
        serializer = InviteRespondentsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        users = _invitees(access, **serializer.validated_data)
        created = services.respondents_invite(
            access=access, assessment=assessment, users=users, base_url=request.build_absolute_uri("/")
        )
        return Response(InvitedSerializer({"invited": created, "skipped": len(users) - len(created)}).data)

    @extend_schema(request=None, responses=detail_response("RespondentsReminded", reminded=serializers.IntegerField()))
    @action(detail=True, methods=["post"])
    def remind(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """E-mail every respondent who has not yet handed in."""
        count = services.respondents_remind(
            access=self.get_access(), assessment=self._assessment(), base_url=request.build_absolute_uri("/")
        )
        return Response({"reminded": count})

    # -- your own answers ------------------------------------------------------------------

    def _my_answers(self, assessment: Assessment) -> Response:
        access = self.get_access()
        respondent = assessment.respondents.filter(user=access.user).first()
        answers: list[Answer] = []
        if respondent is not None:
            answers = list(
                selectors.visible_answers(access=access, assessment=assessment, agreed_only=False).filter(
                    respondent=respondent
                )
            )
        locked = respondent is None or (
            respondent.submitted_at is not None
            or assessment.submitted_at(respondent.side) is not None
            or assessment.status != AssessmentStatus.COLLECTING
        )
        data = {"respondent": respondent, "locked": locked, "answers": answers}
        return Response(MyAnswersSerializer(data).data)

    @extend_schema(responses=MyAnswersSerializer)
    @action(detail=True, methods=["get"], url_path="my-answers")
    def my_answers(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Your own answers, as you left them (empty if you were not invited)."""
        return self._my_answers(self._assessment())

    @extend_schema(
        request=AnswerInputSerializer(many=True),
        responses={200: MyAnswersSerializer, 400: AnswersRejectedSerializer},
    )
    @my_answers.mapping.patch
    @my_answers.mapping.put
    def my_answers_save(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Save your answers to the questions listed; the others stay as they are.

        All or nothing: if any answer is refused, none is saved and the 400
        names each refused question.
        """
        access = self.get_access()
        assessment = self._assessment()
        refused = _save_all(request, functools.partial(services.answer_save, access=access, assessment=assessment))
        return refused or self._my_answers(assessment)

    @extend_schema(request=None, responses={200: MyAnswersSerializer, 400: UnansweredSerializer})
    @action(detail=True, methods=["post"], url_path="my-answers/submit")
    def my_answers_submit(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Hand in your answers: every question must be answered, and they can no longer change."""
        access = self.get_access()
        assessment = self._assessment()
        try:
            services.respondent_submit(access=access, assessment=assessment)
        except DjangoValidationError as exc:
            mine = selectors.visible_answers(access=access, assessment=assessment, agreed_only=False)
            _refuse_unanswered(exc, assessment, list(mine.filter(respondent__user=access.user)))
        return self._my_answers(assessment)

    # -- the side's agreed answers ---------------------------------------------------------

    def _side_answers(self, assessment: Assessment) -> Response:
        access = self.get_access()
        if access.side not in assessment.sides:
            raise PermissionDenied("Your side does not answer this assessment.")
        spec = assessment.spec
        data = {
            "side": access.side,
            "submitted_at": assessment.submitted_at(access.side),
            "locked": assessment.submitted_at(access.side) is not None
            or assessment.status != AssessmentStatus.COLLECTING,
            "rows": _spread_data(spec, selectors.side_spread(access=access, assessment=assessment)),
        }
        return Response(SideAnswersSerializer(data).data)

    @extend_schema(responses=SideAnswersSerializer)
    @action(detail=True, methods=["get"], url_path="side-answers")
    def side_answers(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """For the side lead: your side's agreed answers, and how its respondents answered."""
        return self._side_answers(self._assessment())

    @extend_schema(
        request=AnswerInputSerializer(many=True),
        responses={200: SideAnswersSerializer, 400: AnswersRejectedSerializer},
    )
    @side_answers.mapping.patch
    @side_answers.mapping.put
    def side_answers_save(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Record your side's agreed answers to the questions listed (the side lead only).

        All or nothing, like your own answers.
        """
        access = self.get_access()
        assessment = self._assessment()
        refused = _save_all(
            request, functools.partial(services.agreed_answer_save, access=access, assessment=assessment)
        )
        return refused or self._side_answers(assessment)

    @extend_schema(request=SideSubmitSerializer, responses={200: AssessmentDetailSerializer, 400: UnansweredSerializer})
    @action(detail=True, methods=["post"], url_path="side-answers/submit")
    def side_answers_submit(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Submit your side's agreed answers. When every side has, all are revealed at once.

        While some of your side's invited respondents have not answered, the submission is
        refused (400, listing them in `respondents_waiting`) unless `confirm_unanswered` is true:
        once the side submits they can no longer answer.
        """
        access = self.get_access()
        assessment = self._assessment()
        body = SideSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            assessment = services.side_submit(
                access=access, assessment=assessment, unanswered_confirmed=body.validated_data["confirm_unanswered"]
            )
        except DjangoValidationError as exc:
            agreed = selectors.visible_answers(access=access, assessment=assessment).filter(side=access.side)
            _refuse_unanswered(exc, assessment, list(agreed), side=access.side)
        return self._detail(assessment, reload=True)

    # -- results and actions ---------------------------------------------------------------

    @extend_schema(responses=ResultsSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request: Request, arrangement_slug: str, uuid: str) -> Response:
        """Verdicts, perception gaps and each side's agreed answers, as far as you may see them.

        Before the reveal a member sees only their own side (`revealed: false`);
        the other side's answers and verdict are null and there are no gaps.
        """
        res = selectors.results(access=self.get_access(), assessment=self._assessment())
        if not res.visible_sides:
            raise PermissionDenied("Results are hidden until both sides have submitted.")
        return Response(ResultsSerializer(results_data(res)).data)

    @extend_schema(
        parameters=[QUESTION_ID_PARAMETER],
        request=ActionFromQuestionSerializer,
        responses={201: ActionSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"questions/(?P<question_id>[A-Za-z0-9][A-Za-z0-9.-]*)/actions")
    def question_action(self, request: Request, arrangement_slug: str, uuid: str, question_id: str) -> Response:
        """Turn an answer that needs attention, or a perception gap, into an action (after the reveal)."""
        access = self.get_access()
        assessment = self._assessment()
        if question_id not in assessment.spec.question_ids:
            raise NotFound(f"This bank has no question {question_id}.")
        serializer = ActionFromQuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["owner"] = _member_by_email(access, data["owner"])
        created = services.action_from_assessment(access=access, assessment=assessment, question_id=question_id, **data)
        return Response(ActionSerializer(created).data, status=status.HTTP_201_CREATED)


def _save_all(request: Request, save: Any) -> Response | None:
    """Save every answer of the request in one transaction, or none; the refusal if any is refused.

    Each answer gets its own savepoint so that every refused question is
    reported, not just the first; any refusal rolls the whole request back.
    Malformed input is refused in the same documented shape (`AnswersRejected`).
    """
    try:
        data = request.data
    except ParseError as exc:
        return _answers_rejected(str(exc.detail), [])
    serializer = AnswerInputSerializer(data=data, many=True, max_length=MAX_ANSWERS_PER_REQUEST)
    if not serializer.is_valid():
        return _malformed_answers(data, serializer.errors)
    rejected = []
    with transaction.atomic():
        for index, item in enumerate(serializer.validated_data):
            try:
                with transaction.atomic():
                    save(**item)
            except DjangoValidationError as exc:
                rejected.append(
                    {
                        "index": index,
                        "question_id": item["question_id"],
                        "perspective": item["perspective"],
                        "errors": validation_detail(exc),
                    }
                )
        if rejected:
            transaction.set_rollback(True)
            named = ", ".join(f"{r['question_id']} ({r['perspective']})" for r in rejected)
            return _answers_rejected(f"Nothing was saved: refused {named}.", rejected)
    return None


def _answers_rejected(detail: str, answers: list[dict[str, Any]]) -> Response:
    data = {"detail": detail, "answers": answers}
    return Response(AnswersRejectedSerializer(data).data, status=status.HTTP_400_BAD_REQUEST)


def _malformed_answers(data: Any, errors: Any) -> Response:
    """DRF's errors for the list (a list or dict by position, or the list's own) as `AnswersRejected`."""
    if isinstance(errors, list):
        by_index = dict(enumerate(errors))
    elif all(str(key).isdigit() for key in errors):
        by_index = {int(key): value for key, value in errors.items()}
    else:
        messages = [str(m) for value in errors.values() for m in (value if isinstance(value, list) else [value])]
        return _answers_rejected("Nothing was saved: " + " ".join(messages), [])
    rejected = []
    for index, item_errors in sorted(by_index.items()):
        if not item_errors:
            continue
        sent = data[index] if isinstance(data, list) and index < len(data) else None
        question_id, perspective = (
            (sent.get("question_id"), sent.get("perspective", Perspective.SELF))
            if isinstance(sent, dict)
            else (None, None)
        )
        rejected.append(
            {
                "index": index,
                "question_id": question_id if isinstance(question_id, str) else None,
                "perspective": perspective if perspective in Perspective.values else None,
                "errors": {
                    field: [str(m) for m in (value if isinstance(value, list) else [value])]
                    for field, value in item_errors.items()
                },
            }
        )
    return _answers_rejected("Nothing was saved: some answers are not well formed.", rejected)


def _refuse_unanswered(
    exc: DjangoValidationError, assessment: Assessment, answers: list[Answer], side: str | None = None
) -> None:
    """Re-raise a refused submission; when questions are unanswered, list them."""
    detail: dict[str, Any] = dict(validation_detail(exc))
    # Refused for another reason (already submitted, closed): the documented body, with nothing listed.
    code = getattr(exc, "code", None)
    detail["unanswered"] = _unanswered(assessment.spec, answers) if code == "unanswered" else []
    # Always present, as the schema documents it: empty unless the refusal is for them.
    detail["respondents_waiting"] = (
        [r.name for r in services.respondents_waiting(assessment, side)]
        if code == "respondents_waiting" and side is not None
        else []
    )
    raise serializers.ValidationError(detail) from exc
