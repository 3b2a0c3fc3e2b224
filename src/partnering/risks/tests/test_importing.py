"""Import and export: all or nothing, every error by row and column, updates by reference."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from partnering.risks import importing, services
from partnering.risks.models import Risk
from partnering.risks.tests.factories import make_risk

HEADER = ["Reference", "Title", "Category", "Owning side", "Owner e-mail", "Likelihood", "Impact", "Next review date"]


def _csv(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["", "Migration slips", "Implementation", "Joint", "alice@northshire.example", "3", "4", "2027-06-04"],
    ["", "Service desk overloaded", "ongoing service delivery", "provider", "bob@brightwave.example", "4", "3", ""],
]


def _import(world, data: bytes, name: str = "risks.csv", user=None):
    return importing.risk_import(access=world.access(user or world.alice), name=name, data=data)


def test_a_valid_file_adds_every_risk_with_the_next_references(world):
    result = _import(world, _csv(GOOD))

    assert result.ok and (result.created, result.updated) == (2, 0)
    risks = list(Risk.objects.filter(arrangement=world.arrangement).order_by("number"))
    assert [(r.reference, r.title, r.score, r.rating) for r in risks] == [
        ("R-001", "Migration slips", 12, "amber"),
        ("R-002", "Service desk overloaded", 12, "amber"),
    ]
    assert risks[1].owner == world.bob and risks[1].category == "service_delivery"


def test_a_file_with_one_bad_row_writes_nothing(world):
    rows = [*GOOD, ["", "Bad one", "Implementation", "joint", "", "7", "2", ""]]

    result = _import(world, _csv(rows))

    assert not result.ok
    assert Risk.objects.count() == 0


def test_every_error_names_its_row_and_column(world):
    rows = [
        GOOD[0],
        ["", "", "Weather", "joint", "charlie@eastbridge.example", "7", "x", "31/02/2027"],
        ["", "Fine title", "Other", "everyone", "", "2", "2", ""],
    ]

    result = _import(world, _csv(rows))

    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "Title"),
        (3, "Category"),
        (3, "Likelihood"),
        (3, "Impact"),
        (3, "Next review date"),
        (4, "Owning side"),
    }
    assert str(result.errors[0]).startswith("Row 3, column ‘Title’")


def test_an_owner_who_is_not_a_member_is_an_error_on_their_row(world):
    rows = [["", "Migration slips", "Implementation", "joint", "charlie@eastbridge.example", "3", "4", ""]]

    result = _import(world, _csv(rows))

    assert [(e.row, e.column) for e in result.errors] == [(2, "Owner e-mail")]


def test_missing_and_unknown_columns_are_errors_on_row_one(world):
    result = _import(world, _csv([["x", "1"]], header=["Title", "Colour"]))

    assert {(e.row, e.column) for e in result.errors} == {
        (1, "Colour"),
        (1, "Category"),
        (1, "Owning side"),
        (1, "Likelihood"),
        (1, "Impact"),
    }


def test_importing_the_same_file_twice_updates_instead_of_duplicating(world):
    data = _csv([["R-010", *GOOD[0][1:]], ["R-011", *GOOD[1][1:]]])
    _import(world, data)

    second = _import(world, data)

    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert Risk.objects.count() == 2


def test_a_changed_row_updates_the_risk_by_reference(world):
    make_risk(world.access(world.alice), title="Old title", reference="R-005")

    result = _import(world, _csv([["R-005", "New title", "Commercial", "joint", "", "5", "5", ""]]))

    risk = Risk.objects.get(reference="R-005")
    assert result.updated == 1
    assert (risk.title, risk.rating, risk.version) == ("New title", "red", 2)
    assert risk.history.count() == 2


def test_a_reference_twice_in_the_file_is_an_error(world):
    rows = [["R-001", *GOOD[0][1:]], ["R-001", *GOOD[1][1:]]]

    result = _import(world, _csv(rows))

    assert [(e.row, e.column) for e in result.errors] == [(3, "Reference")]


def test_xlsx_works_like_csv_with_real_numbers_and_dates(world):
    from datetime import date

    rows = [["", "Migration slips", "Implementation", "Joint", "", 3, 4, date(2027, 6, 4)]]

    result = _import(world, _xlsx(rows), name="risks.xlsx")

    assert result.ok
    assert Risk.objects.get().next_review_date == date(2027, 6, 4)


def test_an_export_imports_back_unchanged(world):
    access = world.access(world.alice)
    make_risk(access, title='=HYPERLINK("http://evil")', owner=world.bob)
    make_risk(access, title="Plain")
    exported = importing.export_xlsx(Risk.objects.select_related("owner"))

    result = _import(world, exported, name="export.xlsx")

    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_export_neutralises_formulas(world):
    make_risk(world.access(world.alice), title="=1+1", description="@SUM(A1)")

    sheet = load_workbook(io.BytesIO(importing.export_xlsx(Risk.objects.select_related("owner")))).active
    row = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    text = importing.export_csv(Risk.objects.select_related("owner")).decode("utf-8-sig")

    assert "'=1+1" in row and "'@SUM(A1)" in row
    assert "'=1+1" in text


def test_a_stale_version_in_the_file_is_refused_not_overwritten(world):
    access = world.access(world.alice)
    risk = make_risk(access, title="Original")
    exported = importing.export_csv(Risk.objects.select_related("owner"))
    services.risk_update(access=access, risk=risk, expected_version=1, changes={"impact": 1})
    edited = exported.decode("utf-8-sig").replace("Original", "Mine")

    result = _import(world, edited.encode())

    assert [(e.row, e.column) for e in result.errors] == [(2, "Version")]
    assert Risk.objects.get().title == "Original"


def test_a_private_row_is_refused_with_a_single_register(world):
    header = [*HEADER, "Visibility"]

    result = _import(world, _csv([[*GOOD[0], "Customer only"]], header=header))

    assert [(e.row, e.column) for e in result.errors] == [(2, "Visibility")]


def test_a_reference_of_the_other_sides_private_risk_is_not_updated(private_registers):
    world = private_registers
    theirs = make_risk(world.access(world.bob), visibility="provider", owning_side="provider")

    result = _import(world, _csv([[theirs.reference, *GOOD[0][1:]]]))
    nowhere = _import(world, _csv([["RP-009", *GOOD[0][1:]]]))

    assert theirs.reference == "RP-001"
    assert [(e.row, e.column) for e in result.errors] == [(2, "Reference")]
    # The same answer as for a reference nobody holds: the import tells nothing of the other side.
    assert [str(e) for e in result.errors] == [str(e).replace("RP-009", "RP-001") for e in nowhere.errors]
    assert Risk.objects.get().visibility == "provider"


def test_a_private_row_is_numbered_in_its_sides_sequence(private_registers):
    world = private_registers
    header = [*HEADER, "Visibility"]

    result = _import(
        world, _csv([[*GOOD[0], "Customer only"], [*GOOD[0][:1], "Shared one", *GOOD[0][2:], ""]], header=header)
    )

    assert not result.errors
    assert sorted(Risk.objects.values_list("reference", "visibility")) == [("R-001", "shared"), ("RC-001", "customer")]


def test_a_private_row_cannot_be_given_a_reference(private_registers):
    world = private_registers
    header = [*HEADER, "Visibility"]

    result = _import(world, _csv([["R-050", *GOOD[0][1:], "Customer only"]], header=header))

    assert [(e.row, e.column) for e in result.errors] == [(2, "Reference")]
    assert not Risk.objects.exists()


def test_observers_cannot_import(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _import(world, _csv(GOOD), user=world.dave)


def test_a_file_over_the_size_cap_is_refused(world):
    with pytest.raises(importing.ImportRefused, match="5 MB"):
        _import(world, b"x" * (importing.MAX_UPLOAD_BYTES + 1))


def test_a_file_over_the_row_cap_is_refused(world, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)

    with pytest.raises(importing.ImportRefused, match="more than 2 rows"):
        _import(world, _csv([GOOD[0], GOOD[1], GOOD[0]]))
    assert Risk.objects.count() == 0


def test_other_file_types_are_refused(world):
    with pytest.raises(importing.ImportRefused, match="XLSX or CSV"):
        _import(world, b"hello", name="risks.txt")


def test_the_template_has_the_importable_headings(world):
    sheet = load_workbook(io.BytesIO(importing.template_xlsx())).worksheets[0]

    headings = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "Title" in headings and "Score" not in headings


def test_each_new_risk_has_one_audit_row_like_a_risk_added_on_its_page(world):
    from partnering.risks.models import Risk

    result = _import(world, _csv([["R-050", *GOOD[0][1:]]]))
    services.risk_create(access=world.access(world.alice), title="By hand", owning_side="joint", likelihood=2, impact=3)

    assert result.created == 1
    imported, by_hand = (Risk.history.get(reference=ref) for ref in ("R-050", "R-051"))
    assert (imported.history_type, imported.history_user, imported.history_actor) == (
        "+",
        world.alice,
        "Alice Adams <alice@northshire.example>",
    )
    assert imported.history_actor == by_hand.history_actor
    risk = Risk.objects.get(reference="R-050")
    skip = {"history_id", "history_date", "history_change_reason", "history_type", "history_user", "history_actor"}
    for f in Risk.history.model._meta.concrete_fields:
        if f.name not in skip:
            assert getattr(imported, f.attname) == getattr(risk, f.attname), f.name


def test_a_null_character_in_a_cell_is_refused_with_its_row_and_column(world):
    """PostgreSQL cannot store a NUL: it is refused like any other bad cell, not a server error."""
    rows = [GOOD[0], ["", "Bad\x00title", "Implementation", "joint", "", "2", "2", ""]]

    result = _import(world, _csv(rows))

    assert not result.ok
    assert any(e.row == 3 and "null character" in e.message for e in result.errors), result.errors
    assert Risk.objects.count() == 0
