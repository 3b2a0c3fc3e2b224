"""The register as a spreadsheet: XLSX and CSV export, template, and import.

Import is all or nothing: the whole file is read and checked first, every
error is reported with its row and column, and nothing is written unless
every row is valid. A row whose reference matches a risk already in the
register updates that risk, so importing the same file twice changes nothing
the second time.

Exported text that a spreadsheet would run as a formula (starting with =, +,
-, @, tab or carriage return) is prefixed with an apostrophe; import removes
that prefix again, so an exported file round-trips.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from partnering.arrangements.models import Arrangement, Membership
from partnering.core.choices import Visibility
from partnering.core.policy import Access, Perm
from partnering.risks import scoring, services
from partnering.risks.models import Category, OwningSide, Proximity, Response, Risk, RiskStatus

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    choices: type[models.TextChoices] | None = None
    required: bool = False
    exported_only: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference"),
    Column("title", "Title", required=True),
    Column("description", "Description"),
    Column("category", "Category", Category, required=True),
    Column("owning_side", "Owning side", OwningSide, required=True),
    Column("owner", "Owner e-mail"),
    Column("owner_rationale", "Why this party is best placed"),
    Column("likelihood", "Likelihood", required=True),
    Column("impact", "Impact", required=True),
    Column("score", "Score", exported_only=True),
    Column("rating", "Rating", scoring.Rating, exported_only=True),
    Column("proximity", "Proximity", Proximity),
    Column("response", "Response", Response),
    Column("status", "Status", RiskStatus),
    Column("next_review_date", "Next review date"),
    Column("visibility", "Visibility", Visibility),
    Column("version", "Version"),
)
HEADERS = [c.header for c in COLUMNS]
_BY_HEADER = {c.header.lower(): c for c in COLUMNS} | {c.key.lower(): c for c in COLUMNS}


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


class ImportRefused(Exception):
    """The file as a whole cannot be read (too big, wrong type, too many rows)."""


# -- export -----------------------------------------------------------------------


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _row(risk: Risk, emails: dict[int, str]) -> list[Any]:
    return [
        risk.reference,
        risk.title,
        risk.description,
        risk.get_category_display(),
        risk.get_owning_side_display(),
        emails.get(risk.owner_id, "") if risk.owner_id else "",
        risk.owner_rationale,
        risk.likelihood,
        risk.impact,
        risk.score,
        risk.get_rating_display(),
        risk.get_proximity_display() if risk.proximity else "",
        risk.get_response_display() if risk.response else "",
        risk.get_status_display(),
        risk.next_review_date.isoformat() if risk.next_review_date else "",
        risk.get_visibility_display(),
        risk.version,
    ]


def export_rows(risks: Iterable[Risk]) -> Iterator[list[Any]]:
    """The header and one row per risk, every cell formula-safe. Risks need `owner` selected."""
    yield HEADERS
    for risk in risks:
        email = {risk.owner_id: risk.owner.email} if risk.owner_id else {}
        yield [safe_cell(v) for v in _row(risk, email)]


def export_csv(risks: Iterable[Risk]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(export_rows(risks))
    # A byte-order mark, so that Excel reads the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(risks: Iterable[Risk], *, title: str = "Risk register") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in export_rows(risks):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """An empty register to fill in, with a second sheet explaining each column."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Risk register")
    sheet.append([c.header for c in COLUMNS if not c.exported_only])
    guide = workbook.create_sheet("Guidance")
    guide.append(["Column", "Required", "What to enter"])
    notes = {
        "reference": "Leave blank for a new risk (it gets the next R-number). "
        "A reference already in the register updates that risk.",
        "owner": "The e-mail address of a member of the arrangement.",
        "likelihood": "A whole number from 1 (rare) to 5 (almost certain).",
        "impact": "A whole number from 1 (negligible) to 5 (severe).",
        "next_review_date": "A date, for example 2027-06-04 or 04/06/2027.",
        "visibility": "Shared unless your side keeps private risks (no single risk register).",
        "version": "Filled in by export: a risk changed since then is refused, not overwritten.",
    }
    for c in COLUMNS:
        if c.exported_only:
            continue
        allowed = ("One of: " + ", ".join(label for _, label in c.choices.choices)) if c.choices else ""
        guide.append([c.header, "Yes" if c.required else "No", notes.get(c.key, allowed) or allowed])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- reading a file ---------------------------------------------------------------


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


# -- parsing cells ----------------------------------------------------------------


