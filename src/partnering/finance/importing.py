"""The books as spreadsheets: XLSX and CSV export, template, and import.

The same rules as the risk register's import (whose file reading and formula
guard this module reuses): the whole file is checked first, every error is
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
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from partnering.core.policy import Access
from partnering.finance import services
from partnering.finance.models import Book, CostCategory, CostLine
from partnering.finance.money import parse_amount
from partnering.risks.importing import (
    FORMULA_TRIGGERS,
    MAX_UPLOAD_BYTES,
    CellError,
    ImportRefused,
    RowError,
    read_table,
    safe_cell,
)

__all__ = ["MAX_UPLOAD_BYTES", "ImportRefused", "RowError", "cost_line_import", "export_csv", "export_xlsx"]

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("side", "Book", True, "Customer or Provider: your own side's book only."),
    Column("period", "Period", True, "The month, for example 2026-04 (or any date in it)."),
    Column("category", "Category", True, "One of: " + ", ".join(str(label) for _, label in CostCategory.choices)),
    Column(
        "description", "Description", True, "What the cost is; with the book, period and category it names the line."
    ),
    Column("planned", "Planned", True, "An amount to the penny, for example 12500.00."),
    Column("actual", "Actual", False, "An amount to the penny; blank is 0.00."),
    Column("margin_pct", "Margin %", False, "Provider's book only: the agreed profit margin, for example 8.5."),
    Column("version", "Version", False, "Filled in by export: a line changed since then is refused, not overwritten."),
)
HEADERS = [c.header for c in COLUMNS]
_BY_HEADER = {c.header.lower(): c for c in COLUMNS} | {c.key.lower(): c for c in COLUMNS}
_EDITABLE = ("planned", "actual", "margin_pct")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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


# -- parsing cells ----------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_TRIGGERS):
        text = text[1:]
    return text


def _side(value: Any) -> str:
    text = _text(value).lower()
    for code, label in Book.choices:
        if text in (code, str(label).lower(), code + "'s book"):
            return code
    raise CellError(f"‘{_text(value)}’ is not a book: use Customer or Provider.")


def _category(value: Any) -> str:
    text = _text(value).lower()
    for code, label in CostCategory.choices:
        if text in (code, str(label).lower()):
            return code
    raise CellError(f"‘{_text(value)}’ is not a category: use one of {', '.join(CostCategory.labels)}.")


def _period(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = _text(value)
    for fmt in ("%Y-%m", "%Y-%m-%d", "%d/%m/%Y", "%m/%Y", "%b %Y", "%B %Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise CellError(f"‘{text}’ is not a month: use 2026-04.")


def _amount(value: Any, *, required: bool) -> Decimal | None:
    if _text(value) == "":
        if required:
            raise CellError("Enter an amount.")
        return None
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _map_header(header: list[Any], result: ImportResult) -> dict[int, str]:
    columns: dict[int, str] = {}
    for position, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        column = _BY_HEADER.get(text.lower())
        if column is None:
            result.errors.append(RowError(1, text, "This column is not recognised. Use the template's headings."))
        elif column.key in columns.values():
            result.errors.append(RowError(1, text, "This column appears twice."))
        else:
            columns[position] = column.key
    for column in COLUMNS:
        if column.required and column.key not in columns.values():
            result.errors.append(RowError(1, column.header, "This column is missing."))
    return columns


def _parse_row(number: int, cells: list[Any], columns: dict[int, str], result: ImportResult) -> dict | None:
    by_key = {c.key: c for c in COLUMNS}
    values: dict[str, Any] = {}
    ok = True
    for position, key in columns.items():
        column = by_key[key]
        raw = cells[position] if position < len(cells) else None
        try:
            if key == "side":
                values[key] = _side(raw)
            elif key == "period":
                values[key] = _period(raw)
            elif key == "category":
                values[key] = _category(raw)
            elif key == "description":
                text = _text(raw)
                if not text:
                    raise CellError("Enter a value.")
                if len(text) > 300:
                    raise CellError(f"Use at most 300 characters (this has {len(text)}).")
                values[key] = text
            elif key in ("planned", "actual"):
                values[key] = _amount(raw, required=key == "planned")
                if values[key] is None:
                    values[key] = Decimal("0.00")
            elif key == "margin_pct":
                values[key] = _amount(raw, required=False)
                if values[key] is not None and not Decimal(0) <= values[key] <= Decimal(100):
                    raise CellError("Enter a percentage from 0 to 100.")
            elif key == "version":
                values[key] = int(Decimal(_text(raw))) if _text(raw) else None
        except CellError as exc:
            result.errors.append(RowError(number, column.header, str(exc)))
            ok = False
        except (ArithmeticError, ValueError):
            result.errors.append(RowError(number, column.header, "Enter a whole number."))
            ok = False
    return values if ok else None


# -- the import -------------------------------------------------------------------


def cost_line_import(*, access: Access, name: str, data: bytes) -> ImportResult:
    """Validate a whole file of the member's own book, then create or update every line, or write nothing.

    Raises ImportRefused when the file as a whole cannot be taken, and
    PermissionDenied when the member keeps no book (the facilitator) or may not contribute.
    """
    services.require_own_book(access, access.side)
    header, rows = read_table(name, data)
    result = ImportResult()
    columns = _map_header(header, result)
    if result.errors:
        return result
    existing = {
        (line.period, line.category, line.description.lower()): line
        for line in CostLine.objects.filter(arrangement=access.arrangement, side=access.side)
    }
    seen: dict[tuple, int] = {}
    to_create: list[CostLine] = []
    to_update: list[CostLine] = []
    count = 0
    for number, cells in rows:
        if all(_text(c) == "" for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ImportRefused(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.")
        values = _parse_row(number, cells, columns, result)
        if values is None:
            continue

        def error(column: str, message: str, row: int = number) -> None:
            result.errors.append(RowError(row, column, message))

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
            headers = {c.key: c.header for c in COLUMNS}
            for field_name, messages in exc.message_dict.items():
                for text in messages:
                    error(headers.get(field_name, field_name), text)
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
    if count == 0 and not result.errors:
        result.errors.append(RowError(2, "Description", "The file has no cost lines in it."))
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else 99))
        return result
    _write(access, to_create, to_update)
    result.created, result.updated = len(to_create), len(to_update)
    return result


@transaction.atomic
def _write(access: Access, to_create: list[CostLine], to_update: list[CostLine]) -> None:
    services.require_own_book(access, access.side)
    actor = f"{access.user.get_full_name()} <{access.user.email}>"[:300]
    history = {"history_actor": actor}
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
