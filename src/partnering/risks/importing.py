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
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from partnering.arrangements.models import Arrangement, Membership
from partnering.core import references
from partnering.core.choices import Visibility
from partnering.core.importing import (
    FORMULA_TRIGGERS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    CellError,
    Column,
    ImportRefused,
    ImportResult,
    RowError,
    Table,
    actor_label,
    choice_cell,
    date_or_none,
    insert_history,
    read_table,
    safe_cell,
    text,
    text_cell,
    whole_number_or_none,
)
from partnering.core.policy import Access, Perm
from partnering.risks import scoring, services
from partnering.risks.models import Category, OwningSide, Proximity, Response, Risk, RiskStatus

__all__ = [
    "COLUMNS",
    "FORMULA_TRIGGERS",
    "HEADERS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "ImportRefused",
    "ImportResult",
    "RowError",
    "export_csv",
    "export_xlsx",
    "read_table",
    "risk_import",
    "safe_cell",
    "template_xlsx",
]


def _one_to_five(value: Any) -> int:
    if isinstance(value, bool) or text(value) == "":
        raise CellError("Enter a whole number from 1 to 5.")
    if isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
    else:
        try:
            number = int(text(value))
        except ValueError:
            raise CellError(f"‘{text(value)}’ is not a whole number from 1 to 5.") from None
    if number not in scoring.SCALE:
        raise CellError(f"{number} is outside 1 to 5.")
    return number


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", text_cell(max_length=20)),
    Column("title", "Title", text_cell(required=True, max_length=300), required=True),
    Column("description", "Description", text_cell()),
    Column("category", "Category", choice_cell(Category, required=True), required=True, choices=Category),
    Column("owning_side", "Owning side", choice_cell(OwningSide, required=True), required=True, choices=OwningSide),
    Column("owner", "Owner e-mail", text_cell()),
    Column("owner_rationale", "Why this party is best placed", text_cell()),
    Column("likelihood", "Likelihood", _one_to_five, required=True),
    Column("impact", "Impact", _one_to_five, required=True),
    Column("score", "Score", exported_only=True),
    Column("rating", "Rating", exported_only=True, choices=scoring.Rating),
    # A blank proximity or response clears it; a blank status or visibility keeps the default.
    Column("proximity", "Proximity", choice_cell(Proximity, blank=""), choices=Proximity),
    Column("response", "Response", choice_cell(Response, blank=""), choices=Response),
    Column("status", "Status", choice_cell(RiskStatus), choices=RiskStatus),
    Column("next_review_date", "Next review date", date_or_none),
    Column("visibility", "Visibility", choice_cell(Visibility), choices=Visibility),
    Column("version", "Version", whole_number_or_none),
)
HEADERS = [c.header for c in COLUMNS]
_HEADER_OF = {c.key: c.header for c in COLUMNS}


# -- export -----------------------------------------------------------------------


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
        "reference": "Leave blank for a new risk (it gets the next number of its sequence: R- shared, RC- customer only, RP- provider only). "
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


# -- the import -------------------------------------------------------------------


def risk_import(*, access: Access, name: str, data: bytes) -> ImportResult:
    """Validate a whole file, then create or update every row, or write nothing.

    Raises ImportRefused when the file as a whole cannot be taken. A risk
    changed by someone else while the file was being checked is refused like
    any other error, naming its row, and nothing is written (see `_write`).
    """
    access.require(Perm.CONTRIBUTE)
    result = ImportResult()
    table = Table(name=name, data=data, columns=COLUMNS, result=result, max_rows=MAX_ROWS)
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
    sets_owner = table.has("owner")
    seen: dict[str, int] = {}
    to_create: list[Risk] = []
    to_update: list[Risk] = []
    rows_of: dict[int, int] = {}  # id(risk) → its row in the file
    now = timezone.now()
    created_by_id = access.user.pk

    for number, values in table.rows():
        reference = values.pop("reference", "").upper()
        version = values.pop("version", None)
        visibility = values.get("visibility") or Visibility.SHARED
        owner_email = values.pop("owner", "")

        def error(column: str, message: str, row: int = number) -> None:
            table.error(row, column, message)

        if reference:
            if reference in seen:
                error("Reference", f"{reference} is also on row {seen[reference]}.")
                continue
            seen[reference] = number
        current = existing.get(reference) if reference else None
        if current is not None and not access.can_see(current.visibility):
            # The other side's private risks are numbered in their own sequence (RC-, RP-), a style no
            # new row may take: such a reference gets the same answer whether or not it exists.
            if not references.is_private_style(services.LETTER, reference):
                error("Reference", f"{reference} is already used. Leave the reference blank for a new risk.")
                continue
            current = None

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
            try:
                services.check_given_reference(reference, visibility)
            except ValidationError as exc:
                error("Reference", " ".join(exc.messages))
                continue
            values.pop("visibility", None)
            risk = Risk(
                arrangement=arrangement,
                reference=reference,
                number=services.reference_number(reference) if reference else 0,
                created_by_id=created_by_id,
                visibility=visibility,
                shared_at=now if visibility == Visibility.SHARED else None,
                owner_id=owner_id,
                **values,
            )
        else:
            # An existing risk keeps its visibility: share it on its page.
            wanted = values.pop("visibility", current.visibility)
            if wanted != current.visibility and not (current.is_private and wanted == Visibility.SHARED):
                error("Visibility", "A risk can only go from private to shared: share it, never unshare it.")
                continue
            risk = current
            before = _editable_values(risk)
            for key, value in values.items():
                setattr(risk, key, value)
            if sets_owner:
                risk.owner_id = owner_id
            changed = before != _editable_values(risk)
            if wanted == Visibility.SHARED and risk.is_private:
                risk.visibility = Visibility.SHARED
                risk.shared_at = now
                changed = True
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
            for key, messages in exc.message_dict.items():
                for message in messages:
                    error(_HEADER_OF.get(key, key), message)
            continue
        if current is None:
            to_create.append(risk)
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
        rows_of[id(risk)] = number

    if not table.finish(empty=RowError(2, "Title", "The file has no risks in it.")):
        return result
    try:
        _write(access, to_create, to_update, rows_of)
    except ChangedMeanwhile as exc:
        result.errors = exc.errors
        result.unchanged = 0
        return result
    result.created, result.updated = len(to_create), len(to_update)
    return result


