"""Measure the portfolio page on a large portfolio (a script, not a test).

Run it on a THROWAWAY COPY of the benchmark database: it rewrites the copy so
that one organisation is the customer of every arrangement, and makes the
benchmark user that organisation's portfolio manager.

    cp var/bench.sqlite3 /tmp/bench-portfolio.sqlite3
    DATABASE_URL=sqlite:////tmp/bench-portfolio.sqlite3 .venv/bin/partnering migrate
    DATABASE_URL=sqlite:////tmp/bench-portfolio.sqlite3 .venv/bin/python -m partnering.portfolio.measure --copy
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copy", action="store_true", help="confirm the database is a throwaway copy")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.copy:
        sys.exit("This rewrites the database: run it on a throwaway copy, with --copy.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnering.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from partnering.accounts.models import User
    from partnering.arrangements.models import Arrangement
    from partnering.bench.generate import BENCH_EMAIL

    user = User.objects.get(email=BENCH_EMAIL)
    org = user.organisation
    Arrangement.objects.exclude(provider=org).update(customer=org)
    User.objects.filter(pk=user.pk).update(is_portfolio_manager=True)
    total = Arrangement.objects.filter(customer=org).count()

    setup_test_environment()  # lets the test client's host in, and counts queries
    client = Client()
    client.force_login(user)
    timings, queries = [], 0
    for _ in range(args.runs + 1):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get("/portfolio/")
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    timings = timings[1:]  # the first run warms caches
    print(
        f"portfolio of {total} arrangements: {queries} queries, "
        f"median {statistics.median(timings) * 1000:.0f} ms, min {min(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms over {len(timings)} runs"
    )


if __name__ == "__main__":
    main()
