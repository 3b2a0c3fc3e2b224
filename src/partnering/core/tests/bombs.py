"""Hostile files for the upload tests, made in memory in a fraction of a second.

`zip_bomb` writes a real ZIP whose member inflates to `size` bytes of zeros (1 GB by default) from
about a thousandth of that. Deflating 1 GB takes seconds, so one megabyte of zeros is deflated once,
ending on a full flush (which makes the block independent of what came before), and that block is
repeated; the CRC-32 is computed over the zeros in 1 MB steps. `zipfile` reads the result as it
would any ZIP, and would really inflate the gigabyte.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

MB = 1024 * 1024
GB = 1024 * MB

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
WORKBOOK = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _deflated_zeros(size: int) -> bytes:
    chunk = bytes(MB)
    assert size % MB == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * (size // MB) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def _crc_of_zeros(size: int) -> int:
    crc, chunk = 0, bytes(MB)
    for _ in range(size // MB):
        crc = zlib.crc32(chunk, crc)
    return crc


def zip_bomb(name: str = "xl/worksheets/sheet1.xml", size: int = GB, *, extra: dict[str, str] | None = None) -> bytes:
    """A ZIP holding `extra` members (as written) and `name`, which inflates to `size` zero bytes."""
    data, crc = _deflated_zeros(size), _crc_of_zeros(size)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, text in (extra or {}).items():
            zf.writestr(member, text)
    head = out.getvalue()
    # Split the small ZIP at its central directory, put the bomb's entry in front of it.
    end = head.rfind(b"PK\x05\x06")
    entries, central_size, central_offset = struct.unpack("<10xHII2x", head[end : end + 22])
    central = head[central_offset : central_offset + central_size]
    local_offset = central_offset
    filename = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(filename), 0)
    central += struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(data),
        size,
        len(filename),
        0,
        0,
        0,
        0,
        0,
        local_offset,
    )
    central += filename
    body = head[:central_offset] + local + filename + data
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, entries + 1, entries + 1, len(central), len(body), 0)
    return body + central + eocd


def xlsx_bomb(size: int = GB) -> bytes:
    """What passes for an XLSX (content types and a workbook) whose sheet inflates to `size` bytes."""
    return zip_bomb(size=size, extra={"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": WORKBOOK})


def xlsx_with_sheet(sheet_xml: str, **parts: str) -> bytes:
    """A minimal package: content types, workbook and one sheet (plus any other parts given)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for member, text in parts.items():
            zf.writestr(member, text)
    return out.getvalue()


def sheet(body: str, dimension: str = "A1") -> str:
    return f'<worksheet xmlns="{SHEET_NS}"><dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