_EDITABLE_ATTNAMES = tuple(Risk._meta.get_field(f).attname for f in services.EDITABLE_FIELDS)


def _editable_values(risk: Risk) -> tuple[Any, ...]:
    # Attribute names, so that the owner is compared by id without a query.
    return tuple(getattr(risk, name) for name in _EDITABLE_ATTNAMES)


class ChangedMeanwhile(Exception):
    """Rows of the file that someone else changed while it was being checked."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


#: Rows locked and checked per query when the import writes.
_LOCK_BATCH = 500


@transaction.atomic
def _write(access: Access, to_create: list[Risk], to_update: list[Risk], rows_of: dict[int, int]) -> None:
    """Write the checked rows, or nothing if the register changed under them meanwhile.

    The file was checked outside this transaction, against the register as it
    was then. Here, with the arrangement locked (a serialised IMMEDIATE
    transaction on SQLite), every risk to update is locked and its version
    compared with the one the check saw, and every new reference looked up
    again: a risk someone saved meanwhile refuses the whole import
    (ChangedMeanwhile, naming each row and reference) rather than overwriting
    that edit. New risks are numbered here, after anyone else's.
    """
    if not access.has(Perm.CONTRIBUTE):
        raise PermissionDenied
    # Serialise with other writers that number risks (see services.risk_create).
    Arrangement.objects.select_for_update().filter(pk=access.arrangement.pk).first()
    errors = _changed_meanwhile(access, to_create, to_update, rows_of)
    if errors:
        raise ChangedMeanwhile(errors)
    # Each visibility has its own sequence (core.references): R- shared, RC- customer, RP- provider.
    tops = {
        visibility: references.next_number(Risk, services.LETTER, access.arrangement.pk, visibility) - 1
        for visibility in Visibility.values
    }
    tops[Visibility.SHARED] = max([tops[Visibility.SHARED], *(r.number for r in to_create if r.reference)])
    for risk in to_create:
        if not risk.reference:
            tops[risk.visibility] += 1
            risk.number = tops[risk.visibility]
            risk.reference = services.format_reference(risk.number, risk.visibility)
    for risk in to_update:
        if risk.visibility == Visibility.SHARED and references.is_private_style(services.LETTER, risk.reference):
            # Shared by this import: the next number of the shared sequence, as on its page.
            tops[Visibility.SHARED] += 1
            risk.number = tops[Visibility.SHARED]
            risk.reference = services.format_reference(risk.number)

    if to_create:
        _create_with_history(to_create, user=access.user)
    history = {"history_actor": actor_label(access.user)}
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


def _create_with_history(risks: list[Risk], *, user: Any) -> None:
    """The new risks (ids back from the database) and one audit row each, naming the actor."""
    Risk.objects.bulk_create(risks, batch_size=1000)
    insert_history(Risk, risks, history_type="+", user=user)


def _changed_meanwhile(
    access: Access, to_create: list[Risk], to_update: list[Risk], rows_of: dict[int, int]
) -> list[RowError]:
    errors = []
    for start in range(0, len(to_update), _LOCK_BATCH):
        batch = to_update[start : start + _LOCK_BATCH]
        stored = dict(
            Risk.objects.select_for_update().filter(pk__in=[r.pk for r in batch]).values_list("pk", "version")
        )
        for risk in batch:
            now = stored.get(risk.pk)
            if now == risk.version:
                continue
            message = (
                f"{risk.reference} was deleted by someone else while this file was being checked."
                if now is None
                else f"{risk.reference} was changed by someone else while this file was being checked "
                f"(version {risk.version}, now {now}). Import the file again to check it against their change."
            )
            errors.append(RowError(rows_of[id(risk)], "Version" if now is not None else "Reference", message))
    named = [r for r in to_create if r.reference]
    for start in range(0, len(named), _LOCK_BATCH):
        batch = {r.reference: r for r in named[start : start + _LOCK_BATCH]}
        for reference in Risk.objects.filter(arrangement=access.arrangement, reference__in=list(batch)).values_list(
            "reference", flat=True
        ):
            errors.append(
                RowError(
                    rows_of[id(batch[reference])],
                    "Reference",
                    f"{reference} was added by someone else while this file was being checked. "
                    "Import the file again to check it against their risk.",
                )
            )
    order = {h: position for position, h in enumerate(HEADERS)}
    return sorted(errors, key=lambda e: (e.row, order.get(e.column, len(order))))


_ALSO_UPDATED = ("reference", "number", "score", "rating", "visibility", "shared_at", "version", "updated_at")


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
