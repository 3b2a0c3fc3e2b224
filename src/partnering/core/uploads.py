"""Checks an uploaded file passes before anything parses it: no zip bomb, no XML bomb, no endless sheet.

A 5 MB upload limit says nothing about what a file becomes once read. An XLSX file is a ZIP of XML
parts: one member of a few kilobytes can inflate to gigabytes ("zip bomb"), and a tiny sheet can
declare its last cell as XFD1048576, which openpyxl's read-only reader fills with a million rows of
16,384 empty cells each. So before an importer sees a spreadsheet:

- the ZIP's central directory is read (nothing is inflated) and the file is refused if it is not a
  ZIP, has too many members, an encrypted or oddly compressed member, would unpack to more than
  ``UPLOAD_MAX_UNCOMPRESSED_MB`` in all, or has a large member that compresses more than
  ``UPLOAD_MAX_COMPRESSION_RATIO`` to one (real sheets compress about 10:1; bombs 1,000:1);
- it must be an XLSX package (``[Content_Types].xml`` and ``xl/workbook.xml``);
- every XML part is streamed once through expat (at most the capped size, 64 KB at a time) and the
  file is refused if any part has a DTD (entity bombs need one; an XLSX never has one) or if any
  worksheet row or cell lies beyond ``UPLOAD_MAX_ROWS`` or ``UPLOAD_MAX_COLUMNS``, counted the
  way openpyxl counts them, declared dimension included.

Python's ``zipfile`` never inflates a member past the size its directory entry declares (it stops
there and fails the CRC check), so checking the declared sizes bounds what openpyxl can read.

A CSV file is read once with the csv module, which refuses a cell over 128 KB, and its rows and
columns are counted. ``UploadRefused`` is a ``ValidationError``: a form shows it on the field, the
API answers 400, and nothing has been written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

MB = 1024 * 1024
XLSX_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")
# openpyxl reads rows and cells of this namespace only (the "strict" OOXML one it ignores).
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL, _DIMENSION = f"{_SHEET_NS} row", f"{_SHEET_NS} c", f"{_SHEET_NS} dimension"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_CHUNK = 64 * 1024


class UploadRefused(ValidationError):
    """The file is refused as a whole before it is parsed; nothing was read from it or written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="upload_refused")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_members: int
    max_ratio: int | None
    ratio_floor: int  # members smaller than this once unpacked are never refused for their ratio
    max_rows: int
    max_columns: int


def limits() -> Limits:
    """The limits in force, read from settings each time (so tests can override them)."""
    return Limits(
        max_bytes=settings.UPLOAD_MAX_MB * MB,
        max_uncompressed_bytes=settings.UPLOAD_MAX_UNCOMPRESSED_MB * MB,
        max_members=settings.UPLOAD_MAX_ZIP_MEMBERS,
        max_ratio=settings.UPLOAD_MAX_COMPRESSION_RATIO,
        ratio_floor=MB,
        max_rows=settings.UPLOAD_MAX_ROWS,
        max_columns=settings.UPLOAD_MAX_COLUMNS,
    )


# -- spreadsheets -------------------------------------------------------------------


def check_spreadsheet(name: str, data: bytes, *, limit: Limits | None = None) -> None:
    """Refuse an XLSX or CSV upload that is unsafe to parse; a file of another kind is refused too."""
    limit = limit or limits()
    if len(data) > limit.max_bytes:
        raise UploadRefused(f"The file is larger than {limit.max_bytes // MB} MB. Split it into smaller files.")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        check_xlsx(data, limit=limit)
    elif lower.endswith(".csv"):
        check_csv(data, limit=limit)
    else:
        raise UploadRefused("The file must be an XLSX or CSV file.")


def check_xlsx(data: bytes, *, limit: Limits | None = None) -> None:
    limit = limit or limits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadRefused("The file is not an XLSX spreadsheet (it is not a ZIP package).") from exc
    with archive:
        infos = check_zip(archive, limit=limit, what="spreadsheet")
        names = {info.filename for info in infos}
        if not all(required in names for required in XLSX_REQUIRED):
            raise UploadRefused("The file is not an XLSX spreadsheet (it has no workbook).")
        for info in infos:
            _check_xml_part(archive, info, limit)


