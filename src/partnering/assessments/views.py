"""Self-assessment pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partnering.arrangements.forms import validation_to_form
from partnering.assessments import selectors, services
from partnering.assessments.bank_loader import BankValidationError
from partnering.assessments.forms import (
    AssessmentActionForm,
    BankUploadForm,
    InviteRespondentsForm,
    PulseCreateForm,
    PulseInviteForm,
    StartForm,
    pulse_answer_form,
)
from partnering.assessments.models import Assessment, Perspective, PulseSurvey, QuestionBank
from partnering.assessments.pulse import (
    MIN_GROUP,
    LinkUsed,
    invitations_sent,
    pulse_close,
    pulse_create,
    pulse_invitation_by_token,
    pulse_invite,
    pulse_respond,
    pulse_results,
)
from partnering.core import charts
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm

User = get_user_model()


def _ctx(access: Access, **extra: object) -> dict[str, object]:
    return {"access": access, "arrangement": access.arrangement, "tab": "assessments", **extra}


def _assessment(access: Access, assessment_uuid: str) -> Assessment:
    return selectors.assessment_get(access=access, assessment_uuid=assessment_uuid)


@arrangement_page(Perm.VIEW, write_perm=Perm.MANAGE_ASSESSMENTS, kept=True, kept_also=selectors.list_page_depends_on)
def assessment_list(request: HttpRequest, access: Access) -> HttpResponse:
    services.banks_ensure_builtin()
    banks = selectors.banks_available(access=access).defer("source_text")
    previous = (
        Assessment.objects.filter(arrangement=access.arrangement, revealed_at__isnull=False)
        .select_related("bank")
        .defer(*selectors.BANK_BODY)
    )
    suggested = selectors.banks_suggested(access=access, banks=banks)
    form = StartForm(
        request.POST or None, banks=banks, previous=previous, initial={"bank": next(iter(suggested), None)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_start(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"‘{assessment.title}’ started. Now invite the people who will answer.")
            return redirect("assessments:detail", slug=access.arrangement.slug, assessment_uuid=assessment.uuid)
    return render(
        request,
        "assessments/list.html",
        _ctx(
            access,
            assessments=list(selectors.assessments_for(access=access)),
            schedule=selectors.schedule(access=access, banks=banks),
            suggested=suggested,
            form=form,
            can_manage=access.has(Perm.MANAGE_ASSESSMENTS),
            surveys=list(PulseSurvey.objects.filter(arrangement=access.arrangement).select_related("bank")),
        ),
    )


def _invitees(access: Access, data: dict) -> list:
    q = Q(pk__in=[u.pk for u in data.get("people") or []])
    if data.get("sides"):
        q |= Q(memberships__side__in=data["sides"])
    if data.get("roles"):
        q |= Q(
            memberships__role_assignments__role__in=data["roles"], memberships__role_assignments__ended_at__isnull=True
        )
    return list(
        User.objects.filter(q, memberships__arrangement=access.arrangement, memberships__is_active=True).distinct()
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.MANAGE_ASSESSMENTS)
def assessment_detail(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = _assessment(access, assessment_uuid)
    form = InviteRespondentsForm(request.POST or None, access=access, answering=assessment.sides)
    if request.method == "POST":
        base = request.build_absolute_uri("/")
        if request.POST.get("action") == "remind":
            count = services.respondents_remind(access=access, assessment=assessment, base_url=base)
            messages.success(request, f"Reminder sent to {count} {'person' if count == 1 else 'people'}.")
            return redirect(request.path)
        if request.POST.get("action") == "close":
            try:
                services.assessment_close(access=access, assessment=assessment)
                messages.success(request, "Assessment closed.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect(request.path)
        if form.is_valid():
            created = services.respondents_invite(
                access=access, assessment=assessment, users=_invitees(access, form.cleaned_data), base_url=base
            )
            messages.success(
                request, f"{len(created)} {'person' if len(created) == 1 else 'people'} invited to answer."
            )
            return redirect(request.path)
    respondents = list(assessment.respondents.all())
    for r in respondents:
        r.side_closed = assessment.submitted_at(r.side) is not None or assessment.status != "collecting"
    mine = next((r for r in respondents if r.user_id == access.user.pk), None)
    return render(
        request,
        "assessments/detail.html",
        _ctx(
            access,
            assessment=assessment,
            respondents=respondents,
            mine=mine,
            form=form,
            can_manage=access.has(Perm.MANAGE_ASSESSMENTS),
            is_lead=access.has(Perm.LEAD_SIDE) and access.side in assessment.sides,
            visible_sides=selectors.sides_visible(access, assessment),
        ),
    )


def _question_blocks(spec, answers) -> list[dict]:  # noqa: ANN001
    by_key = {(a.question_id, a.perspective): a for a in answers}
    blocks = []
    for section in spec.sections:
        questions = []
        for q in section.questions:
            parts = [
                {"perspective": p, "label": Perspective(p).label, "answer": by_key.get((q.id, p))}
                for p in spec.perspectives
            ]
            questions.append({"q": q, "parts": parts})
        blocks.append({"section": section, "questions": questions})
    return blocks


def _save_posted(request: HttpRequest, save, spec) -> list[str]:  # noqa: ANN001
    """Save every answer in a full-page POST; return the errors, question by question."""
    errors = []
    for q in spec.questions:
        for p in spec.perspectives:
            key = f"{q.id}:{p}"
            if f"value:{key}" not in request.POST and f"comment:{key}" not in request.POST:
                continue
            try:
                save(
                    question_id=q.id,
                    perspective=p,
                    value=request.POST.get(f"value:{key}", ""),
                    comment=request.POST.get(f"comment:{key}", ""),
                    evidence=request.POST.get(f"evidence:{key}", ""),
                )
            except ValidationError as exc:
                errors.append(f"{q.id}: {' '.join(exc.messages)}")
    return errors


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def answer(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    """A respondent answers on their own; drafts save as they go."""
    assessment = _assessment(access, assessment_uuid)
    respondent = assessment.respondents.filter(user=access.user).first()
    if respondent is None:
        raise PermissionDenied("You have not been invited to answer this assessment.")
    spec = assessment.spec
    errors: list[str] = []
    # The side lead submitted the side (or the assessment moved on) before this respondent did:
    # say so, rather than refuse their answers with a bare error.
    closed_before_me = respondent.submitted_at is None and (
        assessment.submitted_at(respondent.side) is not None or assessment.status != "collecting"
    )
    if request.method == "POST" and closed_before_me:
        return redirect(request.path)
    if request.method == "POST":

        def save(**kw):  # noqa: ANN003, ANN202
            return services.answer_save(access=access, assessment=assessment, **kw)

        try:
            errors = _save_posted(request, save, spec)
            if not errors and request.POST.get("action") == "submit":
                services.respondent_submit(access=access, assessment=assessment)
                messages.success(request, "Your answers are submitted. Thank you.")
                return redirect("assessments:detail", slug=access.arrangement.slug, assessment_uuid=assessment.uuid)
            if not errors:
                messages.success(request, "Your answers are saved. You can come back and finish later.")
                return redirect(request.path)
        except ValidationError as exc:
            errors = exc.messages
    answers = list(respondent.answers.all())
    return render(
        request,
        "assessments/answer.html",
        _ctx(
            access,
            assessment=assessment,
            spec=spec,
            blocks=_question_blocks(spec, answers),
            errors=errors,
            respondent=respondent,
            asked_side=respondent.side,
            locked=respondent.submitted_at is not None or closed_before_me,
            closed_before_me=closed_before_me,
            side_submitted_at=assessment.submitted_at(respondent.side),
            autosave_url="assessments:autosave",
        ),
    )


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def autosave(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    """htmx: save one question's draft as the respondent answers it."""
    assessment = _assessment(access, assessment_uuid)
    qid, perspective = request.POST.get("question_id", ""), request.POST.get("perspective", Perspective.SELF)
    key = f"{qid}:{perspective}"
    lead = request.POST.get("lead") == "1"
    func = services.agreed_answer_save if lead else services.answer_save
    try:
        func(
            access=access,
            assessment=assessment,
            question_id=qid,
            perspective=perspective,
            value=request.POST.get(f"value:{key}", ""),
            comment=request.POST.get(f"comment:{key}", ""),
            evidence=request.POST.get(f"evidence:{key}", ""),
        )
    except ValidationError as exc:
        return render(request, "assessments/_saved.html", {"error": " ".join(exc.messages)}, status=200)
    return render(request, "assessments/_saved.html", {"error": ""})


