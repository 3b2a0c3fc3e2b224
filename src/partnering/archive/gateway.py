"""Gateway packs: the relationship evidence for one OGC Gateway review, as a dated, versioned PDF.

A pack is evidence for a joint review, so it holds only what both sides see:
shared records, and assessment results once revealed (read only through
`assessments.selectors.results`, so the blind rule holds). Each section
appears only if its feature is installed. Every generated version is kept with
its SHA-256, so a reviewer can tell which version they were given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from partnering.archive.models import GATES, GatewayPack
from partnering.core.choices import Visibility
from partnering.core.pdf import html_to_pdf
from partnering.core.policy import Access, Perm

#: The question banks whose results are a gate's evidence.
GATE_BANKS: dict[int, tuple[str, ...]] = {
    0: ("gate-0",),
    1: ("gate-1",),
    2: ("gate-2",),
    3: ("gate-3",),
    4: ("first-year",),
    5: ("annual-health-check", "annex-b"),
}
GATE_TITLES: dict[int, str] = {
    0: "Gate 0: strategic assessment",
    1: "Gate 1: business justification",
    2: "Gate 2: delivery strategy",
    3: "Gate 3: investment decision",
    4: "Gate 4: readiness for service",
    5: "Gate 5: operations review and benefits realisation",
}
TOP_RISKS = 10


@dataclass
class AssessmentEvidence:
    assessment: Any
    results: Any | None  # None: not revealed yet, so not in the pack


@dataclass
class Pack:
    access: Access
    gate: int
    number: int | None  # None: a preview, not a recorded version
    generated_at: Any
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def arrangement(self) -> Any:
        return self.access.arrangement

    @property
    def title(self) -> str:
        return GATE_TITLES[self.gate]


def _installed(app: str) -> bool:
    return apps.is_installed(f"partnering.{app}")


def _assessments(access: Access, gate: int) -> list[AssessmentEvidence]:
    from partnering.assessments import selectors
    from partnering.assessments.models import Assessment

    found = (
        Assessment.objects.filter(arrangement=access.arrangement, bank__key__in=GATE_BANKS[gate])
        .select_related("bank")
        .order_by("-created_at")
    )
    out = []
    for assessment in found:
        res = selectors.results(access=access, assessment=assessment)
        # Only complete (revealed) results: a draft of one side is not joint evidence.
        out.append(AssessmentEvidence(assessment, res if res.complete and assessment.is_revealed else None))
    return out


def _charter(access: Access) -> Any:
    from partnering.charter import selectors

    return selectors.charter_state(access=access)


def _risks(access: Access) -> list[Any]:
    from partnering.risks.models import Risk, RiskStatus

    return list(
        Risk.objects.filter(arrangement=access.arrangement, visibility=Visibility.SHARED, status=RiskStatus.OPEN)
        .select_related("owner")
        .order_by("-score", "number")[:TOP_RISKS]
    )


def _kpis(access: Access) -> list[dict[str, Any]]:
    from partnering.kpis.models import Kpi

    kpis = Kpi.objects.filter(arrangement=access.arrangement).prefetch_related("measurements", "targets", "baselines")
    out = []
    for kpi in kpis:
        measurements = sorted(kpi.measurements.all(), key=lambda m: m.period)
        agreed = lambda items: next(  # noqa: E731
            (p for p in sorted(items, key=lambda p: p.created_at, reverse=True) if p.agreed_at), None
        )
        out.append(
            {
                "kpi": kpi,
                "latest": measurements[-1] if measurements else None,
                "baseline": agreed(kpi.baselines.all()),
                "target": agreed(kpi.targets.all()),
            }
        )
    return out


def _concerns(access: Access) -> list[Any]:
    from partnering.concerns.models import Concern, ConcernStatus

    return list(
        Concern.objects.filter(
            arrangement=access.arrangement, visibility=Visibility.SHARED, status=ConcernStatus.OPEN
        ).order_by("-level", "level_since", "number")
    )


def _exit_plan(access: Access) -> list[Any]:
    """The exit feature's records, whatever their shape: the pack lists them by name and date."""
    config = apps.get_app_config("exit")
    rows = []
    for model in config.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "arrangement" not in names:
            continue
        qs = model._default_manager.filter(arrangement=access.arrangement)
        if "visibility" in names:
            qs = qs.filter(visibility=Visibility.SHARED)
        rows += [(str(model._meta.verbose_name).capitalize(), obj) for obj in qs[:50]]
    return rows


def build(access: Access, gate: int, *, number: int | None) -> Pack:
    from partnering.arrangements.models import SharedOutcome, StageChange

    if gate not in GATES:
        raise ValueError(f"No gate {gate}.")
    arrangement = access.arrangement
    pack = Pack(access=access, gate=gate, number=number, generated_at=timezone.now())
    s = pack.sections
    s["outcomes"] = list(SharedOutcome.objects.filter(arrangement=arrangement))
    s["stages"] = list(StageChange.objects.filter(arrangement=arrangement).select_related("changed_by"))
    s["assessments"] = _assessments(access, gate)
    s["banks"] = GATE_BANKS[gate]
    for app, reader in (
        ("charter", _charter),
        ("risks", _risks),
        ("kpis", _kpis),
        ("concerns", _concerns),
        ("exit", _exit_plan),
    ):
        if _installed(app):
            s[app] = reader(access)
    return pack


def pack_html(pack: Pack) -> str:
    return render_to_string(
        "archive/gateway_pack.html", {"pack": pack, "arrangement": pack.arrangement, "s": pack.sections}
    )


def render_pdf(pack: Pack) -> bytes:
    return html_to_pdf(pack_html(pack))


def pack_generate(*, access: Access, gate: int) -> GatewayPack:
    """Record the next version of a gate's pack: the PDF as generated, its SHA-256, who and when."""
    access.require(Perm.CONTRIBUTE)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = GatewayPack.objects.filter(arrangement=access.arrangement, gate=gate).aggregate(
                    n=Max("number")
                )["n"]
                pack = build(access, gate, number=(latest or 0) + 1)
                pdf = render_pdf(pack)
                return GatewayPack.objects.create(
                    arrangement=access.arrangement,
                    gate=gate,
                    number=pack.number,
                    generated_by=access.user,
                    generated_at=pack.generated_at,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    pdf=pdf,
                )
        except IntegrityError:  # someone generated the same version a moment ago: take the next
            continue
    raise RuntimeError("Could not number the pack; try again.")


def packs_for(*, access: Access) -> dict[int, list[GatewayPack]]:
    """Every recorded version, by gate, newest first, without the PDFs themselves."""
    out: dict[int, list[GatewayPack]] = {g: [] for g in GATES}
    for p in (
        GatewayPack.objects.filter(arrangement=access.arrangement)
        .defer("pdf")
        .select_related("generated_by")
        .order_by("gate", "-number")
    ):
        out[p.gate].append(p)
    return out
