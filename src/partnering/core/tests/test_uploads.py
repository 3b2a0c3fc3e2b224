"""Uploads are checked before they are parsed: zip bombs, XML bombs and endless sheets are refused."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from partnering.core import uploads
from partnering.core.tests.bombs import MB, sheet, xlsx_bomb, xlsx_with_sheet, zip_bomb
from partnering.core.uploads import UploadRefused, check_spreadsheet


def _workbook(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _refusal(name: str, data: bytes) -> str:
    with pytest.raises(UploadRefused) as caught:
        check_spreadsheet(name, data)
    return " ".join(caught.value.messages)


# -- the checks -----------------------------------------------------------------------------


def test_a_real_spreadsheet_passes(settings):
    check_spreadsheet("risks.xlsx", _workbook([["Title", "Likelihood"], ["Migration slips", 3]]))
    check_spreadsheet("risks.csv", b"Title,Likelihood\nMigration slips,3\n")


def test_a_gigabyte_zip_bomb_is_refused_from_its_directory_alone():
    bomb = xlsx_bomb()
    assert len(bomb) < 5 * MB  # under the upload limit: only what it unpacks to gives it away

    started = time.perf_counter()
    message = _refusal("risks.xlsx", bomb)

    assert time.perf_counter() - started < 0.5  # nothing was inflated
    assert "would unpack to more than 50 MB" in message


def test_a_member_compressed_far_beyond_any_spreadsheet_is_refused_under_the_total_cap():
    message = _refusal("risks.xlsx", xlsx_bomb(size=8 * MB))

    assert "more than 100 times its size" in message and "zip bomb" in message


def test_the_caps_come_from_settings(settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10_000

    check_spreadsheet("risks.xlsx", xlsx_bomb(size=8 * MB))  # zeros: no rows, nothing out of bounds

    settings.UPLOAD_MAX_UNCOMPRESSED_MB = 4
    assert "more than 4 MB" in _refusal("risks.xlsx", xlsx_bomb(size=8 * MB))


def test_too_many_members_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(1001):
            zf.writestr(f"xl/part{i}.xml", "")

    assert "more than 1,000 parts" in _refusal("risks.xlsx", out.getvalue())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Title,Likelihood\n", "not an XLSX spreadsheet (it is not a ZIP package)"),
        (zip_bomb("notes.txt", MB), "not an XLSX spreadsheet (it has no workbook)"),
    ],
)
def test_a_file_that_is_not_an_xlsx_package_is_refused(data, expected):
    assert expected in _refusal("risks.xlsx", data)


def test_other_kinds_of_file_are_refused():
    assert _refusal("risks.ods", b"x") == "The file must be an XLSX or CSV file."


def test_a_sheet_declaring_the_last_cell_of_excel_is_refused():
    # 300 bytes that openpyxl's read-only reader would turn into a million rows of 16,384 cells.
    data = xlsx_with_sheet(sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>Title</t></is></c></row>', "A1:XFD1048576"))

    assert "reaches row 1,048,576" in _refusal("risks.xlsx", data)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<row r="1048576"><c r="A1048576"><v>1</v></c></row>', "reaches row 1,048,576"),
        ('<row r="1"><c r="XFD1"><v>1</v></c></row>', "reaches column 16,384"),
        ('<row r="1">' + "<c><v>1</v></c>" * 257 + "</row>", "reaches column 257"),
        ("".join(f"<row><c><v>{i}</v></c></row>" for i in range(50_001)), "reaches row 50,001"),
    ],
)
def test_rows_and_columns_beyond_the_caps_are_refused(body, expected):
    assert expected in _refusal("risks.xlsx", xlsx_with_sheet(sheet(body)))


def test_an_xml_entity_bomb_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
    )
    data = xlsx_with_sheet(sheet(""), **{"xl/sharedStrings.xml": laughs})

    assert "document type declaration" in _refusal("risks.xlsx", data)


def test_a_damaged_xml_part_is_refused():
    assert "not valid XML" in _refusal("risks.xlsx", xlsx_with_sheet("<worksheet><sheetData>"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Title,Description\nA," + b"x" * 200_000 + b"\n", "cannot be read at line 2: field larger than field limit"),
        (b"Title\n" + b"\n" * 50_000, "more than 50,000 lines"),
        (b",".join([b"x"] * 257) + b"\n", "Line 1 has 257 columns"),
    ],
)
def test_csv_files_beyond_what_can_be_read_are_refused(data, expected):
    assert expected in _refusal("risks.csv", data)


def test_an_upload_over_the_size_limit_is_refused_unread():
    upload = SimpleUploadedFile("risks.csv", b"x" * (5 * MB + 1))

    with pytest.raises(UploadRefused, match="larger than 5 MB"):
        uploads.SpreadsheetFileField().clean(upload)


# -- through the pages ------------------------------------------------------------------------


def _risks(world):
    from partnering.risks.models import Risk

    return world.alice, "risks", Risk.objects.filter(arrangement=world.arrangement)


def _finance(world):
    from partnering.finance.models import CostLine

    return world.bob, "finance/lines", CostLine.objects.all()


def _kpis(world):
    from partnering.kpis.models import Measurement

    return world.alice, "kpis", Measurement.objects.all()


IMPORTS = [pytest.param(_risks, id="risks"), pytest.param(_finance, id="finance"), pytest.param(_kpis, id="kpis")]


@pytest.mark.django_db
@pytest.mark.parametrize("which", IMPORTS)
@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("bomb.xlsx", xlsx_bomb, "would unpack to more than 50 MB"),
        (
            "endless.xlsx",
            lambda: xlsx_with_sheet(sheet('<row r="1"><c r="A1"><v>1</v></c></row>', "A1:XFD1048576")),
            "reaches row 1,048,576",
        ),
        ("long.csv", lambda: b"Title\n" + b"x" * 200_000 + b"\n", "field larger than field limit"),
    ],
)
def test_the_import_pages_refuse_a_bomb_in_place_and_write_nothing(client, world, which, name, make, expected):
    user, page, records = which(world)
    client.force_login(user)
    before = records.count()

    response = client.post(
        f"/arrangements/{world.arrangement.slug}/{page}/import/", {"file": SimpleUploadedFile(name, make())}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and expected in body
    assert records.count() == before


# -- the archive import (command line) ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (1024 * MB, "The archive would unpack to more than 500 MB"),
        (64 * MB, "The archive has a part that unpacks to more than 100 times its size"),
    ],
)
def test_an_archive_that_is_a_zip_bomb_is_refused_before_it_is_inflated(size, expected):
    from partnering.archive.importer import ArchiveError, archive_import
    from partnering.arrangements.models import Arrangement

    bomb = zip_bomb("archive.json", size)
    started = time.perf_counter()
    with pytest.raises(ArchiveError, match=expected):
        archive_import(bomb)

    assert time.perf_counter() - started < 0.5
    assert not Arrangement.objects.exists()
