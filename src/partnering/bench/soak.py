"""The soak run: ten minutes of mixed load on gunicorn, watching each worker's memory and every error.

    python -m partnering.bench.soak --seconds 600 PostgreSQL=postgres://postgres@127.0.0.1:5432/partnering_bench

Against a database filled by `partnering bench_data`, a child process starts gunicorn exactly as
`partnering.bench.run` does (its functions, its production settings, 2 sync workers), signs the
benchmark user in the same way, then keeps `--clients` Python clients busy for `--seconds`: most
requests read one of run.py's page and API URLs at random; about one in eight writes through the
API on the benchmark arrangement (creates an action or a risk, or reads one created earlier and
saves a change with the version it read, as a person would; one save in ten names the version
before, which the optimistic lock must refuse with 409). A 409 is counted apart; any other 4xx,
any 5xx and any connection error is an error.

Every `--interval` seconds each worker's resident memory is read from /proc. Memory counts as flat
when every worker grew by less than 10% over the second half of the run (the first half lets
caches, connections and lazily loaded modules settle), and as settling when every worker grew in the
last quarter by at most half as many MB as in the third, or by under 1 MB (a leak grows about
evenly; a plateau slows down). The parent writes the figures to
BENCHMARKS.md between `<!-- soak:start -->` and `<!-- soak:end -->`, appending the markers if they
are missing, and leaves everything else in the file alone. `--seconds 0` does nothing, so
`make bench SOAK=0` skips the soak.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from partnering.bench.run import (
    OUT_DIR,
    REPO,
    _bench_env,
    _cpu_model,
    _free_port,
    _git,
    _preflight,
    _start_gunicorn,
    _stop,
    _wait_ready,
    bench_subject,
    browser_cookies,
    plan_targets,
    session_for,
    uncommitted_changes,
)

START, END = "<!-- soak:start -->", "<!-- soak:end -->"
FLAT_GROWTH = 0.10  # growth over the second half below which memory counts as flat
SETTLED_MB = 1.0  # growth in the last quarter that counts as settled whatever came before
WRITE_SHARE = 0.125


# -- load ---------------------------------------------------------------------------------


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    conflicts: int = 0
    failures: Counter = field(default_factory=Counter)  # connection errors and timeouts, by kind
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, method: str, path: str, status: int, body: bytes) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.kinds[kind] += 1
            if status == 409 and method == "PATCH":
                self.conflicts += 1
            elif status >= 400 and len(self.examples) < 10:
                self.examples.append(f"{method} {path} -> {status}: {body[:200].decode(errors='replace')}")

    def fail(self, method: str, path: str, exc: Exception) -> None:
        with self.lock:
            self.failures[type(exc).__name__] += 1
            if len(self.examples) < 10:
                self.examples.append(f"{method} {path} -> {type(exc).__name__}: {exc}")


class Client:
    """One keep-alive connection and one person's writes (records it created, to update later)."""

    def __init__(self, port: int, page_headers: dict[str, str], api_headers: dict[str, str], seed: int) -> None:
        self.port = port
        self.page_headers = page_headers
        self.api_headers = api_headers
        self.rng = random.Random(seed)  # noqa: S311 - load mix, not security
        self.conn: http.client.HTTPConnection | None = None
        self.created: list[str] = []  # detail paths of records this client created

    def call(self, method: str, path: str, *, api: bool, payload: Any = None) -> tuple[int, bytes]:
        headers = dict(self.api_headers if api else self.page_headers)
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn's sync workers close idle keep-alive connections: reconnect once.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _write(client: Client, tally: Tally, lists: dict[str, str], n: int) -> None:
    rng = client.rng
    if client.created and rng.random() < 0.5:
        path = rng.choice(client.created)
        status, body = client.call("GET", path, api=True)
        tally.record("api read", "GET", path, status, body)
        if status != 200:
            return
        version = json.loads(body)["version"]
        stale = version > 1 and rng.random() < 0.1
        if stale:
            version -= 1  # a save based on an old read: the lock must answer 409 and change nothing
        payload = {"version": version, "description": f"Soak update {n} at version {version}"}
        status, body = client.call("PATCH", path, api=True, payload=payload)
        tally.record("api update (stale version)" if stale else "api update", "PATCH", path, status, body)
        if stale and status < 300:
            tally.fail("PATCH", path, RuntimeError("a save on a stale version was accepted (lost update)"))
        return
    kind = rng.choice(sorted(lists))
    due = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    payload: dict[str, Any]
    if kind == "risk":
        payload = {"title": f"Soak risk {n}", "owning_side": "joint", "likelihood": 2, "impact": 3}
    else:
        payload = {"title": f"Soak action {n}", "due_date": due}
    status, body = client.call("POST", lists[kind], api=True, payload=payload)
    tally.record(f"api create {kind}", "POST", lists[kind], status, body)
    if status == 201:
        client.created.append(f"{lists[kind]}{json.loads(body)['uuid']}/")
        del client.created[:-50]


