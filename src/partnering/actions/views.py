from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partnering.actions import selectors, services
from partnering.actions.forms import ActionForm
from partnering.arrangements.forms import validation_to_form
from partnering.core import pagecache
from partnering.core.concurrency import EditConflict
from partnering.core.gate import arrangement_page
from partnering.core.paging import paginate
from partnering.core.policy import Access, Perm


@login_required
@pagecache.kept_for(lambda request: pagecache.member_scope(request.user))
def my_actions(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    paged = paginate(request, selectors.actions_for_user(user=request.user, open_only=not show_all))
    return render(request, "actions/mine.html", {"actions": paged["page"].object_list, "show_all": show_all, **paged})


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE, kept=True)
def arrangement_actions(request: HttpRequest, access: Access) -> HttpResponse:
    form = ActionForm(request.POST or None, access=access, with_status=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(access=access, **form.cleaned_data)
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Action added.")
            return redirect("actions:list", slug=access.arrangement.slug)
    show_all = request.GET.get("show") == "all"
    paged = paginate(request, selectors.actions_for_arrangement(access=access, open_only=not show_all))
    return render(
        request,
        "actions/list.html",
        {
            "access": access,
            "arrangement": access.arrangement,
            "tab": "actions",
            "actions": paged["page"].object_list,
            "form": form,
            "show_all": show_all,
            **paged,
        },
    )


@arrangement_page(Perm.VIEW, write_perm=Perm.CONTRIBUTE)
def action_edit(request: HttpRequest, access: Access, action_uuid: str) -> HttpResponse:
    action = selectors.action_get(access=access, action_uuid=action_uuid)
    initial = {f: getattr(action, f) for f in ("title", "description", "owner", "due_date", "status")}
    form = ActionForm(request.POST or None, access=access, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                access=access,
                action=action,
                expected_version=int(request.POST.get("version", "0")),
                changes=form.cleaned_data,
            )
        except EditConflict as exc:
            conflict = exc
            action = exc.current
            form.add_error(
                None,
                "Someone else changed this action while you were editing it. Check their changes, then save again.",
            )
        except ValidationError as exc:
            validation_to_form(form, exc)
        else:
            messages.success(request, "Action saved.")
            return redirect("actions:list", slug=access.arrangement.slug)
    return render(
        request,
        "actions/edit.html",
        {
            "access": access,
            "arrangement": access.arrangement,
            "tab": "actions",
            "action": action,
            "form": form,
            "conflict": conflict,
            "version": action.version,
        },
    )