@arrangement_page(Perm.LEAD_SIDE)
def side(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    """The side lead sees the spread of their side's answers and submits the agreed answers."""
    assessment = _assessment(access, assessment_uuid)
    if access.side not in assessment.sides:
        raise PermissionDenied("Your side does not answer this assessment.")
    spec = assessment.spec
    errors: list[str] = []
    confirm_error = ""
    if request.method == "POST":

        def save(**kw):  # noqa: ANN003, ANN202
            return services.agreed_answer_save(access=access, assessment=assessment, **kw)

        try:
            errors = _save_posted(request, save, spec)
            if not errors and request.POST.get("action") == "submit":
                confirmed = request.POST.get("confirm_unanswered") == "yes"
                try:
                    assessment = services.side_submit(
                        access=access, assessment=assessment, unanswered_confirmed=confirmed
                    )
                except ValidationError as exc:
                    if getattr(exc, "code", None) == "respondents_waiting":
                        confirm_error = " ".join(exc.messages)
                    raise
                if assessment.is_revealed:
                    revealed = (
                        "Both sides have submitted: the results are revealed."
                        if len(assessment.sides) > 1
                        else "Your side's answers are submitted: the results are revealed to your side."
                    )
                    messages.success(request, revealed)
                    return redirect(
                        "assessments:results", slug=access.arrangement.slug, assessment_uuid=assessment.uuid
                    )
                messages.success(
                    request, "Your side's answers are submitted. They stay hidden until the other side submits."
                )
                return redirect("assessments:detail", slug=access.arrangement.slug, assessment_uuid=assessment.uuid)
            if not errors:
                messages.success(request, "Your side's answers are saved as a draft.")
                return redirect(request.path)
        except ValidationError as exc:
            errors = [] if confirm_error else exc.messages
    spread = selectors.side_spread(access=access, assessment=assessment)
    respondents = [r for r in assessment.respondents.all() if r.side == access.side]
    return render(
        request,
        "assessments/side.html",
        _ctx(
            access,
            assessment=assessment,
            spec=spec,
            spread=spread,
            errors=errors,
            locked=assessment.submitted_at(access.side) is not None or assessment.status != "collecting",
            respondents=respondents,
            waiting=[r for r in respondents if r.submitted_at is None],
            answered_count=sum(1 for r in respondents if r.submitted_at is not None),
            confirm_error=confirm_error,
        ),
    )


@arrangement_page(Perm.VIEW, kept=True)
def results(request: HttpRequest, access: Access, assessment_uuid: str) -> HttpResponse:
    assessment = _assessment(access, assessment_uuid)
    res = selectors.results(access=access, assessment=assessment)
    if not res.visible_sides:
        raise PermissionDenied("Results are hidden until both sides have submitted.")
    return render(
        request,
        "assessments/results.html",
        _ctx(access, assessment=assessment, r=res, chart=charts.answers_chart_data_uri(res.bank, res.rows)),
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def action_from(request: HttpRequest, access: Access, assessment_uuid: str, question_id: str) -> HttpResponse:
    assessment = _assessment(access, assessment_uuid)
    if not assessment.is_revealed:
        raise Http404
    spec = assessment.spec
    if question_id not in spec.question_ids:
        raise Http404
    question = spec.question(question_id)
    reason = request.GET.get("reason") or request.POST.get("reason") or "attention"
    reason = "gap" if reason == "gap" else "attention"
    form = AssessmentActionForm(
        request.POST or None,
        access=access,
        initial={
            "title": f"Address {question_id}: " + question.text[:200],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_from_assessment(
                access=access, assessment=assessment, question_id=question_id, reason=reason, **form.cleaned_data
            )
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Action created.")
            return redirect("assessments:results", slug=access.arrangement.slug, assessment_uuid=assessment.uuid)
    return render(
        request,
        "assessments/action_from.html",
        _ctx(access, assessment=assessment, question=question, form=form, reason=reason),
    )


@arrangement_page(Perm.VIEW)
def trend(request: HttpRequest, access: Access, bank_key: str) -> HttpResponse:
    spec, points = selectors.trend(access=access, bank_key=bank_key)
    if spec is None:
        raise Http404("No revealed cycles of this bank yet.")
    return render(
        request,
        "assessments/trend.html",
        _ctx(access, spec=spec, points=points, bank_key=bank_key, chart=charts.trend_chart_data_uri(points)),
    )


# -- question banks ---------------------------------------------------------------


@login_required
def bank_list(request: HttpRequest) -> HttpResponse:
    services.banks_ensure_builtin()
    org = request.user.organisation
    banks = QuestionBank.objects.filter(Q(organisation__isnull=True) | Q(organisation=org)).filter(is_current=True)
    form = BankUploadForm(request.POST or None, request.FILES or None)
    bank_errors = []
    if request.method == "POST":
        if org is None:
            raise PermissionDenied("Only people in an organisation can add question banks.")
        if form.is_valid():
            try:
                bank = services.bank_load(text=form.cleaned_data["file"], organisation=org, user=request.user)
            except BankValidationError as exc:
                bank_errors = exc.errors
                form.add_error(
                    "file",
                    f"The file has {len(exc.errors)} problem{'s' if len(exc.errors) != 1 else ''}. Nothing was saved.",
                )
            except ValidationError as exc:
                validation_to_form(form, exc)
            else:
                messages.success(request, f"Question bank ‘{bank.title}’ version {bank.version} saved.")
                return redirect("assessments:banks")
    return render(request, "assessments/banks.html", {"banks": banks, "form": form, "bank_errors": bank_errors})


@login_required
def bank_detail(request: HttpRequest, bank_key: str, version: int) -> HttpResponse:
    org_id = request.user.organisation_id
    bank = get_object_or_404(
        QuestionBank.objects.filter(Q(organisation__isnull=True) | Q(organisation_id=org_id)),
        key=bank_key,
        version=version,
    )
    return render(request, "assessments/bank_detail.html", {"bank": bank, "spec": bank.bank})


# -- 360° pulse surveys -----------------------------------------------------------


@arrangement_page(Perm.MANAGE_ASSESSMENTS)
def pulse_new(request: HttpRequest, access: Access) -> HttpResponse:
    banks = selectors.banks_available(access=access)
    form = PulseCreateForm(request.POST or None, banks=banks, initial={"bank": banks.filter(key="annex-b").first()})
    if request.method == "POST" and form.is_valid():
        try:
            survey = pulse_create(
                access=access, bank=form.cleaned_data["bank"], title=form.cleaned_data["title"], teams=form.team_list()
            )
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(
                request, "Pulse survey created. Invite your side's staff below: each person gets their own link."
            )
            return redirect("assessments:pulse_results", slug=access.arrangement.slug, survey_uuid=survey.uuid)
    return render(request, "assessments/pulse_new.html", _ctx(access, form=form))


def _survey(access: Access, survey_uuid: str) -> PulseSurvey:
    return get_object_or_404(
        PulseSurvey.objects.select_related("bank"), arrangement=access.arrangement, uuid=survey_uuid
    )


def _pulse_page(
    request: HttpRequest, access: Access, survey: PulseSurvey, invite_form: PulseInviteForm | None = None
) -> HttpResponse:
    can_manage = access.has(Perm.MANAGE_ASSESSMENTS)
    can_invite = survey.is_open and can_manage and not access.is_neutral
    if can_invite and invite_form is None:
        invite_form = PulseInviteForm(teams=survey.teams)
    return render(
        request,
        "assessments/pulse_results.html",
        _ctx(
            access,
            survey=survey,
            data=None if survey.is_open else pulse_results(access=access, survey=survey),
            sent=invitations_sent(access=access, survey=survey) if survey.is_open else None,
            can_manage=can_manage,
            invite_form=invite_form if can_invite else None,
            min_group=MIN_GROUP,
        ),
        status=400 if invite_form is not None and invite_form.errors else 200,
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.MANAGE_ASSESSMENTS)
def pulse_results_view(request: HttpRequest, access: Access, survey_uuid: str) -> HttpResponse:
    """While open: how many links the reader's side sent, and the invitation form; once
    closed: the results."""
    survey = _survey(access, survey_uuid)
    if request.method == "POST":
        pulse_close(access=access, survey=survey)
        messages.success(request, "Survey closed. Its links no longer work, and its results are below.")
        return redirect(request.path)
    return _pulse_page(request, access, survey)


@arrangement_page(Perm.MANAGE_ASSESSMENTS)
@require_POST
def pulse_invite_view(request: HttpRequest, access: Access, survey_uuid: str) -> HttpResponse:
    survey = _survey(access, survey_uuid)
    form = PulseInviteForm(request.POST, teams=survey.teams)
    if form.is_valid():
        try:
            invited = pulse_invite(
                access=access,
                survey=survey,
                emails=form.addresses(),
                team=form.cleaned_data["team"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            sent = len(invited.sent)
            message = f"{sent} invitation{'' if sent == 1 else 's'} sent."
            if invited.already:
                message += f" Already invited, so not sent again: {', '.join(invited.already)}."
            messages.success(request, message)
            return redirect("assessments:pulse_results", slug=access.arrangement.slug, survey_uuid=survey.uuid)
    return _pulse_page(request, access, survey, invite_form=form)


def pulse_public(request: HttpRequest, token: str) -> HttpResponse:
    """The anonymous survey page, through one person's link: no account, and nothing about
    the person is stored."""
    try:
        invitation = pulse_invitation_by_token(token)
    except LinkUsed:
        return render(request, "assessments/pulse_used.html", status=410)
    survey = invitation.survey
    spec = survey.bank.bank
    form = pulse_answer_form(spec)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pulse_respond(token=token, answers={q.id: data[f"q_{q.id}"] for q in spec.questions})
        except LinkUsed:
            return render(request, "assessments/pulse_used.html", status=410)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            return render(request, "assessments/pulse_thanks.html", {"survey": survey})
    context = {"survey": survey, "spec": spec, "form": form, "invitation": invitation, "min_group": MIN_GROUP}
    return render(request, "assessments/pulse_public.html", context)
