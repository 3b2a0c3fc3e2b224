"""Writes to KPIs, their baselines, targets and measurements, for the pages, the API and the import.

Baselines and targets are agreed, not set: one side proposes a value, the
other side agrees it, and both are recorded with who and when ("a
constructive, collaborative approach to setting targets and (in particular)
baselines"). A new proposal supersedes one still pending; agreed values stay
in the history.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnering.core.choices import Side
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm, require_two_parties
from partnering.kpis.models import BaselineProposal, Kpi, KpiKind, Measurement, Source, TargetProposal
from partnering.kpis.periods import period_start

#: Fields a member may change on an existing KPI.
EDITABLE_FIELDS = ("name", "description", "kind", "unit", "direction", "frequency", "data_source")

BASELINE, TARGET = "baseline", "target"
PROPOSALS: dict[str, type[BaselineProposal] | type[TargetProposal]] = {
    BASELINE: BaselineProposal,
    TARGET: TargetProposal,
}


def _stamp(record: Any, access: Access) -> None:
    """Name the person in the audit trail even outside a browser request (API tokens, imports)."""
    record._history_user = access.user


def _require_kpi(access: Access, kpi: Kpi) -> None:
    access.require(Perm.CONTRIBUTE)
    if kpi.arrangement_id != access.arrangement.pk:
        raise PermissionDenied


def _require_party(access: Access, doing: str) -> None:
    """Only the two parties propose and agree: the facilitator has no side to speak for."""
    if access.side not in (Side.CUSTOMER, Side.PROVIDER):
        raise ValidationError(f"Only the customer or the provider can {doing}.")


# -- KPIs -------------------------------------------------------------------------


@transaction.atomic
def kpi_create(
    *,
    access: Access,
    name: str,
    unit: str,
    kind: str = KpiKind.SERVICE,
    direction: str = "higher",
    frequency: str = "monthly",
    description: str = "",
    data_source: str = "",
    source: str = Source.MEASURED,
) -> Kpi:
    """Add a KPI. A relationship KPI may be drawn from the Annex B assessments instead of measured."""
    access.require(Perm.CONTRIBUTE)
    if source == Source.ANNEX_B and kind != KpiKind.RELATIONSHIP:
        raise ValidationError({"source": "Only a relationship KPI can be drawn from the Annex B assessments."})
    if Kpi.objects.filter(arrangement=access.arrangement, name__iexact=name.strip()).exists():
        raise ValidationError({"name": "This arrangement already has a KPI with that name."})
    kpi = Kpi(
        arrangement=access.arrangement,
        name=name.strip(),
        description=description.strip(),
        kind=kind,
        unit=unit.strip(),
        direction=direction,
        frequency=_frequency_for(source, frequency),
        data_source=data_source.strip(),
        source=source,
        created_by=access.user,
    )
    kpi.full_clean()
    _stamp(kpi, access)
    kpi.save()
    return kpi


def _frequency_for(source: str, frequency: str) -> str:
    # Annex B is assessed once a year, whatever was asked for.
    return "annually" if source == Source.ANNEX_B else frequency


def kpi_update(*, access: Access, kpi: Kpi, expected_version: int, changes: dict[str, Any]) -> Kpi:
    """Edit a KPI's definition; a save based on an old version is refused (EditConflict)."""
    _require_kpi(access, kpi)
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        setattr(kpi, name, value.strip() if isinstance(value, str) else value)
    if kpi.source == Source.ANNEX_B and kpi.kind != KpiKind.RELATIONSHIP:
        raise ValidationError({"kind": "A KPI drawn from the Annex B assessments is a relationship KPI."})
    kpi.frequency = _frequency_for(kpi.source, kpi.frequency)
    clash = Kpi.objects.filter(arrangement_id=kpi.arrangement_id, name__iexact=kpi.name).exclude(pk=kpi.pk)
    if clash.exists():
        raise ValidationError({"name": "This arrangement already has a KPI with that name."})
    _stamp(kpi, access)
    return save_versioned(kpi, expected_version=expected_version, fields=list(EDITABLE_FIELDS))


