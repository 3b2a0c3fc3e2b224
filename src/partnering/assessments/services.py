"""Writes for self-assessments: banks, assessments, respondents, answers, reveal.

The blind rule is enforced twice: here (nobody writes into the other side's
answers, nothing is changed after a side submits) and in `selectors` (nobody
reads the other side's answers before both sides have submitted).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnering.accounts.models import Organisation
from partnering.actions.models import Action
from partnering.actions.services import action_create
from partnering.arrangements.models import Membership, RoleAssignment
from partnering.assessments.bank_loader import (
    BUILTIN_BANK_KEYS,
    BankSpec,
    BankValidationError,
    builtin_banks,
    load_bank_text,
)
from partnering.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Participation,
    Perspective,
    QuestionBank,
    Respondent,
)
from partnering.core.choices import AFTER_AWARD, Role, Side
from partnering.core.mail import subject_line
from partnering.core.policy import PERMISSIONS, Access, Perm
from partnering.core.text import single_line

User = get_user_model()

#: Who answers a bank whose addressee alone is asked (the bank's `addressee`): the guide asks the
#: relationship self-assessment questions of the SRO, the reciprocal questions of the SRIE, and the
#: annexes of both sides.
PARTICIPATION_BY_ADDRESSEE = {"sro": Participation.CUSTOMER, "srie": Participation.PROVIDER, "both": Participation.BOTH}


# -- banks -------------------------------------------------------------------


def _store_bank(spec: BankSpec, *, source_text: str, organisation: Organisation | None, user: Any) -> QuestionBank:
    """Store a bank version. A bank in use is never changed in place: a
    different spec under the same key becomes the next version.

    Keys are unique per organisation: an organisation's key names its own bank
    only, and whatever another organisation holds under the same key changes
    nothing here (no answer tells one organisation what another holds). The
    built-in banks' keys, seen by everyone, are the only ones no organisation takes.
    """
    if organisation is not None and (
        spec.key in BUILTIN_BANK_KEYS or QuestionBank.objects.filter(organisation__isnull=True, key=spec.key).exists()
    ):
        raise ValidationError({"file": f"The key ‘{spec.key}’ belongs to a built-in bank. Choose another key."})
    if organisation is None and QuestionBank.objects.filter(organisation__isnull=False, key=spec.key).exists():
        # Only the command line stores a bank for every organisation: its operator is told why.
        raise ValidationError(
            {"file": f"An organisation's own bank uses the key ‘{spec.key}’. Give the built-in bank another key."}
        )
    own = QuestionBank.objects.filter(key=spec.key, organisation=organisation)
    latest = own.order_by("-version").first()
    spec_data = spec.as_dict()
    if latest is not None:
        if latest.spec == spec_data:
            return latest
        version = max(latest.version + 1, spec.version)
        own.update(is_current=False)
    else:
        version = spec.version
    if version != spec.version:
        spec_data = {**spec_data, "version": version}
    return QuestionBank.objects.create(
        key=spec.key,
        version=version,
        title=spec.title,
        spec=spec_data,
        source_text=source_text,
        organisation=organisation,
        uploaded_by=user,
        is_current=True,
    )


@transaction.atomic
def banks_sync_builtin() -> list[QuestionBank]:
    """Make sure every built-in bank of the guide is stored, at its current version."""
    return [_store_bank(spec, source_text="", organisation=None, user=None) for spec in builtin_banks()]


def banks_ensure_builtin() -> None:
    """Sync the built-in banks if none are stored yet (normally done after migrate)."""
    if not QuestionBank.objects.filter(organisation__isnull=True).exists():
        banks_sync_builtin()


@transaction.atomic
def bank_load(*, text: str, organisation: Organisation | None, user: Any = None) -> QuestionBank:
    """Validate a whole bank file, then store it; an invalid file changes nothing.

    Raises BankValidationError listing every problem with its line and field.
    """
    spec = load_bank_text(text)
    return _store_bank(spec, source_text=text, organisation=organisation, user=user)


# -- assessments -------------------------------------------------------------


@transaction.atomic
def assessment_start(
    *,
    access: Access,
    bank: QuestionBank,
    title: str = "",
    due_date: date | None = None,
    subject: str = "",
    previous: Assessment | None = None,
    also_ask_other_lead: bool = False,
    ask_other_view: bool = False,
) -> Assessment:
    """Start an assessment from a bank; optionally carry over a previous cycle's agreed answers.

    The side the bank is addressed to answers it (the SRO's questions: the customer side alone).
    `also_ask_other_lead` asks the other side too, where the bank says its lead "will also benefit"
    (`also_ask`) and there is a partner to ask: from contract award on. `ask_other_view` adds "how we
    see the other party" to each question, where the bank offers that perspective (ours).

    Carried-over answers are drafts of each side's agreed answers: the side
    lead reviews them, and every answer that changes is flagged in the results.
    """
    access.require(Perm.MANAGE_ASSESSMENTS)
    arrangement = access.arrangement
    if bank.organisation_id not in (None, arrangement.customer_id, arrangement.provider_id):
        raise ValidationError({"bank": "That question bank is not available to this arrangement."})
    spec = bank.bank
    cycle = None
    if spec.recurrence == "annual":
        _refuse_while_a_cycle_is_collecting(arrangement, bank, spec)
        cycle = _contract_year(arrangement, bank)
    if previous is not None:
        if previous.arrangement_id != arrangement.pk or previous.bank.key != bank.key:
            raise ValidationError({"previous": "Carry over only from an earlier cycle of the same bank."})
        if not previous.is_revealed:
            raise ValidationError({"previous": "That cycle has not been revealed yet."})
    assessment = Assessment(
        arrangement=arrangement,
        bank=bank,
        title=(single_line(title) or _default_title(spec, cycle, single_line(subject))),
        subject=single_line(subject),
        participation=_participation(arrangement, spec, also_ask_other_lead=also_ask_other_lead),
        asks_other_view=_asks_other_view(spec, ask_other_view),
        due_date=due_date,
        cycle=cycle,
        previous=previous,
        created_by=access.user,
    )
    assessment.full_clean()
    assessment.save()
    if previous is not None:
        valid = set(spec.question_ids)
        carried = [
            Answer(
                assessment=assessment,
                side=a.side,
                question_id=a.question_id,
                perspective=a.perspective,
                value=a.value,
                comment=a.comment,
                evidence=a.evidence,
                carried_from=a.value,
            )
            for a in previous.answers.filter(
                respondent__isnull=True, side__in=assessment.sides, perspective__in=assessment.spec.perspectives
            )
            if a.question_id in valid
        ]
        Answer.objects.bulk_create(carried)
    return assessment


def _asks_other_view(spec: Any, asked: bool) -> bool:
    if asked and Perspective.OTHER not in spec.perspectives:
        raise ValidationError({"ask_other_view": "This bank asks each side only how it sees itself."})
    return asked


def _participation(arrangement: Any, spec: Any, *, also_ask_other_lead: bool) -> str:
    """Who answers: the bank's addressee, and the other side's lead too where asked and possible."""
    if not also_ask_other_lead:
        return PARTICIPATION_BY_ADDRESSEE[spec.addressee]
    if not spec.also_ask:
        raise ValidationError(
            {"also_ask_other_lead": "The guide asks these questions of one side only: the other side cannot be asked."}
        )
    if arrangement.stage not in AFTER_AWARD:
        raise ValidationError(
            {"also_ask_other_lead": "Before contract award there is no partner to ask: the SRO answers alone."}
        )
    return Participation.BOTH


def _contract_year(arrangement: Any, bank: QuestionBank) -> int:
    """The contract year an annual check covers: the checks fall due each year from
    contract award, so a check started in year n+1 (or near the end of year n)
    covers year n; never a year already covered by an earlier cycle."""
    same_bank = Assessment.objects.filter(
        arrangement=arrangement, bank__key=bank.key, bank__organisation_id=bank.organisation_id
    )
    last = same_bank.aggregate(m=Max("cycle"))["m"] or 0
    start = arrangement.contract_start
    if start is None:
        return last + 1
    today = timezone.localdate()
    full_years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(full_years, last + 1, 1)


def _refuse_while_a_cycle_is_collecting(arrangement: Any, bank: QuestionBank, spec: BankSpec) -> None:
    """One cycle of an annual check at a time: a second one started while this year's is still
    collecting answers would be numbered for the year after, a year that has not begun."""
    collecting = (
        Assessment.objects.filter(arrangement=arrangement, bank__key=bank.key, status=AssessmentStatus.COLLECTING)
        .values_list("cycle", flat=True)
        .first()
    )
    if collecting is not None:
        raise ValidationError(
            {
                "bank": f"{spec.title} for contract year {collecting} is still collecting answers. "
                "Reveal it before starting the next year’s."
            }
        )


def _default_title(spec: BankSpec, cycle: int | None, subject: str) -> str:
    title = spec.title
    if subject:
        title = f"{title}: {subject}"
    if cycle:
        title = f"{title} (contract year {cycle})"
    return title


def _editable(assessment: Assessment, side: str) -> None:
    """Refuse a change once the assessment or the side is past collecting.

    Read from the locked row, not from the instance passed in: that may be
    older than a side submission made since (the blind rule: nothing changes
    after a side submits).
    """
    fresh = (
        Assessment.objects.select_for_update()
        .only("status", "participation", "customer_submitted_at", "provider_submitted_at")
        .get(pk=assessment.pk)
    )
    for name in ("status", "customer_submitted_at", "provider_submitted_at"):
        setattr(assessment, name, getattr(fresh, name))
    if assessment.status != AssessmentStatus.COLLECTING:
        raise ValidationError("This assessment is no longer collecting answers.")
    if side not in assessment.sides:
        raise PermissionDenied("Your side does not answer this assessment.")
    if assessment.submitted_at(side) is not None:
        raise ValidationError("Your side has already submitted its answers. Answers can no longer change.")


@transaction.atomic
def respondents_invite(
    *, access: Access, assessment: Assessment, users: Iterable[Any], base_url: str | None = None
) -> list[Respondent]:
    """Invite members to answer on their own. People already invited are skipped."""
    access.require(Perm.MANAGE_ASSESSMENTS)
    _check_assessment(access, assessment)
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(arrangement=access.arrangement, user__in=list(users), is_active=True)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.filter(ended_at__isnull=True).only("id", "membership_id", "role"),
                to_attr="current_roles",
            )
        )
    }
    existing = set(assessment.respondents.filter(user__in=memberships.keys()).values_list("user_id", flat=True))
    created = []
    for user_id, membership in memberships.items():
        if user_id in existing or membership.side not in assessment.sides:
            continue
        # Observers only read: invited, they could never answer.
        if not {ra.role for ra in membership.current_roles} & PERMISSIONS[Perm.CONTRIBUTE]:
            continue
        if assessment.submitted_at(membership.side) is not None:
            continue
        created.append(
            Respondent.objects.create(
                assessment=assessment,
                user=membership.user,
                name=membership.user.get_full_name(),
                side=membership.side,
                invited_by=access.user,
            )
        )
    for respondent in created:
        _notify(respondent, base_url=base_url, reminder=False)
    return created


@transaction.atomic
def respondents_remind(*, access: Access, assessment: Assessment, base_url: str | None = None) -> int:
    """E-mail every respondent who has not yet submitted."""
    access.require(Perm.MANAGE_ASSESSMENTS)
    _check_assessment(access, assessment)
    pending = list(assessment.respondents.filter(submitted_at__isnull=True, user__isnull=False).select_related("user"))
    pending = [r for r in pending if assessment.submitted_at(r.side) is None]
    now = timezone.now()
    for respondent in pending:
        respondent.reminded_at = now
        respondent.save(update_fields=["reminded_at", "updated_at"])
        _notify(respondent, base_url=base_url, reminder=True)
    return len(pending)


def _notify(respondent: Respondent, *, base_url: str | None, reminder: bool) -> None:
    from django.conf import settings

    assessment = respondent.assessment
    link = (base_url or settings.SITE_URL).rstrip("/") + reverse(
        "assessments:answer", kwargs={"slug": assessment.arrangement.slug, "assessment_uuid": assessment.uuid}
    )
    context = {"respondent": respondent, "assessment": assessment, "link": link, "reminder": reminder}
    subject = subject_line(("Reminder: " if reminder else "") + f"Please answer ‘{assessment.title}’")
    body = render_to_string("assessments/email/invitation.txt", context)
    email = respondent.user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def _check_assessment(access: Access, assessment: Assessment) -> None:
    if assessment.arrangement_id != access.arrangement.pk:
        raise PermissionDenied


def _check_value(assessment: Assessment, question_id: str, perspective: str, value: str) -> None:
    spec = assessment.spec
    if question_id not in spec.question_ids:
        raise ValidationError({"question_id": f"Unknown question {question_id}."})
    if perspective not in spec.perspectives:
        raise ValidationError({"perspective": "This bank does not ask that perspective."})
    if value and value not in spec.scale.values:
        raise ValidationError({"value": f"‘{value}’ is not an answer on this question's scale."})


def _respondent_for(access: Access, assessment: Assessment) -> Respondent:
    respondent = assessment.respondents.filter(user=access.user).first()
    if respondent is None:
        raise PermissionDenied("You have not been invited to answer this assessment.")
    return respondent


@transaction.atomic
def answer_save(
    *,
    access: Access,
    assessment: Assessment,
    question_id: str,
    perspective: str = Perspective.SELF,
    value: str = "",
    comment: str = "",
    evidence: str = "",
) -> Answer:
    """Save (or update) the respondent's own draft answer. Saved as they go."""
    _check_assessment(access, assessment)
    access.require(Perm.CONTRIBUTE)
    respondent = _respondent_for(access, assessment)
    _editable(assessment, respondent.side)
    if respondent.submitted_at is not None:
        raise ValidationError("You have already submitted your answers.")
    _check_value(assessment, question_id, perspective, value)
    answer, _ = Answer.objects.get_or_create(
        assessment=assessment,
        respondent=respondent,
        question_id=question_id,
        perspective=perspective,
        defaults={"side": respondent.side},
    )
    answer.value, answer.comment, answer.evidence = value, comment.strip(), evidence.strip()
    answer.full_clean()
    answer.save()
    return answer


def _missing(assessment: Assessment, answers: Iterable[Answer]) -> list[str]:
    spec = assessment.spec
    have = {(a.question_id, a.perspective) for a in answers if a.value}
    missing = []
    for question in spec.questions:
        for perspective in spec.perspectives:
            if (question.id, perspective) not in have:
                suffix = "" if len(spec.perspectives) == 1 else f" ({Perspective(perspective).label.lower()})"
                missing.append(f"{question.id}{suffix}")
    return missing


def _refuse_missing(missing: list[str]) -> None:
    if missing:
        raise ValidationError(
            f"Answer every question before you submit. Unanswered: {', '.join(missing)}.", code="unanswered"
        )


@transaction.atomic
def respondent_submit(*, access: Access, assessment: Assessment) -> Respondent:
    """The respondent hands in their answers; they can no longer change them."""
    _check_assessment(access, assessment)
    respondent = _respondent_for(access, assessment)
    _editable(assessment, respondent.side)
    if respondent.submitted_at is not None:
        raise ValidationError("You have already submitted your answers.")
    _refuse_missing(_missing(assessment, respondent.answers.all()))
    respondent.submitted_at = timezone.now()
    respondent.save()
    return respondent


def _require_lead(access: Access, assessment: Assessment) -> str:
    _check_assessment(access, assessment)
    if not access.has(Perm.LEAD_SIDE) or access.lead_side() != access.side or access.side not in assessment.sides:
        raise PermissionDenied(
            "Only the side lead (the SRO for the customer, the SRIE for the provider) submits the side's answers."
        )
    return access.side


@transaction.atomic
def agreed_answer_save(
    *,
    access: Access,
    assessment: Assessment,
    question_id: str,
    perspective: str = Perspective.SELF,
    value: str = "",
    comment: str = "",
    evidence: str = "",
) -> Answer:
    """The side lead records the side's agreed answer to one question."""
    side = _require_lead(access, assessment)
    _editable(assessment, side)
    _check_value(assessment, question_id, perspective, value)
    answer, _ = Answer.objects.get_or_create(
        assessment=assessment,
        respondent=None,
        side=side,
        question_id=question_id,
        perspective=perspective,
    )
    answer.value, answer.comment, answer.evidence = value, comment.strip(), evidence.strip()
    answer.full_clean()
    answer.save()
    return answer


def respondents_waiting(assessment: Assessment, side: str) -> list[Respondent]:
    """The side's invited respondents who have not submitted their answers yet."""
    return list(assessment.respondents.filter(side=side, submitted_at__isnull=True).order_by("name"))


@transaction.atomic
def side_submit(*, access: Access, assessment: Assessment, unanswered_confirmed: bool = False) -> Assessment:
    """Submit the side's agreed answers. When every side has, all are revealed at once.

    Submitting closes the side to its respondents, so while some invited respondents have
    not answered the lead must say they mean to submit without them (`unanswered_confirmed`);
    otherwise it is refused, naming them (code "respondents_waiting").
    """
    side = _require_lead(access, assessment)
    assessment = Assessment.objects.select_for_update().select_related("bank").get(pk=assessment.pk)
    _editable(assessment, side)
    agreed = assessment.answers.filter(respondent__isnull=True, side=side)
    _refuse_missing(_missing(assessment, agreed))
    waiting = respondents_waiting(assessment, side)
    if waiting and not unanswered_confirmed:
        names = ", ".join(r.name for r in waiting)
        raise ValidationError(
            f"{len(waiting)} of the people invited to answer for your side "
            f"{'has' if len(waiting) == 1 else 'have'} not answered yet: {names}. Once your side submits they "
            "can no longer answer. Confirm that you want to submit without their answers, or wait for them.",
            code="respondents_waiting",
        )
    now = timezone.now()
    if side == Side.CUSTOMER:
        assessment.customer_submitted_at, assessment.customer_submitted_by = now, access.user
    else:
        assessment.provider_submitted_at, assessment.provider_submitted_by = now, access.user
    if all(assessment.submitted_at(s) is not None for s in assessment.sides):
        assessment.revealed_at = now
        assessment.status = AssessmentStatus.REVEALED
    assessment.save()
    return assessment


@transaction.atomic
def assessment_close(*, access: Access, assessment: Assessment) -> Assessment:
    access.require(Perm.MANAGE_ASSESSMENTS)
    _check_assessment(access, assessment)
    if not assessment.is_revealed:
        raise ValidationError("Only a revealed assessment can be closed.")
    assessment.status = AssessmentStatus.CLOSED
    assessment.save()
    return assessment


@transaction.atomic
def action_from_assessment(
    *,
    access: Access,
    assessment: Assessment,
    question_id: str,
    reason: str,
    title: str,
    owner: Any,
    due_date: date | None,
    description: str = "",
) -> Action:
    """Turn an answer that needs attention, or a perception gap, into an action."""
    _check_assessment(access, assessment)
    if not assessment.is_revealed:
        raise ValidationError("Actions are raised from the results, after both sides' answers are revealed.")
    spec = assessment.spec
    if question_id not in spec.question_ids:
        raise ValidationError({"question_id": "Unknown question."})
    label = {"gap": "perception gap", "attention": "needs attention"}.get(reason, reason)
    # The question part must survive: the results page finds an action's row by it.
    suffix = f", question {question_id} ({label})"
    room = Action._meta.get_field("source_detail").max_length - len(suffix)
    title_part = assessment.title if len(assessment.title) <= room else assessment.title[: room - 1] + "…"
    return action_create(
        access=access,
        title=title,
        owner=owner,
        due_date=due_date,
        description=description,
        source=assessment,
        source_detail=title_part + suffix,
    )


def side_lead_role(side: str) -> str:
    return Role.SRO if side == Side.CUSTOMER else Role.SRIE


__all__ = [
    "BankValidationError",
    "action_from_assessment",
    "agreed_answer_save",
    "answer_save",
    "assessment_close",
    "assessment_start",
    "bank_load",
    "banks_sync_builtin",
    "respondent_submit",
    "respondents_invite",
    "respondents_remind",
    "respondents_waiting",
    "side_submit",
]
