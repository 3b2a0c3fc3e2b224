"""Import of a side's book: validated whole, errors by row and column, nothing written unless all valid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from partnering.finance import importing
from partnering.finance.models import CostLine

HEADER = "Book,Period,Category,Description,Planned,Actual,Margin %\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_a_valid_file_adds_every_line(world):
    data = _csv("Provider,2026-04,Staff,Team,1000.00,950.50,8.5", "provider,2026-05,hosting,Cloud,200,,")

    result = importing.cost_line_import(access=world.access(world.bob), name="b.csv", data=data)

    assert (result.ok, result.created) == (True, 2)
    assert CostLine.objects.get(description="Team").actual == Decimal("950.50")


def test_every_error_is_reported_by_row_and_column_and_nothing_is_written(world):
    data = _csv(
        "Provider,2026-04,Staff,Team,1000.00,950.50,8.5",
        "Provider,April,Staff,Team 2,10.001,0,",
        "Customer,2026-04,Rocks,Other,1,1,",
        "Provider,2026-04,Staff,Team,1,1,",
        "Provider,2026-04,Staff,Margin,1,1,120",
    )

    result = importing.cost_line_import(access=world.access(world.bob), name="b.csv", data=data)

    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Period"),
        (3, "Planned"),
        (4, "Category"),
        (5, "Description"),
        (6, "Margin %"),
    ]
    assert not CostLine.objects.exists()


def test_the_other_sides_book_cannot_be_imported(world):
    result = importing.cost_line_import(
        access=world.access(world.alice), name="a.csv", data=_csv("Provider,2026-04,Staff,T,1,1,")
    )

    assert [(e.row, e.column) for e in result.errors] == [(2, "Book")]


def test_a_margin_in_the_customers_book_is_refused(world):
    result = importing.cost_line_import(
        access=world.access(world.alice), name="a.csv", data=_csv("Customer,2026-04,Staff,T,1,1,5")
    )

    assert [(e.row, e.column) for e in result.errors] == [(2, "Margin %")]


def test_missing_and_unknown_columns_are_errors_on_row_1(world):
    result = importing.cost_line_import(
        access=world.access(world.bob), name="b.csv", data=b"Book,Colour\nProvider,red\n"
    )

    assert {(e.row, e.column) for e in result.errors} >= {(1, "Colour"), (1, "Planned"), (1, "Period")}


@pytest.mark.parametrize("user", ["fran", "dave"])
def test_people_without_a_book_cannot_import(world, user):
    with pytest.raises(PermissionDenied):
        importing.cost_line_import(access=world.access(getattr(world, user)), name="x.csv", data=_csv())


def test_an_export_imports_again_without_changes_even_as_xlsx(world):
    from partnering.finance.tests.conftest import make_line

    access = world.access(world.bob)
    make_line(access, description="=HYPERLINK(1)", margin_pct=Decimal("8.00"))
    for exporter, name in ((importing.export_csv, "b.csv"), (importing.export_xlsx, "b.xlsx")):
        data = exporter(CostLine.objects.all())

        result = importing.cost_line_import(access=access, name=name, data=data)

        assert (result.ok, result.created, result.updated, result.unchanged) == (True, 0, 0, 1)


def test_exported_text_that_a_spreadsheet_would_run_is_neutralised(world):
    from partnering.finance.tests.conftest import make_line

    make_line(world.access(world.bob), description="=HYPERLINK(1)")

    assert b"'=HYPERLINK(1)" in importing.export_csv(CostLine.objects.all())


def test_importing_a_changed_amount_updates_the_line_and_its_version(world):
    access = world.access(world.bob)
    importing.cost_line_import(access=access, name="b.csv", data=_csv("Provider,2026-04,Staff,Team,1000,900,"))

    result = importing.cost_line_import(access=access, name="b.csv", data=_csv("Provider,2026-04,Staff,Team,1000,990,"))

    line = CostLine.objects.get()
    assert (result.updated, line.actual, line.version) == (1, Decimal("990.00"), 2)
    assert line.history.count() == 2
