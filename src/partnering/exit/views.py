"""Exit plan pages: thin translations from HTTP to services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partnering.arrangements.forms import validation_to_form
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm
from partnering.exit import selectors, services
from partnering.exit.forms import HandoverItemForm, StrategyForm
from partnering.exit.models import ExitStrategy


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", "0"))
    except ValueError:
        return 0


def _page(
    request: HttpRequest,
    access: Access,
    *,
    form: StrategyForm | None = None,
    item_form: HandoverItemForm | None = None,
    conflict: EditConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    strategy: ExitStrategy | None = selectors.exit_strategy_for(access=access)
    if form is None:
        initial = {f: getattr(strategy, f) for f in services.STRATEGY_FIELDS} if strategy else {}
        form = StrategyForm(initial=initial)
    state = strategy.status if strategy else selectors.NONE
    return render(
        request,
        "exit/detail.html",
        {
            "access": access,
            "arrangement": access.arrangement,
            "tab": "exit",
            "can_contribute": access.has(Perm.CONTRIBUTE),
            "can_agree": access.has(Perm.AGREE_OUTCOMES),
            "strategy": strategy,
            "warning": selectors.exit_warning(stage=access.arrangement.stage, status=state),
            "form": form,
            "item_form": item_form or HandoverItemForm(access=access, prefix="item"),
            "items": list(selectors.handover_items(strategy=strategy)),
            "conflict": conflict,
            "version": conflict.current.version if conflict else (strategy.version if strategy else 0),
        },
        status=status,
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def detail(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method != "POST":
        return _page(request, access)
    form = StrategyForm(request.POST)
    if form.is_valid():
        try:
            services.exit_strategy_save(access=access, expected_version=_version(request), values=form.cleaned_data)
        except EditConflict as exc:
            form.add_error(
                None,
                "Someone else changed the exit strategy while you were editing it. Check what changed "
                "below, then save again if you still want your version.",
            )
            return _page(request, access, form=form, conflict=exc, status=409)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Exit strategy saved.")
            return redirect("exit:detail", slug=access.arrangement.slug)
    return _page(request, access, form=form)


@arrangement_page(Perm.AGREE_OUTCOMES)
@require_POST
def agree(request: HttpRequest, access: Access) -> HttpResponse:
    try:
        strategy = services.exit_strategy_agree(access=access)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if strategy.is_agreed:
            messages.success(request, "Both sides have agreed the exit strategy.")
        else:
            messages.success(request, "Your agreement is recorded. The other side's lead has still to agree.")
    return redirect("exit:detail", slug=access.arrangement.slug)


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def item_add(request: HttpRequest, access: Access) -> HttpResponse:
    form = HandoverItemForm(request.POST, access=access, prefix="item")
    if form.is_valid():
        try:
            services.handover_item_add(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Handover item added.")
            return redirect("exit:detail", slug=access.arrangement.slug)
    return _page(request, access, item_form=form)


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def item_edit(request: HttpRequest, access: Access, item_uuid: str) -> HttpResponse:
    item = selectors.handover_item_get(access=access, item_uuid=item_uuid)
    initial: dict[str, Any] = {f: getattr(item, f) for f in services.ITEM_FIELDS}
    form = HandoverItemForm(request.POST if request.method == "POST" else None, initial=initial, access=access)
    conflict = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_item_update(
                access=access, item=item, expected_version=_version(request), changes=form.cleaned_data
            )
        except EditConflict as exc:
            conflict, status = exc, 409
            form.add_error(None, "Someone else changed this item while you were editing it. Check, then save again.")
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Handover item saved.")
            return redirect("exit:detail", slug=access.arrangement.slug)
    return render(
        request,
        "exit/item.html",
        {
            "access": access,
            "arrangement": access.arrangement,
            "tab": "exit",
            "can_contribute": access.has(Perm.CONTRIBUTE),
            "item": item,
            "form": form,
            "conflict": conflict,
            "version": conflict.current.version if conflict else item.version,
        },
        status=status,
    )


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def item_done(request: HttpRequest, access: Access, item_uuid: str) -> HttpResponse:
    item = selectors.handover_item_get(access=access, item_uuid=item_uuid)
    done = request.POST.get("done", "1") != "0"
    services.handover_item_mark(access=access, item=item, done=done)
    messages.success(request, f"“{item.title}” marked as {'done' if done else 'not done'}.")
    return redirect("exit:detail", slug=access.arrangement.slug)
