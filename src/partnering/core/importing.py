"""What every spreadsheet import shares: reading CSV and XLSX, headings, cells and errors.

Each feature's import (risks, cost lines, KPI measurements) describes its file
as a table of `Column`s, each with the function that turns a cell into a
value; this module reads the file, maps the heading row onto the columns,
parses each row and collects every error with its row and column, so that the
import can check the whole file before it writes anything (README: "Imports
validate the whole file first and write nothing unless every row is valid").

Exported text that a spreadsheet would run as a formula (starting with =, +,
-, @, tab or carriage return) is prefixed with an apostrophe (`safe_cell`);
`text` removes that prefix again, so an exported file round-trips.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ImportRefused(Exception):
    """The file as a whole cannot be read (too big, wrong type, too many rows)."""


class CellError(Exception):
    """A cell's value cannot be taken: the message says why, for the person who filled it in."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, column ‘{self.column}’: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


#: A parser's answer for a blank cell that should leave the field at its default.
OMIT: Any = object()


@dataclass(frozen=True)
class Column:
    """One column of a feature's file: its field, its heading and how a cell becomes a value.

    `parse` raises CellError for a value it cannot take (a blank in a required
    column included) and may return OMIT to leave the field out. A column with
    no parser (`exported_only`) is written by export and ignored on import.
    """

    key: str
    header: str
    parse: Callable[[Any], Any] | None = None
    required: bool = False
    exported_only: bool = False
    choices: type[models.TextChoices] | None = None
    note: str = ""


# -- export ------------------------------------------------------------------------


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# -- reading a file ----------------------------------------------------------------


def read_table(name: str, data: bytes) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    """The header row and the data rows (with spreadsheet row numbers) of a CSV or XLSX file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused("The file is larger than 5 MB. Split it into smaller files.")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lower.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise ImportRefused("The file must be an XLSX or CSV file.")
    try:
        header = next(rows)
    except StopIteration:
        raise ImportRefused("The file is empty.") from None
    numbered = ((number, row) for number, row in enumerate(rows, start=2))
    return list(header), numbered


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        # Read-only streams the sheet instead of building every cell object first.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportRefused("The file could not be read as an XLSX spreadsheet.") from exc
    sheet = workbook.worksheets[0]

    def rows() -> Iterator[list[Any]]:
        try:
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
        finally:
            workbook.close()

    return rows()


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return iter(csv.reader(io.StringIO(text)))


# -- the table ---------------------------------------------------------------------


class Table:
    """A file read against a feature's columns: `rows()` yields each valid row's values.

    Errors (headings on row 1, cells on their row) go to `result`; a file
    whose headings are wrong yields no rows. `count` is the number of
    non-blank data rows read, valid or not.
    """

    def __init__(
        self,
        *,
        name: str,
        data: bytes,
        columns: tuple[Column, ...],
        result: ImportResult,
        max_rows: int = MAX_ROWS,
    ) -> None:
        self.columns = columns
        self.result = result
        self.max_rows = max_rows
        self.count = 0
        header, self._rows = read_table(name, data)
        self.mapping = map_header(header, columns, result)

    def has(self, key: str) -> bool:
        """Whether the file has the column for `key`."""
        return any(c.key == key for c in self.mapping.values())

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.result.errors:
            return
        for number, cells in self._rows:
            if all(text(c) == "" for c in cells):
                continue
            self.count += 1
            if self.count > self.max_rows:
                raise ImportRefused(f"The file has more than {self.max_rows:,} rows. Split it into smaller files.")
            values = parse_row(number, cells, self.mapping, self.result)
            if values is not None:
                yield number, values

    def error(self, row: int, column: str, message: str) -> None:
        self.result.errors.append(RowError(row, column, message))

    def finish(self, *, empty: RowError) -> bool:
        """True if every row is valid; otherwise the errors in file order (`empty` for a file of no rows)."""
        if self.count == 0 and not self.result.errors:
            self.result.errors.append(empty)
        if not self.result.errors:
            return True
        order = {c.header: position for position, c in enumerate(self.columns)}
        self.result.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
        return False


def map_header(header: list[Any], columns: tuple[Column, ...], result: ImportResult) -> dict[int, Column]:
    """Column position → column; unknown, repeated or missing columns are errors on row 1.

    A heading is matched, ignoring case, by the column's heading or its key.
    """
    by_heading = {c.header.lower(): c for c in columns} | {c.key.lower(): c for c in columns}
    found: dict[int, Column] = {}
    for position, cell in enumerate(header):
        heading = text(cell)
        if not heading:
            continue
        column = by_heading.get(heading.lower())
        if column is None:
            result.errors.append(RowError(1, heading, "This column is not recognised. Use the template's headings."))
        elif column.exported_only:
            continue
        elif column in found.values():
            result.errors.append(RowError(1, heading, "This column appears twice."))
        else:
            found[position] = column
    for column in columns:
        if column.required and column not in found.values():
            result.errors.append(RowError(1, column.header, "This column is missing."))
    return found


def parse_row(number: int, cells: list[Any], mapping: dict[int, Column], result: ImportResult) -> dict | None:
    """The row's values by column key, or None once its errors (every bad cell) are in `result`."""
    values: dict[str, Any] = {}
    ok = True
    width = len(cells)
    for position, column in mapping.items():
        raw = cells[position] if position < width else None
        try:
            value = column.parse(raw)  # type: ignore[misc]  # mapped columns all have a parser
        except CellError as exc:
            result.errors.append(RowError(number, column.header, str(exc)))
            ok = False
            continue
        if value is not OMIT:
            values[column.key] = value
    return values if ok else None