# -- baselines and targets ----------------------------------------------------------


@transaction.atomic
def proposal_make(
    *, access: Access, kpi: Kpi, what: str, value: Decimal, note: str = "", uncertainty: str = ""
) -> BaselineProposal | TargetProposal:
    """Propose a baseline or target; the other side must agree it.

    A proposal still waiting supersedes the one before it (either side may
    counter-propose); values already agreed stay in force, and in the history,
    until the new one is agreed.
    """
    _require_kpi(access, kpi)
    _require_party(access, f"propose a {what}")
    model = PROPOSALS[what]
    # Lock the KPI so that two proposals at once cannot both stay pending.
    Kpi.objects.select_for_update().filter(pk=kpi.pk).first()
    now = timezone.now()
    for pending in model.objects.filter(kpi=kpi, agreed_at__isnull=True, superseded_at__isnull=True):
        pending.superseded_at = now
        _stamp(pending, access)
        pending.save(update_fields=["superseded_at", "updated_at"])
    extra = {"uncertainty": uncertainty.strip()} if what == BASELINE else {}
    proposal = model(
        kpi=kpi,
        value=value,
        note=note.strip(),
        proposed_by=access.user,
        proposed_side=access.side,
        **extra,
    )
    proposal.full_clean()
    _stamp(proposal, access)
    proposal.save()
    return proposal


@transaction.atomic
def proposal_agree(*, access: Access, proposal: BaselineProposal | TargetProposal) -> BaselineProposal | TargetProposal:
    """Agree the other side's proposal: the agreement must come from the side that did not propose it.

    Refused when the proposal has been superseded or agreed meanwhile, so that
    nobody agrees a value that is no longer the one on the table.
    """
    kpi = proposal.kpi
    _require_kpi(access, kpi)
    _require_party(access, "agree a baseline or target")
    current = type(proposal).objects.select_for_update().get(pk=proposal.pk)
    if current.agreed_at is not None:
        raise ValidationError("This proposal has already been agreed.")
    if current.superseded_at is not None:
        raise ValidationError("A later proposal has replaced this one: agree that one instead.")
    if current.proposed_side == access.side:
        raise ValidationError("The other side must agree this: your side proposed it.")
    halves = {current.proposed_side: current.proposed_by, access.side: access.user}
    require_two_parties(
        access.arrangement, customer_half=halves.get(Side.CUSTOMER), provider_half=halves.get(Side.PROVIDER)
    )
    current.agreed_by = access.user
    current.agreed_side = access.side
    current.agreed_at = timezone.now()
    _stamp(current, access)
    current.save(update_fields=["agreed_by", "agreed_side", "agreed_at", "updated_at"])
    return current


# -- measurements ---------------------------------------------------------------------


def _check_measured(kpi: Kpi) -> None:
    if kpi.is_computed:
        raise ValidationError("This KPI is drawn from the Annex B assessments: it has no measurements to enter.")


@transaction.atomic
def measurement_record(*, access: Access, kpi: Kpi, period: date, value: Decimal, note: str = "") -> Measurement:
    """A period's value, from either side. One per period: edit an existing one instead."""
    _require_kpi(access, kpi)
    _check_measured(kpi)
    start = period_start(kpi.frequency, period)
    if Measurement.objects.filter(kpi=kpi, period=start).exists():
        raise ValidationError({"period": "This period already has a measurement: change that one instead."})
    measurement = Measurement(
        kpi=kpi, period=start, value=value, note=note.strip(), entered_by=access.user, entered_side=access.side
    )
    measurement.full_clean()
    _stamp(measurement, access)
    measurement.save()
    return measurement


def measurement_update(
    *, access: Access, measurement: Measurement, expected_version: int, value: Decimal, note: str = ""
) -> Measurement:
    """Correct a measurement; a save based on an old version is refused (EditConflict)."""
    _require_kpi(access, measurement.kpi)
    measurement.value = value
    measurement.note = note.strip()
    measurement.entered_by = access.user
    measurement.entered_side = access.side
    _stamp(measurement, access)
    return save_versioned(measurement, expected_version=expected_version, fields=["value", "note"])