class CellError(Exception):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_TRIGGERS):
        text = text[1:]  # undo the export's formula guard
    return text


def _choice(value: Any, choices: type[models.TextChoices]) -> str:
    text = _text(value).lower()
    for code, label in choices.choices:
        if text in (code.lower(), str(label).lower()):
            return code
    allowed = ", ".join(str(label) for _, label in choices.choices)
    raise CellError(f"‘{_text(value)}’ is not allowed: use one of {allowed}.")


def _one_to_five(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("Enter a whole number from 1 to 5.")
    if isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
    else:
        try:
            number = int(_text(value))
        except ValueError:
            raise CellError(f"‘{_text(value)}’ is not a whole number from 1 to 5.") from None
    if number not in scoring.SCALE:
        raise CellError(f"{number} is outside 1 to 5.")
    return number


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"‘{text}’ is not a date: use 2027-06-04 or 04/06/2027.")


_MAX_LENGTHS = {"reference": 20, "title": 300}


# -- the import -------------------------------------------------------------------


def risk_import(*, access: Access, name: str, data: bytes) -> ImportResult:
    """Validate a whole file, then create or update every row, or write nothing.

    Raises ImportRefused when the file as a whole cannot be taken.
    """
    access.require(Perm.CONTRIBUTE)
    header, rows = read_table(name, data)
    result = ImportResult()
    columns = _map_header(header, result)
    if result.errors:
        return result

    arrangement = access.arrangement
    existing = {r.reference.upper(): r for r in Risk.objects.filter(arrangement=arrangement)}
    members = {
        email.lower(): (user_id, side)
        for email, user_id, side in Membership.objects.filter(arrangement=arrangement, is_active=True).values_list(
            "user__email", "user_id", "side"
        )
    }
    allow_private = services.may_keep_private_risks(access)
    seen: dict[str, int] = {}
    to_create: list[Risk] = []
    to_update: list[Risk] = []
    unnumbered: list[Risk] = []
    top_number = max((r.number for r in existing.values()), default=0)
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
        reference = values.pop("reference", "").upper()
        version = values.pop("version", None)
        visibility = values.get("visibility") or Visibility.SHARED
        owner_email = values.pop("owner", "")

        def error(column: str, message: str, row: int = number) -> None:
            result.errors.append(RowError(row, column, message))

        if reference:
            if reference in seen:
                error("Reference", f"{reference} is also on row {seen[reference]}.")
                continue
            seen[reference] = number
        current = existing.get(reference) if reference else None
        if current is not None and not access.can_see(current.visibility):
            error("Reference", f"{reference} is already used. Leave the reference blank for a new risk.")
            continue

        owner_id, owner_side = None, None
        if owner_email:
            member = members.get(owner_email.lower())
            if member is None:
                error("Owner e-mail", f"{owner_email} is not a member of this arrangement.")
                continue
            owner_id, owner_side = member

        if current is None:
            if visibility != Visibility.SHARED and not allow_private:
                error("Visibility", "This arrangement keeps a single risk register: every risk is shared.")
                continue
            if visibility != Visibility.SHARED and visibility != access.side:
                error("Visibility", "A private risk can only be private to your own side.")
                continue
            risk = Risk(
                arrangement=arrangement,
                reference=reference,
                number=services.reference_number(reference) if reference else 0,
                created_by=access.user,
                visibility=visibility,
                shared_at=timezone.now() if visibility == Visibility.SHARED else None,
                **{k: v for k, v in values.items() if k != "visibility"},
                owner_id=owner_id,
            )
        else:
            # An existing risk keeps its visibility: share it on its page.
            wanted = values.get("visibility", current.visibility)
            if wanted != current.visibility and not (current.is_private and wanted == Visibility.SHARED):
                error("Visibility", "A risk can only go from private to shared: share it, never unshare it.")
                continue
            risk = current
            before = _editable_values(risk)
            original_visibility = risk.visibility
            for key, value in values.items():
                if key != "visibility":
                    setattr(risk, key, value)
            if "owner" in columns.values():
                risk.owner_id = owner_id
            if "visibility" in values and values["visibility"] == Visibility.SHARED and risk.is_private:
                risk.visibility = Visibility.SHARED
                risk.shared_at = timezone.now()
            changed = before != _editable_values(risk) or risk.visibility != original_visibility
        services.apply_scoring(risk)
        message = (
            services.owner_error(owner_side=owner_side, owning_side=risk.owning_side, visibility=risk.visibility)
            if owner_id
            else None
        )
        if message:
            error("Owner e-mail", message)
            continue
        try:
            risk.full_clean(
                exclude=["arrangement", "created_by", "owner", "reference"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            headers = {c.key: c.header for c in COLUMNS}
            for key, messages in exc.message_dict.items():
                for text in messages:
                    error(headers.get(key, key), text)
            continue
        if current is None:
            top_number = max(top_number, risk.number)
            to_create.append(risk)
            if not reference:
                unnumbered.append(risk)
        elif changed:
            if version is not None and version != current.version:
                error(
                    "Version",
                    f"{current.reference} was changed by someone else after this file was exported "
                    f"(version {version}, now {current.version}). Export again and redo your change.",
                )
                continue
            to_update.append(risk)
        else:
            result.unchanged += 1

    if count == 0 and not result.errors:
        result.errors.append(RowError(2, "Title", "The file has no risks in it."))
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else 99))
        return result

    for risk in unnumbered:
        top_number += 1
        risk.number = top_number
        risk.reference = services.format_reference(top_number)
    _write(access, to_create, to_update)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _editable_values(risk: Risk) -> dict[str, Any]:
    # Attribute names, so that the owner is compared by id without a query.
    return {
        Risk._meta.get_field(f).attname: getattr(risk, Risk._meta.get_field(f).attname)
        for f in services.EDITABLE_FIELDS
    }