def check_zip(
    archive: zipfile.ZipFile,
    *,
    limit: Limits,
    what: str,
    max_uncompressed_bytes: int | None = None,
    ratio: bool = True,
) -> list[zipfile.ZipInfo]:
    """Check a ZIP from its central directory alone, before inflating any member."""
    infos = archive.infolist()
    if len(infos) > limit.max_members:
        raise UploadRefused(f"The {what} has more than {limit.max_members:,} parts; it cannot be read safely.")
    cap = max_uncompressed_bytes or limit.max_uncompressed_bytes
    total = 0
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            raise UploadRefused(f"The {what} is damaged: it has two parts named {info.filename[:100]!r}.")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UploadRefused(f"The {what} is encrypted; save it without a password and upload it again.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadRefused(f"The {what} uses a compression method it should not; save it again and retry.")
        total += info.file_size
        if total > cap:
            raise UploadRefused(f"The {what} would unpack to more than {cap // MB:,} MB; it cannot be read safely.")
        if (
            ratio
            and limit.max_ratio
            and info.file_size > limit.ratio_floor
            and info.file_size > limit.max_ratio * max(info.compress_size, 1)
        ):
            raise UploadRefused(
                f"The {what} has a part that unpacks to more than {limit.max_ratio} times its size "
                "(a 'zip bomb'); it cannot be read safely."
            )
    return infos


def _looks_like_xml(head: bytes) -> bool:
    head = head.lstrip(b" \t\r\n")
    return head.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<"))


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


class _SheetExtent:
    """Follows rows and cells as openpyxl numbers them, refusing at the first one out of bounds."""

    def __init__(self, limit: Limits) -> None:
        self.limit = limit
        self.row = 0
        self.column = 0

    def too_far(self, row: int, column: int) -> None:
        if row > self.limit.max_rows:
            raise UploadRefused(
                f"The spreadsheet reaches row {row:,}; at most {self.limit.max_rows:,} rows can be read. "
                "Delete the rows below your data, or split the file."
            )
        if column > self.limit.max_columns:
            raise UploadRefused(
                f"The spreadsheet reaches column {column:,}; at most {self.limit.max_columns:,} columns "
                "can be read. Delete the columns to the right of your data."
            )

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _CELL:
            ref = attrs.get("r")
            if ref is None:
                self.column += 1
            else:
                found = _REF.match(ref)
                if found is None:
                    raise UploadRefused("The spreadsheet is damaged: a cell has no usable reference.")
                self.column = _column_number(found.group(1))
            self.too_far(self.row, self.column)
        elif name == _ROW:
            ref = attrs.get("r")
            self.row = int(ref) if ref and ref.isdigit() else self.row + 1
            self.column = 0
            self.too_far(self.row, 0)
        elif name == _DIMENSION:
            for part in attrs.get("ref", "").split(":"):
                found = _REF.match(part)
                if found is not None:
                    self.too_far(int(found.group(2)), _column_number(found.group(1)))


def _refuse_dtd(*_: Any) -> None:
    raise UploadRefused("The spreadsheet contains an XML document type declaration; it cannot be read safely.")


def _check_xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: Limits) -> None:
    """Stream one member through expat; parts that are not XML (images) are left alone."""
    if info.is_dir() or info.file_size == 0:
        return
    with archive.open(info) as member:
        chunk = member.read(_CHUNK)
        if not _looks_like_xml(chunk):
            return
        extent = _SheetExtent(limit)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = extent.start
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        try:
            while chunk:
                parser.Parse(chunk, False)
                chunk = member.read(_CHUNK)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise UploadRefused("The spreadsheet is damaged: one of its parts is not valid XML.") from exc
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise UploadRefused("The spreadsheet is damaged: one of its parts cannot be unpacked.") from exc


def check_csv(data: bytes, *, limit: Limits | None = None) -> None:
    """Read a CSV file once as the importers will, counting its rows and columns."""
    limit = limit or limits()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    rows = 0
    try:
        for row in csv.reader(io.StringIO(text)):
            rows += 1
            if rows > limit.max_rows:
                raise UploadRefused(
                    f"The file has more than {limit.max_rows:,} lines; at most that many can be read. "
                    "Split it into smaller files."
                )
            if len(row) > limit.max_columns:
                raise UploadRefused(
                    f"Line {rows:,} has {len(row):,} columns; at most {limit.max_columns:,} can be read."
                )
    except csv.Error as exc:
        raise UploadRefused(f"The CSV file cannot be read at line {rows + 1:,}: {exc}.") from exc


# -- forms -------------------------------------------------------------------------------


def read_upload(upload: IO[bytes], *, max_bytes: int) -> bytes:
    """Read an uploaded file whole, refusing it unread when its size is over the limit."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRefused(f"The file is larger than {max_bytes // MB} MB. Split it into smaller files.")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise UploadRefused(f"The file is larger than {max_bytes // MB} MB. Split it into smaller files.")
    return data


class SpreadsheetFileField(forms.FileField):
    """A file field for the CSV/XLSX imports: the upload is checked here, so a view sees only safe files."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            limit = limits()
            check_spreadsheet(upload.name, read_upload(upload, max_bytes=limit.max_bytes), limit=limit)
        return upload
