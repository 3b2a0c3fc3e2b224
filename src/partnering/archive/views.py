"""Pages of the archive app: export, Gateway packs, reminder settings. Thin: HTTP to services and back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from partnering.archive import gateway
from partnering.archive.export import archive_zip, filename
from partnering.archive.models import GATES, GatewayPack, ReminderPreference
from partnering.core import downloads
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm


def _ctx(access: Access, **extra: object) -> dict[str, object]:
    return {"access": access, "arrangement": access.arrangement, "tab": "gateway", **extra}


# -- export ------------------------------------------------------------------------------


@arrangement_page(Perm.PROPOSE_OPENNESS)
@require_GET
def export_page(request: HttpRequest, access: Access) -> HttpResponse:
    return render(request, "archive/export.html", _ctx(access))


@arrangement_page(Perm.PROPOSE_OPENNESS)
@require_GET
def export_download(request: HttpRequest, access: Access) -> HttpResponse:
    # Only what the SRO's or SRIE's side may see: the policy filters the archive.
    return downloads.attachment(
        archive_zip(access.arrangement, access=access), filename(access.arrangement), downloads.ZIP
    )


# -- Gateway packs -----------------------------------------------------------------------


@arrangement_page(Perm.VIEW)
@require_GET
def gateway_list(request: HttpRequest, access: Access) -> HttpResponse:
    packs = gateway.packs_for(access=access)
    gates = [(g, gateway.GATE_TITLES[g], gateway.GATE_BANKS[g], packs[g]) for g in GATES]
    return render(
        request,
        "archive/gateway_list.html",
        _ctx(
            access,
            gates=gates,
            can_generate=access.has(Perm.CONTRIBUTE),
            can_export=access.has(Perm.PROPOSE_OPENNESS),
        ),
    )


def _gate(gate: int) -> int:
    if gate not in GATES:
        raise Http404("No such gate.")
    return gate


@arrangement_page(Perm.CONTRIBUTE)
@require_POST
def gateway_generate(request: HttpRequest, access: Access, gate: int) -> HttpResponse:
    pack = gateway.pack_generate(access=access, gate=_gate(gate))
    messages.success(request, f"Gate {pack.gate} pack, version {pack.number}, is ready to download.")
    return redirect("archive:gateway", slug=access.arrangement.slug)


@arrangement_page(Perm.VIEW)
@require_GET
def gateway_pdf(request: HttpRequest, access: Access, gate: int) -> HttpResponse:
    """A recorded version (?version=N, or the latest); a preview, not recorded, while there is none."""
    gate = _gate(gate)
    packs = GatewayPack.objects.filter(arrangement=access.arrangement, gate=gate)
    wanted = request.GET.get("version", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404("No such version.")
        pack = packs.filter(number=int(wanted)).first()
        if pack is None:
            raise Http404("No such version.")
    else:
        pack = packs.order_by("-number").first()
    slug = access.arrangement.slug
    if pack is None:
        pdf = gateway.render_pdf(gateway.build(access, gate, number=None))
        return downloads.attachment(pdf, f"{slug}-gate-{gate}-preview.pdf", downloads.PDF)
    return downloads.attachment(bytes(pack.pdf), f"{slug}-gate-{gate}-v{pack.number}.pdf", downloads.PDF)


# -- reminder settings -----------------------------------------------------------------------


@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    pref = ReminderPreference.objects.filter(user=request.user).first()
    if request.method == "POST":
        opted_out = request.POST.get("reminders") == "off"
        ReminderPreference.objects.update_or_create(user=request.user, defaults={"opted_out": opted_out})
        messages.success(
            request, "You will not get reminder e-mails." if opted_out else "You will get a daily reminder e-mail."
        )
        return redirect("archive:reminder_settings")
    return render(request, "archive/reminder_settings.html", {"opted_out": bool(pref and pref.opted_out)})