def _map_header(header: list[Any], result: ImportResult) -> dict[int, str]:
    """Column position → field key; unknown or missing columns are errors on row 1."""
    columns: dict[int, str] = {}
    for position, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        column = _BY_HEADER.get(text.lower())
        if column is None:
            result.errors.append(RowError(1, text, "This column is not recognised. Use the template's headings."))
        elif column.exported_only:
            continue
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
            if key in ("likelihood", "impact"):
                if _text(raw) == "":
                    raise CellError("Enter a whole number from 1 to 5.")
                values[key] = _one_to_five(raw)
            elif key == "next_review_date":
                values[key] = _date(raw)
            elif key == "version":
                values[key] = int(float(_text(raw))) if _text(raw) else None
            elif column.choices is not None:
                text = _text(raw)
                if text:
                    values[key] = _choice(raw, column.choices)
                elif column.required:
                    raise CellError("Enter a value.")
                elif key in ("proximity", "response"):
                    values[key] = ""
            else:
                text = _text(raw)
                if column.required and not text:
                    raise CellError("Enter a value.")
                limit = _MAX_LENGTHS.get(key)
                if limit and len(text) > limit:
                    raise CellError(f"Use at most {limit} characters (this has {len(text)}).")
                values[key] = text
        except (CellError, ValueError) as exc:
            message = str(exc) if isinstance(exc, CellError) else "Enter a whole number."
            result.errors.append(RowError(number, column.header, message))
            ok = False
    return values if ok else None


@transaction.atomic
def _write(access: Access, to_create: list[Risk], to_update: list[Risk]) -> None:
    if not access.has(Perm.CONTRIBUTE):
        raise PermissionDenied
    # Serialise with other writers that number risks (see services.risk_create).
    Arrangement.objects.select_for_update().filter(pk=access.arrangement.pk).first()
    actor = f"{access.user.get_full_name()} <{access.user.email}>"[:300]
    history = {"history_actor": actor}
    if to_create:
        bulk_create_with_history(
            to_create, Risk, batch_size=500, default_user=access.user, custom_historical_attrs=history
        )
    if to_update:
        now = timezone.now()
        for risk in to_update:
            risk.version += 1
            risk.updated_at = now
        _update_rows(to_update, [*services.EDITABLE_FIELDS, *_ALSO_UPDATED])
        Risk.history.bulk_history_create(  # type: ignore[attr-defined]
            to_update,
            batch_size=500,
            update=True,
            default_user=access.user,
            custom_historical_attrs=history,
        )


_ALSO_UPDATED = ("score", "rating", "visibility", "shared_at", "version", "updated_at")


def _update_rows(risks: list[Risk], names: list[str]) -> None:
    """One prepared UPDATE run for every row (executemany).

    Django's bulk_update builds a CASE WHEN per field over the whole batch,
    which took 110 s for 10,000 risks; this takes about a second.
    """
    fields = [Risk._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Risk._meta.db_table)} SET {columns} WHERE {quote('id')} = %s"  # noqa: S608 - names from the model, values bound
    params = [[f.get_db_prep_save(getattr(risk, f.attname), connection) for f in fields] + [risk.pk] for risk in risks]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