def _drive(client: Client, tally: Tally, reads: list[tuple[str, bool]], lists: dict[str, str], stop: threading.Event):
    n = 0
    while not stop.is_set():
        n += 1
        method, path = "GET", ""
        try:
            if lists and client.rng.random() < WRITE_SHARE:
                method = "WRITE"
                _write(client, tally, lists, n)
            else:
                path, api = client.rng.choice(reads)
                status, body = client.call("GET", path, api=api)
                tally.record("api read" if api else "page", "GET", path, status, body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            tally.fail(method, path, exc)
            if client.conn is not None:
                client.conn.close()
                client.conn = None


# -- memory -------------------------------------------------------------------------------------


def worker_rss(master: int) -> dict[int, float]:
    """Resident memory (MB) of each of the master's children, by pid, from /proc."""
    found: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if rss:
            found[int(stat.parent.name)] = int(rss.group(1)) / 1024
    return found


def summarise_memory(samples: list[tuple[float, dict[int, float]]]) -> dict[str, Any]:
    """Each worker's memory at the start, at each quarter of the run and at its peak; flat if all
    grew < 10% over the second half.

    The quarters are there to tell a plateau from a slow leak: memory that has settled grows less
    in the last quarter than in the third, while a leak grows about the same in each.
    """
    pids = sorted({pid for _, by_pid in samples for pid in by_pid})
    workers = []
    for pid in pids:
        series = [(t, by_pid[pid]) for t, by_pid in samples if pid in by_pid]
        quarters = [_at(series, q / 4) for q in range(5)]  # start, 1/4, 1/2, 3/4, end
        workers.append(
            {
                "pid": pid,
                "samples": len(series),
                "start_mb": round(quarters[0], 1),
                "quarters_mb": [round(v, 1) for v in quarters[1:]],
                "middle_mb": round(quarters[2], 1),
                "end_mb": round(quarters[4], 1),
                "peak_mb": round(max(v for _, v in series), 1),
                "second_half_growth": _growth(quarters[2], quarters[4]),
                "third_quarter_growth": _growth(quarters[2], quarters[3]),
                "last_quarter_growth": _growth(quarters[3], quarters[4]),
                "whole_run": len(series) == len(samples),
            }
        )
    full = [w for w in workers if w["whole_run"]]
    return {
        "workers": workers,
        "restarted": len(workers) - len(full),
        "flat": bool(full) and all(w["second_half_growth"] < FLAT_GROWTH for w in full),
        "settling": bool(full) and all(_settling(w["quarters_mb"]) for w in full),
    }


def _settling(quarters_mb: list[float]) -> bool:
    """The last quarter grew by at most half the MB the third did, or by under 1 MB.

    Compared in MB, not in percent: even growth is a smaller percentage of a bigger number, so
    percentages would call a steady leak slowing down.
    """
    _, middle, three_quarters, end = quarters_mb
    return end - three_quarters <= max(SETTLED_MB, 0.5 * (three_quarters - middle))


def _at(series: list[tuple[float, float]], fraction: float) -> float:
    """The sample nearest to `fraction` of the way through the series."""
    when = series[0][0] + (series[-1][0] - series[0][0]) * fraction
    return min(series, key=lambda s: abs(s[0] - when))[1]


def _growth(before: float, after: float) -> float:
    return round((after - before) / before, 4) if before else 0.0


# -- the child: one database, one gunicorn ------------------------------------------------------


def _sign_in() -> tuple[Any, Any, dict[str, str], dict[str, str]]:
    """The benchmark user's session cookie and API token, minted as run.py's child mints them."""

    from partnering.accounts.models import TokenScope
    from partnering.accounts.services import token_create

    user, subject = bench_subject()
    if user is None:
        raise SystemExit("no benchmark user; run `partnering bench_data` on this database first.")
    session_key = session_for(user)
    _, raw_token = token_create(user=user, name=f"soak {datetime.now(UTC):%Y-%m-%d %H:%M}", scope=TokenScope.READ_WRITE)
    common = {"X-Forwarded-Proto": "https"}  # behind a TLS proxy, as in run.py
    pages = {**common, "Cookie": browser_cookies(session_key)}
    api = {**common, "Authorization": f"Bearer {raw_token}", "Accept": "application/json"}
    return user, subject, pages, api


def child(label: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    _, subject, page_headers, api_headers = _sign_in()
    planned, skipped = plan_targets(subject)
    reads = [(path, t.api) for t, path in planned]
    lists: dict[str, str] = {}
    for kind, name in (("action", "api:arrangement-action-list"), ("risk", "api:arrangement-risk-list")):
        with contextlib.suppress(NoReverseMatch):
            lists[kind] = reverse(name, kwargs={"arrangement_slug": subject.slug})
    connection.close()

    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    server = _start_gunicorn(f"soak-{label}", port, args.workers)
    tally = Tally()
    samples: list[tuple[float, dict[int, float]]] = []
    try:
        as_list = lambda headers: [f"{k}: {v}" for k, v in headers.items()]  # noqa: E731
        _wait_ready(base + "/healthz", as_list(page_headers))
        for t, path in planned:
            _preflight(base + path, as_list(api_headers if t.api else page_headers), t.name)
        stop = threading.Event()
        clients = [Client(port, page_headers, api_headers, seed=i) for i in range(args.clients)]
        threads = [threading.Thread(target=_drive, args=(c, tally, reads, lists, stop)) for c in clients]
        started = time.monotonic()
        samples.append((0.0, worker_rss(server.pid)))
        for thread in threads:
            thread.start()
        deadline = started + args.seconds
        while (now := time.monotonic()) < deadline:
            time.sleep(min(args.interval, deadline - now))
            samples.append((round(time.monotonic() - started, 1), worker_rss(server.pid)))
            done = sum(tally.statuses.values())
            print(f"  {label} {samples[-1][0]:6.0f} s  {done:7d} requests  RSS {samples[-1][1]}", flush=True)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        samples.append((round(elapsed, 1), worker_rss(server.pid)))
    finally:
        _stop(server)
    statuses = {str(k): v for k, v in sorted(tally.statuses.items())}
    total = sum(tally.statuses.values())
    errors_4xx = sum(v for k, v in tally.statuses.items() if 400 <= k < 500) - tally.conflicts
    errors_5xx = sum(v for k, v in tally.statuses.items() if k >= 500)
    return {
        "label": label,
        "vendor": connection.vendor,
        "database": re.sub(r"//[^@/]*@", "//", database_url),
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "workers": args.workers,
        "interval": args.interval,
        "requests": total,
        "rps": round(total / elapsed, 1) if elapsed else 0.0,
        "kinds": dict(tally.kinds),
        "statuses": statuses,
        "conflicts_409": tally.conflicts,
        "errors_4xx": errors_4xx,
        "errors_5xx": errors_5xx,
        "connection_errors": dict(tally.failures),
        "examples": tally.examples,
        "urls": len(reads),
        "skipped": skipped,
        "memory": summarise_memory(samples),
        "samples": [[t, {str(pid): round(mb, 1) for pid, mb in by_pid.items()}] for t, by_pid in samples],
    }


# -- the parent: the report ----------------------------------------------------------------------


def render(result: dict[str, Any], meta: dict[str, Any]) -> str:
    memory = result["memory"]
    errors = result["errors_4xx"] + result["errors_5xx"] + sum(result["connection_errors"].values())
    lines = [
        "## Soak run",
        "",
        f"Measured {meta['date']} on commit `{meta['commit']}`{meta['dirty']}, {meta['cores']} CPU cores "
        f"({meta['cpu']}), {result['label']} ({result['vendor']}), gunicorn {result['workers']} sync workers, "
        "production settings.",
        "",
        f"Command: `{meta['command']}`",
        "",
        f"{result['seconds']:.0f} s of mixed load from {result['clients']} keep-alive clients: "
        f"{result['requests']:,} requests ({result['rps']:.1f} req/s) over {result['urls']} page and API URLs, "
        f"about {WRITE_SHARE:.1%} of them API writes on the benchmark arrangement "
        "(create an action or a risk; read one back and save it with its version).",
        "",
        "| Requests by kind | count |",
        "|---|---:|",
        *(f"| {kind} | {count:,} |" for kind, count in sorted(result["kinds"].items())),
        "",
        "Status codes: "
        + ", ".join(f"{code}: {count:,}" for code, count in result["statuses"].items())
        + f". **Errors: {errors}** ({result['errors_5xx']} 5xx, {result['errors_4xx']} other 4xx, "
        f"{sum(result['connection_errors'].values())} failed requests: connection errors or lost updates); "
        f"{result['conflicts_409']} saves on a stale version refused with 409, as they must be.",
        "",
        f"Worker memory, sampled every {result['interval']} s from /proc (MB resident):",
        "",
        "| Worker | start | 1/4 | 1/2 | 3/4 | end | peak | growth, 3rd quarter | growth, 4th quarter "
        "| growth, second half |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| pid {w['pid']}{'' if w['whole_run'] else ' (not the whole run)'} | {w['start_mb']:.1f} | "
            + " | ".join(f"{v:.1f}" for v in w["quarters_mb"])
            + f" | {w['peak_mb']:.1f} | {w['third_quarter_growth']:+.1%} | {w['last_quarter_growth']:+.1%} "
            f"| {w['second_half_growth']:+.1%} |"
            for w in memory["workers"]
        ),
        "",
        f"**Memory flat: {'yes' if memory['flat'] else 'no'}** (every worker grew by less than "
        f"{FLAT_GROWTH:.0%} over the second half); "
        f"**settling: {'yes' if memory['settling'] else 'no'}** (every worker grew in the last quarter "
        f"by at most half the MB it grew in the third, or by under {SETTLED_MB:.0f} MB); workers replaced during the run: {memory['restarted']}.",
    ]
    if result["examples"]:
        lines += ["", "First errors:", "", *(f"- `{e}`" for e in result["examples"])]
    return "\n".join(lines) + "\n"


def write_report(path: Path, body: str) -> None:
    """Replace the text between our markers, or append the markers and the text at the end."""
    block = f"{START}\n{body}{END}\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if START in text and END in text.split(START, 1)[1]:
        head, rest = text.split(START, 1)
        path.write_text(head + block + rest.split(END, 1)[1].lstrip("\n"))
    else:
        path.write_text(text.rstrip("\n") + "\n\n" + block)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", metavar="LABEL=DATABASE_URL")
    parser.add_argument("--seconds", type=int, default=600, help="length of the run (0: skip)")
    parser.add_argument("--interval", type=int, default=10, help="seconds between memory samples")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument("--command", default="", help="the command to record (default: this one)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        print("Soak run skipped (--seconds 0).", flush=True)
        return
    label, url = args.database.split("=", 1)
    result_path = OUT_DIR / f"soak-{label}.json"
    if args.child:
        result_path.write_text(json.dumps(child(label, url, args), indent=2))
        return

    env = _bench_env(url, secrets.token_urlsafe(50))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    partnering = str(Path(sys.executable).with_name("partnering"))
    subprocess.run([partnering, "collectstatic", "--noinput", "-v0"], env=env, cwd=REPO, check=True)  # noqa: S603
    print(f"Soak run on {label} for {args.seconds} s...", flush=True)
    forwarded = argv if argv is not None else sys.argv[1:]
    subprocess.run(  # noqa: S603 - this module, in a fresh process with the benchmark settings
        [sys.executable, "-m", "partnering.bench.soak", *forwarded, "--child"], env=env, cwd=REPO, check=True
    )
    result = json.loads(result_path.read_text())
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git("rev-parse", "--short=12", "HEAD") or "unknown",
        "dirty": " (with uncommitted changes)" if uncommitted_changes() else "",
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "command": args.command or "python -m partnering.bench.soak " + " ".join(forwarded),
    }
    write_report(args.out, render(result, meta))
    memory = result["memory"]
    print(
        f"{result['requests']:,} requests, {result['errors_5xx']} 5xx, {result['errors_4xx']} other 4xx, "
        f"memory flat: {memory['flat']}. Wrote {args.out}",
        flush=True,
    )


if __name__ == "__main__":
    main()
