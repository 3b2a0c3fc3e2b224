"""`partnering bench_data --scale department`: the benchmark portfolio, reproducible from a seed.

    partnering bench_data --scale small --reset        # a fresh database, migrated, then filled
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnering_bench partnering bench_data --reset

`--reset` deletes the SQLite file or drops and recreates the PostgreSQL database (creating it
if missing), then migrates. Without it the data is added to the current, migrated database,
which must hold no arrangements yet.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

from partnering.arrangements.models import Arrangement
from partnering.bench.generate import FAMILIES, SCALES, generate


class Command(BaseCommand):
    help = "Generate a large, reproducible portfolio for the benchmarks (bulk inserts, no audit history)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--anchor",
            type=date.fromisoformat,
            default=None,
            help="Dates are relative to this day (YYYY-MM-DD; default today). Fix it to get "
            "identical rows on another day.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Recreate the database (SQLite file or PostgreSQL database) and migrate first.",
        )

    def handle(self, *args: Any, scale: str, seed: int, anchor: date | None, reset: bool, **options: Any) -> None:
        if reset:
            _recreate_database()
            self.stdout.write("Database recreated; migrating...")
            call_command("migrate", verbosity=0, interactive=False)
        if Arrangement.objects.exists():
            raise CommandError("This database already holds arrangements: pass --reset to start from empty.")
        anchor = anchor or timezone.localdate()
        self.stdout.write(
            f"Generating scale {scale!r}, seed {seed}, anchor {anchor} on {connections['default'].vendor}:"
        )
        started = time.monotonic()
        plan = generate(scale=SCALES[scale], seed=seed, anchor=anchor, log=self.stdout.write)
        if connections["default"].vendor == "postgresql":
            with connections["default"].cursor() as cursor:
                cursor.execute("ANALYZE")
        extras = {k: v for k, v in plan.counts.items() if k not in {f.name for f in FAMILIES}}
        for name, count in extras.items():
            self.stdout.write(f"  ({name}: {count:,})")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))


def _recreate_database() -> None:
    conn = connections["default"]
    settings = conn.settings_dict
    conn.close()
    if conn.vendor == "sqlite":
        name = str(settings["NAME"])
        if name and name != ":memory:" and "mode=memory" not in name:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(name + suffix).unlink(missing_ok=True)
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return
    if conn.vendor != "postgresql":
        raise CommandError(f"--reset supports SQLite and PostgreSQL, not {conn.vendor}.")
    import psycopg
    from psycopg import sql

    params = {
        k: v
        for k, v in {
            "host": settings.get("HOST") or None,
            "port": settings.get("PORT") or None,
            "user": settings.get("USER") or None,
            "password": settings.get("PASSWORD") or None,
        }.items()
        if v
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        name = sql.Identifier(settings["NAME"])
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
