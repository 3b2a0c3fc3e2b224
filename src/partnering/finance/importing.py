"""The books as spreadsheets: XLSX and CSV export, template, and import.

The same rules as every import (`core.importing` reads the file, maps the
headings and collects the errors; this module says what each column holds):
the whole file is checked first, every error is
reported with its row and column, and nothing is written unless every row is
valid. A line is known by its book, period, category and description, so a
row matching a line already in the book updates it and importing the same
file twice changes nothing the second time.

Export holds only the books the member may read (`Access.sees_book_of`);
import writes only the member's own side's book.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

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
from partnering.core.policy import Access
from partnering.finance import services
from partnering.finance.models import Book, CostCategory, CostLine
from partnering.finance.money import parse_amount

__all__ = [
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "ImportRefused",
    "ImportResult",
    "RowError",
    "cost_line_import",
    "export_csv",
    "export_xlsx",
]

_EDITABLE = ("planned", "actual", "margin_pct")


# -- parsing cells ----------------------------------------------------------------


def _side(value: Any) -> str:
    lower = text(value).lower()
    for code, label in Book.choices:
        if lower in (code, str(label).lower(), code + "'s book"):
            return code
    raise CellError(f"‘{text(value)}’ is not a book: use Customer or Provider.")


def _category(value: Any) -> str:
    lower = text(value).lower()
    for code, label in CostCategory.choices:
        if lower in (code, str(label).lower()):
            return code
    raise CellError(f"‘{text(value)}’ is not a category: use one of {', '.join(CostCategory.labels)}.")


def _period(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    raw = text(value)
    for fmt in ("%Y-%m", "%Y-%m-%d", "%d/%m/%Y", "%m/%Y", "%b %Y", "%B %Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(raw, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise CellError(f"‘{raw}’ is not a month: use 2026-04.")


def _amount(value: Any, *, required: bool) -> Decimal | None:
    if text(value) == "":
        if required:
            raise CellError("Enter an amount.")
        return None
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _planned(value: Any) -> Decimal:
    return _amount(value, required=True)  # type: ignore[return-value]  # required: never None


def _actual(value: Any) -> Decimal:
    return _amount(value, required=False) or Decimal("0.00")


def _margin(value: Any) -> Decimal | None:
    margin = _amount(value, required=False)
    if margin is not None and not Decimal(0) <= margin <= Decimal(100):
        raise CellError("Enter a percentage from 0 to 100.")
    return margin


COLUMNS: tuple[Column, ...] = (
    Column("side", "Book", _side, required=True, note="Customer or Provider: your own side's book only."),
    Column("period", "Period", _period, required=True, note="The month, for example 2026-04 (or any date in it)."),
    Column(
        "category",
        "Category",
        _category,
        required=True,
        note="One of: " + ", ".join(str(label) for _, label in CostCategory.choices),
    ),
    Column(
        "description",
        "Description",
        text_cell(required=True, max_length=300),
        required=True,
        note="What the cost is; with the book, period and category it names the line.",
    ),
    Column("planned", "Planned", _planned, required=True, note="An amount to the penny, for example 12500.00."),
    Column("actual", "Actual", _actual, note="An amount to the penny; blank is 0.00."),
    Column("margin_pct", "Margin %", _margin, note="Provider's book only: the agreed profit margin, for example 8.5."),
    Column(
        "version",
        "Version",
        whole_number_or_none,
        note="Filled in by export: a line changed since then is refused, not overwritten.",
    ),
)
HEADERS = [c.header for c in COLUMNS]
_HEADER_OF = {c.key: c.header for c in COLUMNS}


# -- export -----------------------------------------------------------------------


def export_rows(lines: Iterable[CostLine]) -> Iterator[list[Any]]:
    """The header and one row per line. Amounts stay Decimal: exact in CSV, numbers in XLSX."""
    yield HEADERS
    for line in lines:
        yield [
            safe_cell(v)
            for v in (
                "Customer" if line.side == Book.CUSTOMER else "Provider",
                f"{line.period:%Y-%m}",
                line.get_category_display(),
                line.description,
                line.planned,
                line.actual,
                "" if line.margin_pct is None else line.margin_pct,
                line.version,
            )
        ]


def export_csv(lines: Iterable[CostLine]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export_rows(lines))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(lines: Iterable[CostLine], *, title: str = "Open book") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for number, row in enumerate(export_rows(lines)):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if number and isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Open book")
    sheet.append(HEADERS)
    guide = workbook.create_sheet("Guidance")
    guide.append(["Column", "Required", "What to enter"])
    for c in COLUMNS:
        guide.append([c.header, "Yes" if c.required else "No", c.note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- the import -------------------------------------------------------------------


def cost_line_import(*, access: Access, name: str, data: bytes) -> ImportResult:
    """Validate a whole file of the member's own book, then create or update every line, or write nothing.

    Raises ImportRefused when the file as a whole cannot be taken, and
    PermissionDenied when the member keeps no book (the facilitator) or may not contribute.
    """
    services.require_own_book(access, access.side)
    result = ImportResult()
    table = Table(name=name, data=data, columns=COLUMNS, result=result, max_rows=MAX_ROWS)
    if result.errors:
        return result
    existing = {
        (line.period, line.category, line.description.lower()): line
        for line in CostLine.objects.filter(arrangement=access.arrangement, side=access.side)
    }
    seen: dict[tuple, int] = {}
    to_create: list[CostLine] = []
    to_update: list[CostLine] = []
    for number, values in table.rows():

        def error(column: str, message: str, row: int = number) -> None:
            table.error(row, column, message)

        if values["side"] != access.side:
            error("Book", "You can only import your own side's book.")
            continue
        if values.get("margin_pct") is not None and access.side != Book.PROVIDER:
            error("Margin %", "Only the provider's book records an agreed profit margin.")
            continue
        key = (values["period"], values["category"], values["description"].lower())
        if key in seen:
            error("Description", f"The same line (book, period, category and description) is also on row {seen[key]}.")
            continue
        seen[key] = number
        version = values.pop("version", None)
        current = existing.get(key)
        if current is None:
            line = CostLine(
                arrangement=access.arrangement,
                side=access.side,
                period=values["period"],
                category=values["category"],
                description=values["description"],
                planned=values["planned"],
                actual=values.get("actual", Decimal("0.00")),
                margin_pct=values.get("margin_pct"),
                created_by=access.user,
            )
        else:
            line = current
            before = tuple(getattr(line, f) for f in _EDITABLE)
            for f in _EDITABLE:
                if f in values:
                    setattr(line, f, values[f])
            changed = before != tuple(getattr(line, f) for f in _EDITABLE)
        try:
            line.full_clean(exclude=["arrangement", "created_by"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                for message in messages:
                    error(_HEADER_OF.get(field_name, field_name), message)
            continue
        if current is None:
            to_create.append(line)
        elif changed:
            if version is not None and version != current.version:
                error(
                    "Version",
                    f"This line was changed by someone else after the file was exported "
                    f"(version {version}, now {current.version}). Export again and redo your change.",
                )
                continue
            to_update.append(line)
        else:
            result.unchanged += 1
    if not table.finish(empty=RowError(2, "Description", "The file has no cost lines in it.")):
        return result
    _write(access, to_create, to_update)
    result.created, result.updated = len(to_create), len(to_update)
    return result


@transaction.atomic
def _write(access: Access, to_create: list[CostLine], to_update: list[CostLine]) -> None:
    services.require_own_book(access, access.side)
    history = {"history_actor": actor_label(access.user)}
    if to_create:
        bulk_create_with_history(
            to_create, CostLine, batch_size=500, default_user=access.user, custom_historical_attrs=history
        )
    if to_update:
        now = timezone.now()
        for line in to_update:
            line.version += 1
            line.updated_at = now
        CostLine.objects.bulk_update(to_update, [*_EDITABLE, "version", "updated_at"], batch_size=500)
        CostLine.history.bulk_history_create(  # type: ignore[attr-defined]
            to_update, batch_size=500, update=True, default_user=access.user, custom_historical_attrs=history
        )
