"""Measurements as a spreadsheet: CSV and XLSX export, template, and import.

Import is all or nothing, like the risk register's: the whole file is read and
checked first, every error is reported with its row and column, and nothing is
written unless every row is valid. A row for a KPI and period that already has
a measurement updates it, so importing the same file twice changes nothing the
second time; a Version column (filled in by export) refuses a measurement that
someone changed after the export.

Reading the file, the headings and the errors are every import's
(`core.importing`); this module says what each column holds.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partnering.core.importing import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    CellError,
    Column,
    ImportRefused,
    ImportResult,
    RowError,
    Table,
    actor_label,
    safe_cell,
    text,
    text_cell,
    whole_number_or_none,
)
from partnering.core.policy import Access, Perm
from partnering.kpis.models import Kpi, Measurement, Source
from partnering.kpis.periods import period_label, period_start

__all__ = ["MAX_ROWS", "MAX_UPLOAD_BYTES", "ImportRefused", "ImportResult", "RowError", "measurement_import"]

HEADERS = ["KPI", "Period", "Value", "Note", "Version"]
MAX_VALUE = Decimal("999999999999")


# -- export ------------------------------------------------------------------------


def export_rows(measurements: Iterable[Measurement]) -> Iterator[list[Any]]:
    """The header and one row per measurement (KPI selected), every cell formula-safe."""
    yield HEADERS
    for m in measurements:
        yield [safe_cell(v) for v in (m.kpi.name, m.period.isoformat(), f"{m.value.normalize():f}", m.note, m.version)]


def export_csv(measurements: Iterable[Measurement]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export_rows(measurements))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kpis: Iterable[Kpi]) -> bytes:
    """An empty sheet to fill in, and a guidance sheet listing the KPIs that take measurements."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Measurements")
    sheet.append(HEADERS[:-1])
    guide = workbook.create_sheet("Guidance")
    guide.append(["Column", "Required", "What to enter"])
    guide.append(["KPI", "Yes", "The KPI's name, exactly as on the KPI page (see the list below)."])
    guide.append(["Period", "Yes", "Any date in the period, or 2027-03, Q1 2027 or 2027. Stored as its first day."])
    guide.append(["Value", "Yes", "A number, in the KPI's unit."])
    guide.append(["Note", "No", "Anything the other side should know about this figure."])
    guide.append([])
    guide.append(["KPI", "Unit", "Frequency"])
    for kpi in kpis:
        if not kpi.is_computed:
            guide.append([safe_cell(kpi.name), safe_cell(kpi.unit), kpi.get_frequency_display()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- parsing cells ------------------------------------------------------------------


_QUARTER = re.compile(r"^q([1-4])\s*[-/ ]?\s*(\d{4})$", re.IGNORECASE)
_YEAR_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*q([1-4])$", re.IGNORECASE)


def parse_period(value: Any) -> date:
    """A day in the period: a date, 2027-03, Mar 2027, Q1 2027, 2027-Q1 or 2027."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if not raw:
        raise CellError("Enter the period, for example 2027-03-01, 2027-03 or Q1 2027.")
    if isinstance(value, int | float) and float(value).is_integer() and 1900 < value < 3000:
        return date(int(value), 1, 1)
    if match := _QUARTER.match(raw):
        return date(int(match.group(2)), 3 * int(match.group(1)) - 2, 1)
    if match := _YEAR_QUARTER.match(raw):
        return date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m", "%b %Y", "%B %Y", "%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise CellError(f"‘{raw}’ is not a period: use a date (2027-03-01), a month (2027-03) or a quarter (Q1 2027).")


def parse_value(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("Enter a number.")
    digits = text(value).replace(",", "").removesuffix("%").strip()
    if not digits:
        raise CellError("Enter a number.")
    try:
        number = Decimal(str(value)) if isinstance(value, int | float) else Decimal(digits)
    except InvalidOperation:
        raise CellError(f"‘{text(value)}’ is not a number.") from None
    if not number.is_finite() or abs(number) > MAX_VALUE:
        raise CellError(f"‘{text(value)}’ is not a number this register can hold.")
    return number.quantize(Decimal("0.0001"))


# -- the import ---------------------------------------------------------------------


def measurement_import(*, access: Access, name: str, data: bytes) -> ImportResult:
    """Validate a whole file of measurements, then create or update every row, or write nothing.

    Raises ImportRefused when the file as a whole cannot be taken.
    """
    access.require(Perm.CONTRIBUTE)
    kpis = {k.name.lower(): k for k in Kpi.objects.filter(arrangement=access.arrangement)}

    def measured_kpi(raw: Any) -> Kpi:
        name = text(raw)
        if not name:
            raise CellError("Enter the KPI's name.")
        kpi = kpis.get(name.lower())
        if kpi is None:
            raise CellError(f"‘{name}’ is not a KPI of this arrangement.")
        if kpi.source != Source.MEASURED:
            raise CellError(f"‘{kpi.name}’ is drawn from the Annex B assessments: it takes no measurements.")
        return kpi

    columns = (
        Column("kpi", "KPI", measured_kpi, required=True),
        Column("period", "Period", parse_period, required=True),
        Column("value", "Value", parse_value, required=True),
        Column("note", "Note", text_cell()),
        Column("version", "Version", whole_number_or_none),
    )
    result = ImportResult()
    table = Table(name=name, data=data, columns=columns, result=result, max_rows=MAX_ROWS)
    if result.errors:
        return result

    existing = {(m.kpi_id, m.period): m for m in Measurement.objects.filter(kpi__arrangement=access.arrangement)}
    seen: dict[tuple[int, date], int] = {}
    to_create: list[Measurement] = []
    to_update: list[Measurement] = []

    for number, values in table.rows():

        def error(column: str, message: str, row: int = number) -> None:
            table.error(row, column, message)

        kpi = values["kpi"]
        start = period_start(kpi.frequency, values["period"])
        key = (kpi.pk, start)
        if key in seen:
            error("Period", f"{kpi.name} for {period_label(kpi.frequency, start)} is also on row {seen[key]}.")
            continue
        seen[key] = number
        current = existing.get(key)
        if current is None:
            to_create.append(
                Measurement(
                    kpi=kpi,
                    period=start,
                    value=values["value"],
                    note=values.get("note", ""),
                    entered_by=access.user,
                    entered_side=access.side,
                )
            )
            continue
        note = values.get("note", current.note)
        if current.value == values["value"] and current.note == note:
            result.unchanged += 1
            continue
        version = values.get("version")
        if version is not None and version != current.version:
            error(
                "Version",
                f"{kpi.name} for {period_label(kpi.frequency, start)} was changed by someone else after this "
                f"file was exported (version {version}, now {current.version}). Export again and redo your change.",
            )
            continue
        current.value, current.note = values["value"], note
        current.entered_by, current.entered_side = access.user, access.side
        to_update.append(current)

    if not table.finish(empty=RowError(2, "KPI", "The file has no measurements in it.")):
        return result
    _write(access, to_create, to_update)
    result.created, result.updated = len(to_create), len(to_update)
    return result


@transaction.atomic
def _write(access: Access, to_create: list[Measurement], to_update: list[Measurement]) -> None:
    access.require(Perm.CONTRIBUTE)
    history = {"history_actor": actor_label(access.user)}
    if to_create:
        bulk_create_with_history(
            to_create, Measurement, batch_size=500, default_user=access.user, custom_historical_attrs=history
        )
    if to_update:
        now = timezone.now()
        for m in to_update:
            m.version += 1
            m.updated_at = now
        bulk_update_with_history(
            to_update,
            Measurement,
            ["value", "note", "entered_by", "entered_side", "version", "updated_at"],
            batch_size=500,
            default_user=access.user,
            custom_historical_attrs=history,
        )
