"""Measure the register with 10,000 risks: `python -m partnering.risks.bench`.

Not a test: it builds a throwaway test database (as the test runner does),
fills it, and prints page times, query counts and import times.
"""

from __future__ import annotations

import csv
import io
import os
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnering.settings")
    os.environ.setdefault("PARTNERING_TESTING", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        _run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _timed(label: str, func, repeat: int = 3) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    func()  # warm caches (templates, content types)
    best = float("inf")
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = func()
            best = min(best, time.perf_counter() - start)
    status = getattr(response, "status_code", "")
    print(f"{label:<58} {best * 1000:8.0f} ms  {len(ctx):3d} queries  {status}")


def _run() -> None:
    from django.test import Client

    from partnering.risks import importing
    from partnering.risks.models import Risk
    from partnering.risks.tests.factories import bulk_risks
    from partnering.testing import build_world

    world = build_world()
    bulk_risks(world.arrangement, 10_000, owner=world.bob)
    print(f"{Risk.objects.count():,} risks in the register\n")
    client = Client()
    client.force_login(world.alice)
    base = f"/arrangements/{world.arrangement.slug}/risks/"
    api = f"/api/v1/arrangements/{world.arrangement.slug}/risks/"
    _timed("register page (first page, default sort)", lambda: client.get(base))
    _timed(
        "register page sorted by -score, filtered open", lambda: client.get(base, {"sort": "-score", "status": "open"})
    )
    _timed("register page 150 (last)", lambda: client.get(base, {"page": 200}))
    _timed("register page searching 'number 99'", lambda: client.get(base, {"q": "number 99"}))
    _timed("API list (first 50)", lambda: client.get(api))
    risk = Risk.objects.order_by("number").last()
    _timed("risk detail page", lambda: client.get(f"{base}{risk.uuid}/"))
    _timed("CSV export of 10,000 risks", lambda: client.get(base + "export.csv"), repeat=1)
    _timed("XLSX export of 10,000 risks", lambda: client.get(base + "export.xlsx"), repeat=1)

    Risk.objects.all().delete()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Reference", "Title", "Category", "Owning side", "Owner e-mail", "Likelihood", "Impact"])
    for n in range(1, 10_001):
        writer.writerow(
            [
                f"R-{n:05d}",
                f"Imported risk {n}",
                "Commercial",
                "joint",
                "bob@brightwave.example",
                n % 5 + 1,
                (n // 5) % 5 + 1,
            ]
        )
    data = buffer.getvalue().encode()
    access = world.access(world.alice)
    for label in ("import 10,000 CSV rows (all new)", "re-import the same file (all unchanged)"):
        start = time.perf_counter()
        result = importing.risk_import(access=access, name="risks.csv", data=data)
        took = time.perf_counter() - start
        print(
            f"{label:<58} {took * 1000:8.0f} ms  created {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}, errors {len(result.errors)}"
        )
    edited = data.replace(b"Commercial", b"Relationship")
    start = time.perf_counter()
    result = importing.risk_import(access=access, name="risks.csv", data=edited)
    print(
        f"{'import 10,000 CSV rows (all updated)':<58} {(time.perf_counter() - start) * 1000:8.0f} ms  "
        f"updated {result.updated}"
    )
    xlsx = importing.export_xlsx(Risk.objects.select_related("owner"))
    start = time.perf_counter()
    result = importing.risk_import(access=access, name="risks.xlsx", data=xlsx)
    print(
        f"{'import 10,000 XLSX rows (export round trip, unchanged)':<58} "
        f"{(time.perf_counter() - start) * 1000:8.0f} ms  unchanged {result.unchanged}"
    )
    bad = data.replace(b"Imported risk 9999,Commercial", b"Imported risk 9999,Weather")
    start = time.perf_counter()
    result = importing.risk_import(access=access, name="risks.csv", data=bad)
    print(
        f"{'validate 10,000 rows with one bad row (nothing written)':<58} "
        f"{(time.perf_counter() - start) * 1000:8.0f} ms  errors {[str(e) for e in result.errors]}"
    )


if __name__ == "__main__":
    main()
