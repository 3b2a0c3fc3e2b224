"""Time the risk import of 10,000 rows (issue 7: "XLSX import of 10,000 risks under 10 s").

    DATABASE_URL=... python -m partnering.bench.import_risks [--rows 10000] [--csv]

Not a test: like `partnering.risks.bench`, it builds a throwaway test database on the
database DATABASE_URL names (SQLite by default), with the test world's arrangement as
the benchmark arrangement, and builds the file deterministically (no randomness, so
every run imports the same bytes). It prints, for each import, the time to read and
validate the whole file, the time to write it, the total and the number of queries,
then checks that the audit trail holds one history row per created or changed risk,
each with the actor.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from typing import Any

OWNERS = ("alice@northshire.example", "bob@brightwave.example")
SIDES = ("Customer", "Provider", "Joint")


def build_rows(count: int) -> list[list[Any]]:
    """The header and `count` new risks (no reference: each gets the next R-number)."""
    from partnering.risks.models import Category, Proximity, Response

    categories, proximities, responses = Category.labels, Proximity.labels, Response.labels
    header = [
        "Reference",
        "Title",
        "Description",
        "Category",
        "Owning side",
        "Owner e-mail",
        "Why this party is best placed",
        "Likelihood",
        "Impact",
        "Proximity",
        "Response",
        "Status",
        "Next review date",
    ]
    rows: list[list[Any]] = [header]
    for n in range(1, count + 1):
        side = SIDES[n % 3]
        rows.append(
            [
                "",
                f"Imported risk {n}",
                f"What could happen to delivery {n}, and what it would cost both sides.",
                categories[n % len(categories)],
                side,
                {"Customer": OWNERS[0], "Provider": OWNERS[1], "Joint": OWNERS[n % 2]}[side],
                "Best placed because it controls the work." if n % 2 else "",
                n % 5 + 1,
                (n // 5) % 5 + 1,
                proximities[n % len(proximities)],
                responses[n % len(responses)],
                "Open",
                f"2027-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            ]
        )
    return rows


def xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Risk register")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]]) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--csv", action="store_true", help="import CSV instead of XLSX")
    parser.add_argument(
        "--profile", metavar="HTML", help="write a pyinstrument profile of the first import (.html or text)"
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnering.settings")
    os.environ.setdefault("PARTNERING_TESTING", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DEBUG = False  # as in production: no debug cursor formatting every statement
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        _run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _run(args: argparse.Namespace) -> None:
    from django.db import connection

    from partnering.risks import importing
    from partnering.risks.models import Risk
    from partnering.testing import build_world

    world = build_world()
    access = world.access(world.alice)
    rows = build_rows(args.rows)
    kind = "csv" if args.csv else "xlsx"
    encode = csv_bytes if args.csv else xlsx
    started = time.perf_counter()
    data = encode(rows)
    print(
        f"{connection.vendor}: {args.rows:,} rows as {kind.upper()}, {len(data) / 1e6:.2f} MB "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )

    # Validation ends where the write begins: note the time `_write` is entered.
    marks: dict[str, float] = {}
    write = importing._write

    def timed_write(*a: Any, **k: Any) -> Any:
        marks["write"] = time.perf_counter()
        return write(*a, **k)

    importing._write = timed_write  # type: ignore[assignment]

    def updated_file() -> bytes:
        # References exist only after the first import: this file updates every risk by reference.
        refs = Risk.objects.filter(arrangement=world.arrangement).order_by("number").values_list("reference", flat=True)
        reworded = [[ref, *row[1:2], row[2] + " Reworded.", *row[3:]] for ref, row in zip(refs, rows[1:], strict=True)]
        return encode([rows[0], *reworded])

    history_before = Risk.history.filter(arrangement=world.arrangement).count()
    steps = [("all new", lambda: data), ("all updated (reworded)", updated_file), ("same again (all unchanged)", None)]
    payload = b""
    for number, (label, make) in enumerate(steps):
        payload = make() if make is not None else payload
        marks.clear()
        profiler = None
        if number == 0 and args.profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        queries: list[str] = []

        def count(execute: Any, sql: str, *rest: Any, queries: list[str] = queries) -> Any:
            queries.append(sql)
            return execute(sql, *rest)

        # Count statements without Django's debug cursor, which would itself cost seconds here.
        with connection.execute_wrapper(count):
            cpu, start = time.process_time(), time.perf_counter()
            result = importing.risk_import(access=access, name=f"risks.{kind}", data=payload)
            end, cpu = time.perf_counter(), time.process_time() - cpu
        if profiler is not None:
            profiler.stop()
            with open(args.profile, "w", encoding="utf-8") as out:
                html = args.profile.endswith(".html")
                out.write(profiler.output_html() if html else profiler.output_text(show_all=True))
        validated = marks.get("write", end) - start
        print(
            f"{label:<28} read+validate {validated:6.2f} s  write {end - start - validated:6.2f} s  "
            f"total {end - start:6.2f} s (CPU {cpu:5.2f} s)  {len(queries):5d} queries  created {result.created}, "
            f"updated {result.updated}, unchanged {result.unchanged}, errors {len(result.errors)}"
        )
        if result.errors:
            raise SystemExit(f"the import was refused: {[str(e) for e in result.errors[:3]]}")

    added = Risk.history.filter(arrangement=world.arrangement).count() - history_before
    actors = set(Risk.history.values_list("history_actor", "history_user_id").distinct())
    print(f"history rows written: {added:,} (expected {2 * args.rows:,}); actors: {sorted(actors, key=str)}")


if __name__ == "__main__":
    main()
