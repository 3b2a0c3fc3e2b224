"""Importing measurements: the whole file checked first, errors by row and column, nothing half-written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnering.kpis import importing
from partnering.kpis.models import Measurement
from partnering.kpis.tests.factories import make_kpi


@pytest.fixture
def kpis(world):
    access = world.access(world.alice)
    return (
        make_kpi(access, name="Calls answered", frequency="monthly"),
        make_kpi(access, name="Satisfaction", frequency="quarterly"),
        make_kpi(access, name="Annex B", kind="relationship", source="annex_b"),
    )


def _import(world, text, user=None, name="m.csv"):
    return importing.measurement_import(access=world.access(user or world.bob), name=name, data=text.encode())


def test_a_valid_file_adds_every_measurement_on_its_period(world, kpis):
    result = _import(world, "KPI,Period,Value,Note\nCalls answered,2027-03-15,88.5,\nsatisfaction,Q2 2027,71%,Survey\n")

    assert (result.ok, result.created) == (True, 2)
    rows = {(m.kpi.name, m.period): (m.value, m.entered_side) for m in Measurement.objects.select_related("kpi")}
    assert rows == {
        ("Calls answered", date(2027, 3, 1)): (Decimal("88.5"), "provider"),
        ("Satisfaction", date(2027, 4, 1)): (Decimal("71"), "provider"),
    }


def test_every_error_is_reported_by_row_and_column_and_nothing_is_written(world, kpis):
    text = (
        "KPI,Period,Value\n"
        "Calls answered,2027-01,80\n"
        "No such KPI,2027-01,80\n"
        "Calls answered,someday,eighty\n"
        "Annex B,2027-01,50\n"
        "Calls answered,2027-01-20,81\n"
    )

    result = _import(world, text)

    assert [(e.row, e.column) for e in result.errors] == [
        (3, "KPI"),
        (4, "Period"),
        (4, "Value"),
        (5, "KPI"),
        (6, "Period"),
    ]
    assert "also on row 2" in result.errors[-1].message
    assert Measurement.objects.count() == 0


def test_missing_and_unknown_columns_are_errors_on_row_1(world, kpis):
    result = _import(world, "KPI,Colour\nCalls answered,red\n")

    assert {(e.row, e.column) for e in result.errors} == {(1, "Colour"), (1, "Period"), (1, "Value")}


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world, kpis):
    text = "KPI,Period,Value\nCalls answered,2027-01,80\n"
    _import(world, text)

    result = _import(world, text)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_an_exported_file_round_trips_and_a_stale_version_is_refused(world, kpis):
    _import(world, "KPI,Period,Value\nCalls answered,2027-01,80\n")
    exported = importing.export_csv(Measurement.objects.select_related("kpi")).decode("utf-8-sig")
    assert _import(world, exported).unchanged == 1
    Measurement.objects.update(version=2)

    result = _import(world, exported.replace(",80,", ",85,"))

    assert [(e.row, e.column) for e in result.errors] == [(2, "Version")]


def test_an_xlsx_file_is_read_like_a_csv(world, kpis):
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["KPI", "Period", "Value"])
    workbook.active.append(["Calls answered", date(2027, 2, 3), 79])
    buffer = BytesIO()
    workbook.save(buffer)

    result = importing.measurement_import(access=world.access(world.alice), name="m.xlsx", data=buffer.getvalue())

    assert result.created == 1 and Measurement.objects.get().period == date(2027, 2, 1)


def test_a_file_that_is_not_a_spreadsheet_is_refused(world, kpis):
    with pytest.raises(importing.ImportRefused):
        _import(world, "hello", name="m.txt")


def test_the_template_lists_the_kpis_that_take_measurements(world, kpis):
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(importing.template_xlsx(kpis)))

    names = [row[0] for row in book["Guidance"].iter_rows(values_only=True)]
    assert "Calls answered" in names and "Annex B" not in names
