"""Service time of each benchmarked page, one request at a time, in this process (a tool, not a test).

`make bench` measures pages under load through gunicorn; when a page misses its
target, this says why: the time one request takes with nothing queued in front
of it (wall clock, and this process's CPU time, which other load on the machine
disturbs less), its query count and the time spent in SQL, and, with `--profile NAME`, a
pyinstrument call tree of that page. Same settings as the benchmark server
(production settings, DEBUG off), same user and URLs.

    DATABASE_URL=sqlite:///$PWD/var/bench.sqlite3 .venv/bin/python -m partnering.bench.profile
    DATABASE_URL=... .venv/bin/python -m partnering.bench.profile --only portfolio --profile portfolio
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="timed requests per URL (after 2 warm-ups)")
    parser.add_argument("--only", default="", help="comma-separated parts of target names")
    parser.add_argument("--profile", default="", help="print a pyinstrument call tree for this target")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnering.bench.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from partnering.accounts.services import token_create
    from partnering.bench.run import CEILING, bench_subject, plan_targets

    call_command("collectstatic", interactive=False, verbosity=0)  # manifest storage, as in production
    setup_test_environment()  # the test client's host is let in
    user, subject = bench_subject()
    if user is None or subject is None:
        raise SystemExit("No benchmark user: run `partnering bench_data` on this database first.")
    _, raw_token = token_create(user=user, name="bench profile")
    only = [o.strip().lower() for o in args.only.split(",") if o.strip()]
    planned, skipped = plan_targets(subject, only=only)
    planned.insert(0, (CEILING, "/bench/ok"))
    page = Client(HTTP_X_FORWARDED_PROTO="https")
    page.force_login(user)
    api = Client(
        HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Bearer {raw_token}", HTTP_ACCEPT="application/json"
    )

    print(f"{'Target':<40} {'median ms':>9} {'min ms':>7} {'CPU ms':>7} {'queries':>7} {'SQL ms':>7}  bytes")
    for target, path in planned:
        client = api if target.api else page
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200, (target.name, response.status_code)
        timings: list[float] = []
        cpu: list[float] = []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(
            f"{target.name:<40} {statistics.median(timings):9.1f} {min(timings):7.1f} {statistics.median(cpu):7.1f} "
            f"{len(ctx.captured_queries):7d} {sql_ms:7.1f}  {len(response.content)}",
            flush=True,
        )
        if args.profile and args.profile.lower() in target.name.lower():
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(5):
                    client.get(path)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    for item in skipped:
        print(f"{item['name']:<40} skipped: {item['why']}")


if __name__ == "__main__":
    main()
