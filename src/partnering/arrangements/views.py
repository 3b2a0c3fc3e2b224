"""Arrangement pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partnering.arrangements import selectors, services
from partnering.arrangements.forms import (
    ArrangementCreateForm,
    ArrangementForm,
    OpennessForm,
    OutcomeForm,
    StageForm,
    validation_to_form,
)
from partnering.arrangements.models import OpennessProfile, OpennessProposal, SharedOutcome
from partnering.core import pagecache
from partnering.core.audit import arrangement_history, history_record_types
from partnering.core.choices import Role, Stage
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.paging import paginate
from partnering.core.policy import Access, Perm, can_create_arrangement


def _ctx(access: Access, tab: str, **extra: object) -> dict[str, object]:
    return {"access": access, "arrangement": access.arrangement, "tab": tab, **extra}


@login_required
@pagecache.kept_for(lambda request: pagecache.member_scope(request.user))
def arrangement_list(request: HttpRequest) -> HttpResponse:
    arrangements = list(selectors.arrangement_list(user=request.user))
    return render(
        request,
        "arrangements/list.html",
        {"arrangements": arrangements, "can_create": can_create_arrangement(request.user)},
    )


@login_required
def arrangement_create(request: HttpRequest) -> HttpResponse:
    if not can_create_arrangement(request.user):
        raise PermissionDenied("Only people in a customer organisation can set up an arrangement.")
    form = ArrangementCreateForm(request.POST or None)
    openness_form = OpennessForm(
        request.POST or None,
        initial=OpennessForm.initial_from(
            {
                "joint_project_board": True,
                "single_risk_register": True,
                "problems_visible": True,
                "open_book": "both",
                "single_project_budget": False,
                "staff_360_reporting": False,
                "facilitator_sees_blind_answers": False,
            }
        ),
        prefix="openness",
    )
    if request.method == "POST":
        form_ok, openness_ok = form.is_valid(), openness_form.is_valid()
        if form_ok and openness_ok:
            data = form.cleaned_data
            try:
                arrangement = services.arrangement_create(
                    user=request.user,
                    title=data["title"],
                    description=data["description"],
                    provider=data["provider"],
                    new_provider=data["new_provider"],
                    contract_start=data["contract_start"],
                    contract_end=data["contract_end"],
                    stage=data["stage"],
                    outcomes=form.outcome_list(),
                    openness=openness_form.settings(),
                    creator_role=data["creator_role"],
                )
            except ValidationError as exc:
                validation_to_form(form, exc)
            else:
                messages.success(
                    request, f"Arrangement ‘{arrangement.title}’ created. Now invite people from both sides."
                )
                return redirect("arrangements:members", slug=arrangement.slug)
    return render(request, "arrangements/create.html", {"form": form, "openness_form": openness_form})


@arrangement_page(Perm.VIEW, kept=True)
def overview(request: HttpRequest, access: Access) -> HttpResponse:
    arrangement = access.arrangement
    return render(
        request,
        "arrangements/overview.html",
        _ctx(
            access,
            "overview",
            outcomes=list(arrangement.outcomes.select_related("customer_agreed_by", "provider_agreed_by")),
            leaders=selectors.leaders(access=access),
            stage_changes=list(arrangement.stage_changes.select_related("changed_by")[:10]),
            outcome_form=OutcomeForm(),
            can_edit=access.has(Perm.EDIT_ARRANGEMENT),
            can_change_stage=access.has(Perm.CHANGE_STAGE),
        ),
    )


@arrangement_page(Perm.EDIT_ARRANGEMENT)
def edit(request: HttpRequest, access: Access) -> HttpResponse:
    arrangement = access.arrangement
    initial = {f: getattr(arrangement, f) for f in ("title", "description", "contract_start", "contract_end")}
    form = ArrangementForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version", "0"))
            services.arrangement_update(access=access, expected_version=version, changes=form.cleaned_data)
        except EditConflict as exc:
            conflict = exc
            form.add_error(
                None,
                "Someone else changed this arrangement while you were editing it. "
                "Check their changes below, then save again if you still want yours.",
            )
            arrangement = exc.current
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Arrangement details saved.")
            return redirect("arrangements:overview", slug=arrangement.slug)
    return render(
        request,
        "arrangements/edit.html",
        _ctx(access, "overview", form=form, conflict=conflict, version=arrangement.version),
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CHANGE_STAGE)
def stage(request: HttpRequest, access: Access) -> HttpResponse:
    form = StageForm(request.POST or None, initial={"stage": access.arrangement.stage})
    if request.method == "POST" and form.is_valid():
        try:
            services.arrangement_change_stage(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, f"Lifecycle stage changed to {Stage(form.cleaned_data['stage']).label}.")
            return redirect("arrangements:overview", slug=access.arrangement.slug)
    changes = access.arrangement.stage_changes.select_related("changed_by")
    return render(request, "arrangements/stage.html", _ctx(access, "overview", form=form, changes=changes))


@arrangement_page(Perm.EDIT_ARRANGEMENT)
@require_POST
def outcome_add(request: HttpRequest, access: Access) -> HttpResponse:
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.outcome_add(access=access, text=form.cleaned_data["text"])
            messages.success(request, "Outcome added. Both sides need to agree it again.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Enter the outcome.")
    return redirect("arrangements:overview", slug=access.arrangement.slug)


@arrangement_page(Perm.EDIT_ARRANGEMENT)
def outcome_edit(request: HttpRequest, access: Access, outcome_uuid: str) -> HttpResponse:
    outcome = get_object_or_404(SharedOutcome, arrangement=access.arrangement, uuid=outcome_uuid)
    form = OutcomeForm(request.POST or None, initial={"text": outcome.text})
    if request.method == "POST":
        if request.POST.get("remove"):
            services.outcome_remove(access=access, outcome=outcome)
            messages.success(request, "Outcome removed.")
            return redirect("arrangements:overview", slug=access.arrangement.slug)
        if form.is_valid():
            services.outcome_update(access=access, outcome=outcome, text=form.cleaned_data["text"])
            messages.success(request, "Outcome saved.")
            return redirect("arrangements:overview", slug=access.arrangement.slug)
    return render(request, "arrangements/outcome_edit.html", _ctx(access, "overview", form=form, outcome=outcome))


@arrangement_page(Perm.AGREE_OUTCOMES)
@require_POST
def outcomes_agree(request: HttpRequest, access: Access) -> HttpResponse:
    count = services.outcomes_agree(access=access)
    messages.success(request, f"You agreed {count} outcome{'s' if count != 1 else ''} for your side.")
    return redirect("arrangements:overview", slug=access.arrangement.slug)


@arrangement_page(Perm.VIEW)
def openness(request: HttpRequest, access: Access) -> HttpResponse:
    profile = access.arrangement.openness
    pending = selectors.pending_openness_proposal(access=access)
    form = OpennessForm(
        request.POST or None, initial=OpennessForm.initial_from(pending.proposed_settings if pending else profile)
    )
    if request.method == "POST":
        access.require(Perm.PROPOSE_OPENNESS)
        if form.is_valid():
            try:
                proposal = services.openness_propose(
                    access=access, settings=form.settings(), reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                validation_to_form(form, exc)
            else:
                if proposal.status == "agreed":
                    messages.success(request, "The new degree of openness is agreed and in force.")
                else:
                    other = "SRIE" if Role.SRO in access.roles else "SRO"
                    messages.success(request, f"Change proposed. It comes into force when the {other} agrees.")
                return redirect("arrangements:openness", slug=access.arrangement.slug)
    proposals = access.arrangement.openness_proposals.select_related("proposed_by", "sro_agreed_by", "srie_agreed_by")[
        :20
    ]
    return render(
        request,
        "arrangements/openness.html",
        _ctx(
            access,
            "openness",
            profile=profile,
            pending=pending,
            form=form,
            proposals=proposals,
            can_propose=access.has(Perm.PROPOSE_OPENNESS),
            form_fields=[form[n] for n in profile.SETTINGS],
            current_rows=[(form[n].label, _openness_display(profile, n)) for n in profile.SETTINGS],
            pending_rows=[
                (form[n].label, _openness_display(OpennessProfile(**pending.proposed_settings), n))
                for n in profile.SETTINGS
            ]
            if pending
            else [],
        ),
    )


def _openness_display(profile: OpennessProfile, name: str) -> str:
    value = getattr(profile, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return profile.get_open_book_display()


@arrangement_page(Perm.AGREE_OPENNESS)
@require_POST
def openness_decide(request: HttpRequest, access: Access, proposal_uuid: str) -> HttpResponse:
    proposal = get_object_or_404(OpennessProposal, arrangement=access.arrangement, uuid=proposal_uuid)
    try:
        if request.POST.get("decision") == "withdraw":
            services.openness_withdraw(access=access, proposal=proposal)
            messages.success(request, "Proposal withdrawn.")
        else:
            proposal = services.openness_agree(access=access, proposal=proposal)
            messages.success(
                request,
                "The new degree of openness is agreed and in force."
                if proposal.status == "agreed"
                else "Your agreement is recorded.",
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("arrangements:openness", slug=access.arrangement.slug)


@arrangement_page(Perm.VIEW)
def history(request: HttpRequest, access: Access) -> HttpResponse:
    types = history_record_types()
    record_type = request.GET.get("type") or None
    record_type = record_type if record_type in dict(types) else None
    actor = request.GET.get("who") or None
    actors: set[str] = set()
    entries = arrangement_history(access, limit=1000, record_type=record_type, actor=actor, actors_seen=actors)
    return render(
        request,
        "arrangements/history.html",
        _ctx(
            access,
            "history",
            **paginate(request, entries),
            record_types=types,
            record_type=record_type or "",
            actors=sorted(actors | ({actor} if actor else set())),
            actor=actor or "",
        ),
    )