# -- cells -------------------------------------------------------------------------


def text(value: Any) -> str:
    """A cell as text, stripped, without the export's formula guard."""
    if value is None:
        return ""
    result = str(value).strip()
    if result.startswith("'") and result[1:2] and result[1:].startswith(FORMULA_TRIGGERS):
        result = result[1:]  # undo the export's formula guard
    return result


def text_cell(*, required: bool = False, max_length: int | None = None) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        value = text(raw)
        if "\x00" in value:  # as a form's field refuses it; PostgreSQL could not store it
            raise CellError("Remove the null character (0x00) from this cell.")
        if required and not value:
            raise CellError("Enter a value.")
        if max_length and len(value) > max_length:
            raise CellError(f"Use at most {max_length} characters (this has {len(value)}).")
        return value

    return parse


_CHOICE_LOOKUPS: dict[type[models.TextChoices], dict[str, str]] = {}


def choice(value: Any, choices: type[models.TextChoices]) -> str:
    """The code of a choice given by its code or its label, ignoring case."""
    lookup = _CHOICE_LOOKUPS.get(choices)
    if lookup is None:
        # Built once per choice class: TextChoices.choices builds a new list on every access.
        lookup = {str(label).lower(): code for code, label in choices.choices}
        lookup |= {code.lower(): code for code, _ in choices.choices}
        _CHOICE_LOOKUPS[choices] = lookup
    code = lookup.get(text(value).lower())
    if code is None:
        allowed = ", ".join(str(label) for _, label in choices.choices)
        raise CellError(f"‘{text(value)}’ is not allowed: use one of {allowed}.")
    return code


def choice_cell(choices: type[models.TextChoices], *, required: bool = False, blank: Any = OMIT) -> Callable:
    """A choice by code or label; a blank cell is an error if required, otherwise `blank`."""

    def parse(raw: Any) -> Any:
        if text(raw) == "":
            if required:
                raise CellError("Enter a value.")
            return blank
        return choice(raw, choices)

    return parse


def whole_number_or_none(raw: Any) -> int | None:
    """A whole number such as a record's version (XLSX may give 3.0); blank is None."""
    value = text(raw)
    if not value:
        return None
    try:
        return int(Decimal(value))
    except (InvalidOperation, ValueError, OverflowError):
        raise CellError("Enter a whole number.") from None


def date_or_none(raw: Any, formats: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")) -> date | None:
    """A date from a spreadsheet's date cell or from text such as 2027-06-04 or 04/06/2027; blank is None."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    value = text(raw)
    if not value:
        return None
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)  # the common case, without strptime's cost
        except ValueError:
            pass
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CellError(f"‘{value}’ is not a date: use 2027-06-04 or 04/06/2027.")


def actor_label(user: Any) -> str:
    """The acting member as the audit trail copies them (name and e-mail, kept after the account goes)."""
    return f"{user.get_full_name()} <{user.email}>"[:300]


# -- writing -----------------------------------------------------------------------


def insert_history(model: type[models.Model], records: list[Any], *, history_type: str, user: Any) -> None:
    """One audit row per record (django-simple-history's table), by prepared INSERTs.

    The rows are those `bulk_history_create` would write, with the acting
    member as user and actor, but without building a historical instance and
    compiling an INSERT for each: for 10,000 new risks that took most of the
    import's write.
    """
    from django.db import connections, router

    history = model.history.model  # type: ignore[attr-defined]
    conn = connections[router.db_for_write(history)]
    fixed = {
        "history_date": timezone.now(),
        "history_change_reason": None,
        "history_type": history_type,
        "history_user_id": user.pk,
        "history_actor": actor_label(user),
    }
    fields = [f for f in history._meta.concrete_fields if not f.primary_key]
    getters = []
    for f in fields:
        if f.attname in fixed:
            constant = f.get_db_prep_save(fixed[f.attname], conn)
            getters.append(lambda record, constant=constant: constant)
        else:
            getters.append(_prepared_getter(f, conn))
    quote = conn.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values bound
        quote(history._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    rows = [tuple(get(record) for get in getters) for record in records]
    with conn.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])


def _prepared_getter(f: models.Field, conn: Any) -> Callable[[Any], Any]:
    """The cheapest correct conversion of one field of a record for this database."""
    attname = f.attname
    if isinstance(f, models.DateTimeField):
        adapt = conn.ops.adapt_datetimefield_value
        return lambda record: adapt(getattr(record, attname))
    if isinstance(f, models.DateField):
        adapt_date = conn.ops.adapt_datefield_value
        return lambda record: adapt_date(getattr(record, attname))
    if isinstance(f, models.UUIDField) and conn.vendor == "sqlite":
        return lambda record: value.hex if (value := getattr(record, attname)) is not None else None
    if isinstance(
        f, models.CharField | models.TextField | models.IntegerField | models.BooleanField | models.ForeignKey
    ):
        return lambda record: getattr(record, attname)
    return lambda record: f.get_db_prep_save(getattr(record, attname), conn)
