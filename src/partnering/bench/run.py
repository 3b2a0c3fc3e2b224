"""The load runner: gunicorn (production settings, 2 sync workers) measured with wrk on loopback.

    python -m partnering.bench.run sqlite=sqlite:///$PWD/var/bench.sqlite3 \\
        postgresql=postgres://postgres@127.0.0.1:5432/partnering_bench

For each database (filled beforehand by `partnering bench_data`) a child process signs in the
benchmark user (a session minted with SessionStore, and an API token), starts gunicorn with
its own pid file, checks that every URL answers 200 for that user, then runs wrk on each URL:
a short warm-up, then the measurement. The bare "ok" view is measured first and last, and
pages are compared with the mean of the two, so a machine that gets busier during the run
shows up as two different ceilings rather than as a slow page. The parent writes the table
to BENCHMARKS.md between the markers, leaving any text around them alone.

Each benchmarked URL is a registered `Target`. A target whose app is not installed or whose
URL name does not resolve yet is skipped and listed as such, so a new page is one line here.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
LUA = Path(__file__).with_name("wrk_report.lua")
OUT_DIR = REPO / "var" / "bench"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
P95_TARGET_MS = 100.0
RPS_TARGET_SHARE = 0.25
PDF_TARGET_MS = 1500.0
RSS_TARGET_MB = 200.0
SATURATED_CONNECTIONS = 16


# -- what is measured -------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """The benchmark user's world: what URLs are built from."""

    slug: str  # the focus arrangement, which the user leads as SRO
    assessment_uuid: str  # its newest revealed Annex B


@dataclass(frozen=True)
class Target:
    name: str
    url_name: str
    kwargs: Callable[[Subject], dict[str, str]] = lambda s: {}
    query: str = ""
    api: bool = False
    requires: str | None = None  # an app that must be installed
    p95_target_ms: float = P95_TARGET_MS
    rps_target_share: float | None = RPS_TARGET_SHARE  # None: a report, not a page; no throughput target
    connections: int | None = None  # default: the run's; 1 measures one person's wait, with no queue


def _slug(s: Subject) -> dict[str, str]:
    return {"slug": s.slug}


def _api_slug(s: Subject) -> dict[str, str]:
    return {"arrangement_slug": s.slug}


CEILING = Target("Ceiling: bare view, no database", "bench-ok")

TARGETS: list[Target] = [
    Target("Portfolio", "portfolio:index", requires="partnering.portfolio"),
    Target("Arrangement list", "arrangements:list"),
    Target("Arrangement overview", "arrangements:overview", _slug),
    Target("Members", "arrangements:members", _slug),
    Target(
        "Risk register (first page, filtered)",
        "risks:register",
        _slug,
        query="?status=open&sort=-score",
        requires="partnering.risks",
    ),
    Target("Assessments list", "assessments:list", _slug),
    Target(
        "Assessment results", "assessments:results", lambda s: {"slug": s.slug, "assessment_uuid": s.assessment_uuid}
    ),
    Target(
        "Assessment report PDF (1 connection)",
        "assessments:report_pdf",
        lambda s: {"slug": s.slug, "assessment_uuid": s.assessment_uuid},
        p95_target_ms=PDF_TARGET_MS,
        rps_target_share=None,
        connections=1,
    ),
    Target("My actions", "actions:mine"),
    Target("Arrangement actions", "actions:list", _slug),
    Target("KPI page", "kpis:list", _slug, requires="partnering.kpis"),
    Target("API: arrangements", "api:arrangement-list", api=True),
    Target("API: risks", "api:arrangement-risk-list", _api_slug, api=True, requires="partnering.risks"),
    Target("API: assessments", "api:arrangement-assessment-list", _api_slug, api=True),
    Target("API: actions", "api:arrangement-action-list", _api_slug, api=True),
    Target("API: my actions", "api:my-actions", api=True),
]

# Row counts reported with the figures; models that do not exist yet are left out.
COUNTED = [
    "accounts.Organisation",
    "accounts.User",
    "arrangements.Arrangement",
    "arrangements.Membership",
    "risks.Risk",
    "assessments.Assessment",
    "assessments.Answer",
    "actions.Action",
    "kpis.Measurement",
]


def bench_subject() -> tuple[Any, Subject | None]:
    """The benchmark user, and the arrangement and assessment the URLs are built from."""
    from partnering.accounts.models import User
    from partnering.arrangements.models import RoleAssignment
    from partnering.assessments.models import Assessment
    from partnering.bench.generate import BENCH_EMAIL
    from partnering.core.choices import Role

    user = User.objects.filter(email=BENCH_EMAIL).first()
    if user is None:
        return None, None
    sro = (
        RoleAssignment.objects.filter(membership__user=user, role=Role.SRO, ended_at__isnull=True)
        .select_related("arrangement")
        .order_by("arrangement_id")
        .first()
    )
    assessment = (
        Assessment.objects.filter(arrangement=sro.arrangement, bank__key="annex-b", revealed_at__isnull=False)
        .order_by("-revealed_at")
        .first()
    )
    return user, Subject(slug=sro.arrangement.slug, assessment_uuid=str(assessment.uuid))


def plan_targets(
    subject: Subject, *, only: list[str] | None = None
) -> tuple[list[tuple[Target, str]], list[dict[str, str]]]:
    """The (target, path) pairs to measure, and the targets skipped with the reason."""
    from django.apps import apps
    from django.urls import NoReverseMatch, reverse

    planned: list[tuple[Target, str]] = []
    skipped: list[dict[str, str]] = []
    for t in TARGETS:
        if only and not any(o in t.name.lower() for o in only):
            continue
        if t.requires and not apps.is_installed(t.requires):
            skipped.append({"name": t.name, "why": f"{t.requires} not installed"})
            continue
        try:
            planned.append((t, reverse(t.url_name, kwargs=t.kwargs(subject)) + t.query))
        except NoReverseMatch:
            skipped.append({"name": t.name, "why": f"URL {t.url_name!r} not routed yet"})
    return planned, skipped


# -- the child: one database ------------------------------------------------------------


def browser_cookies(session_key: str) -> str:
    """The cookies a browser sends after its first page: the session and the CSRF cookie (which
    any page with a form sets; pages are kept for a reader only once it is there, see
    core.pagecache)."""
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def session_for(user: Any) -> str:
    """A signed-in session for `user`, stored as a sign-in stores it; its key is the cookie."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.module_loading import import_string

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend that loads users (a lockout backend such as axes' only checks sign-ins).
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _child(label: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection

    from partnering.accounts.services import token_create

    user, subject = bench_subject()
    if user is None:
        raise SystemExit(f"{label}: no benchmark user; run `partnering bench_data` on this database first.")

    session_key = session_for(user)
    _, raw_token = token_create(user=user, name=f"bench {datetime.now(UTC):%Y-%m-%d %H:%M}")
    # Production sits behind a TLS proxy: say so, or SECURE_SSL_REDIRECT answers 301.
    common = ["X-Forwarded-Proto: https"]
    page_headers = [*common, f"Cookie: {browser_cookies(session_key)}"]
    api_headers = [*common, f"Authorization: Bearer {raw_token}", "Accept: application/json"]

    counts = {}
    for label_ in COUNTED:
        with contextlib.suppress(LookupError):
            counts[label_.split(".")[1]] = apps.get_model(label_).objects.count()

    only = [o.strip().lower() for o in args.only.split(",") if o.strip()]
    planned, skipped = plan_targets(subject, only=only)
    connection.close()

    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    server = _start_gunicorn(label, port, args.workers)
    try:
        _wait_ready(base + "/healthz", common)
        for t, path in [(CEILING, "/bench/ok"), *planned]:
            _preflight(base + path, api_headers if t.api else page_headers, t.name)
        results = []
        ceiling_before = _wrk(base + "/bench/ok", page_headers, args)
        # The bare view is so cheap that, at two connections per worker, wrk's round trips limit it
        # rather than the CPU: it is measured saturated too, and the report shows both ratios.
        saturated = argparse.Namespace(**{**vars(args), "connections": SATURATED_CONNECTIONS, "threads": 2})
        ceiling_saturated = _wrk(base + "/bench/ok", page_headers, saturated)
        for t, path in planned:
            own = (
                args
                if t.connections is None
                else argparse.Namespace(**{**vars(args), "connections": t.connections, "threads": 1})
            )
            r = _wrk(base + path, api_headers if t.api else page_headers, own)
            results.append(
                {
                    "name": t.name,
                    "path": path,
                    "api": t.api,
                    "p95_target_ms": t.p95_target_ms,
                    "rps_target_share": t.rps_target_share,
                    **r,
                }
            )
            _settle(base + "/bench/ok", page_headers)
            print(f"  {label:<10} {t.name:<40} p95 {r['p95_ms']:7.1f} ms  {r['rps']:8.1f} req/s", flush=True)
        ceiling_after = _wrk(base + "/bench/ok", page_headers, args)
        rss = _worker_rss(server.pid)
    finally:
        _stop(server)
    ceiling = {k: (ceiling_before[k] + ceiling_after[k]) / 2 for k in ("rps", "p50_ms", "p95_ms", "p99_ms")}
    print(f"  {label:<10} ceiling {ceiling_before['rps']:.0f} then {ceiling_after['rps']:.0f} req/s", flush=True)
    return {
        "label": label,
        "vendor": connection.vendor,
        "database": re.sub(r"//[^@/]*@", "//", database_url),
        "counts": counts,
        "subject": asdict(subject),
        "ceiling": ceiling,
        "ceiling_runs": [ceiling_before, ceiling_after],
        "ceiling_saturated": ceiling_saturated,
        "results": results,
        "skipped": skipped,
        "rss_mb": rss,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(label: str, port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    pidfile = OUT_DIR / f"gunicorn-{label}.pid"
    log = (OUT_DIR / f"gunicorn-{label}.log").open("w")
    cmd = [
        str(gunicorn),
        "partnering.wsgi:application",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--pid",
        str(pidfile),
        "--log-level",
        "warning",
    ]
    # Not daemonised: Popen's pid is gunicorn's master itself, so stopping it is exact.
    return subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _request(url: str, headers: list[str], timeout: float = 30) -> tuple[int, bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a: Any, **k: Any) -> None:
            return None

    req = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))  # noqa: S310 - loopback
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_ready(url: str, headers: list[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(url, headers)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within 60 s; see {OUT_DIR}/gunicorn-*.log")


def _settle(url: str, headers: list[str]) -> None:
    """Wait until the workers have answered every request wrk left queued.

    wrk stops at its deadline, but sync workers still serve what is in the listen backlog;
    without this, a slow page's leftovers would be counted against the next URL.
    """
    for _ in range(2):  # one request per worker, each behind the backlog
        _request(url, headers, timeout=300)


def _preflight(url: str, headers: list[str], name: str) -> None:
    """wrk does not count redirects as errors: make sure each URL really serves the page."""
    status, body = _request(url, headers)
    if status != 200:
        raise SystemExit(f"{name}: {url} answered {status}, not 200:\n{body[:500].decode(errors='replace')}")


def _wrk(url: str, headers: list[str], args: argparse.Namespace) -> dict[str, Any]:
    def run(duration: int, connections: int) -> dict[str, Any]:
        cmd = [
            args.wrk,
            f"-t{min(args.threads, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
        ]
        for h in headers:
            cmd += ["-H", h]
        out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
        line = next(ln for ln in out.splitlines() if ln.startswith("BENCH_JSON "))
        return json.loads(line.removeprefix("BENCH_JSON "))

    if args.warmup:
        # At least one connection per worker, so that every worker is warm (a one-connection
        # measurement would otherwise meet a worker's first PDF, fonts and charts still loading).
        run(args.warmup, max(args.connections, args.workers))
    result = run(args.duration, args.connections)
    bad = {k: v for k, v in result["errors"].items() if v}
    if bad:
        print(f"    warning: {url}: wrk errors {bad}", flush=True)
    return result


def _worker_rss(master: int) -> dict[str, float]:
    """Peak and current resident memory of each worker (MB), from /proc."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            status = (stat.parent / "status").read_text()
            values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
            workers.append((int(values.get("VmRSS", 0)) / 1024, int(values.get("VmHWM", 0)) / 1024))
    if not workers:
        return {}
    return {"workers": len(workers), "rss_max": max(w[0] for w in workers), "peak_max": max(w[1] for w in workers)}


# -- the parent: every database, then the report ----------------------------------------


def _bench_env(database_url: str, secret: str) -> dict[str, str]:
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="partnering.bench.settings",
        DEBUG="false",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        PARTNERING_BENCH="1",
        PARTNERING_HOME=str(REPO),
        LOG_LEVEL="WARNING",
    )


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603, S607
    except (OSError, subprocess.CalledProcessError):
        return ""


def _share(rps: float, ceiling: float) -> str:
    return f"{rps / ceiling:.0%}" if ceiling else "–"


def _ms(v: float) -> str:
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def render(runs: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Measured {meta['date']} on commit `{meta['commit']}`{meta['dirty']}, "
        f"{meta['cores']} CPU cores ({meta['cpu']}), Python {meta['python']}, gunicorn {meta['workers']} sync "
        f"workers, production settings (DEBUG off), wrk `{meta['wrk']}` on loopback.",
        "",
        f"Command: `{meta['command']}`",
        "",
        f"Targets: every page p95 ≤ {P95_TARGET_MS:.0f} ms and at least {RPS_TARGET_SHARE:.0%} of the ceiling's "
        f"requests per second; the assessment report PDF p95 under {PDF_TARGET_MS:.0f} ms (no throughput "
        f"target); each worker under {RSS_TARGET_MB:.0f} MB resident. The ceiling is a bare Django view "
        'returning "ok" without the database, '
        "behind the same middleware; it is measured before and after the pages and the mean is used.",
        "",
    ]
    if meta.get("note"):
        lines += [f"**{meta['note']}**", ""]
    names = sorted({k for r in runs for k in r["counts"]}, key=lambda k: [c.split(".")[1] for c in COUNTED].index(k))
    lines += ["| Rows | " + " | ".join(r["label"] for r in runs) + " |", "|---|" + "---:|" * len(runs)]
    for n in names:
        lines.append(f"| {n} | " + " | ".join(f"{r['counts'].get(n, 0):,}" for r in runs) + " |")
    lines.append("")
    for r in runs:
        c = r["ceiling"]
        before, after = (x["rps"] for x in r["ceiling_runs"])
        sat = (r.get("ceiling_saturated") or {}).get("rps", 0.0)
        lines += [
            f"### {r['label']} ({r['vendor']})",
            "",
            "| Endpoint | p50 ms | p95 ms | p99 ms | req/s | req/s vs ceiling | vs saturated ceiling "
            "| p95 vs ceiling | Target met |",
            "|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
            f"| Ceiling (mean of {before:.0f} and {after:.0f} req/s) | {_ms(c['p50_ms'])} | {_ms(c['p95_ms'])} | "
            f"{_ms(c['p99_ms'])} | {c['rps']:.0f} | 100% | {_share(c['rps'], sat)} | 1.0× | — |",
        ]
        for x in r["results"]:
            if not x.get("requests", 1):
                lines.append(f"| {x['name']} | no response within the run | | | 0 | 0% | | **no** |")
                continue
            share = x["rps"] / c["rps"] if c["rps"] else 0
            wanted_share = x.get("rps_target_share", RPS_TARGET_SHARE)
            ok = (
                x.get("requests", 1) > 0
                and x["p95_ms"] <= x.get("p95_target_ms", P95_TARGET_MS)
                and (wanted_share is None or share >= wanted_share)
                and not x["errors"]["status"]
            )
            lines.append(
                f"| {x['name']} | {_ms(x['p50_ms'])} | {_ms(x['p95_ms'])} | {_ms(x['p99_ms'])} | {x['rps']:.0f} | "
                f"{share:.0%} | {_share(x['rps'], sat)} | {x['p95_ms'] / c['p95_ms']:.1f}× | "
                f"{'yes' if ok else '**no**'} |"
            )
        if sat:
            lines += [
                "",
                f"Saturated ceiling: the bare view at wrk `-c{SATURATED_CONNECTIONS}` answers {sat:.0f} req/s. "
                "The target is judged against the ceiling measured as the pages are (same connections); "
                "the saturated column shows how far each page is from the framework's own cost.",
            ]
        rss = r.get("rss_mb") or {}
        if rss:
            lines += [
                "",
                f"Worker memory after the run: {rss['rss_max']:.0f} MB resident, peak "
                f"{rss['peak_max']:.0f} MB (largest of {rss['workers']} workers); target under "
                f"{RSS_TARGET_MB:.0f} MB: {'met' if rss['peak_max'] < RSS_TARGET_MB else '**not met**'}.",
            ]
        if r["skipped"]:
            lines += ["", "Not measured yet: " + "; ".join(f"{s['name']} ({s['why']})" for s in r["skipped"]) + "."]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_report(path: Path, body: str) -> None:
    block = f"{START}\n{body}{END}\n"
    if path.exists() and START in path.read_text():
        text = path.read_text()
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1].lstrip("\n") if END in rest else ""
        path.write_text(head + block + (("\n" + tail) if tail else ""))
    else:
        path.write_text("# Benchmarks\n\nWritten by `make bench`; edit only outside the markers.\n\n" + block)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("databases", nargs="*", metavar="LABEL=DATABASE_URL")
    parser.add_argument("--duration", type=int, default=10, help="seconds of measurement per URL")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per URL (0: none)")
    parser.add_argument("--threads", type=int, default=2)
    # Two per sync worker: both workers are always busy, so req/s is the saturated throughput,
    # and a request waits behind at most one other. With 16 connections on 2 workers every
    # latency is ~8 requests of queue (Little's law): a figure about the queue, not the page.
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument("--only", default="", help="comma-separated parts of target names to run")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument("--command", default="", help="the command to record (default: this one)")
    parser.add_argument("--note", default="", help="a line printed above the tables")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        label, url = args.child.split("=", 1)
        result = _child(label, url, args)
        (OUT_DIR / f"results-{label}.json").write_text(json.dumps(result, indent=2))
        return

    if not args.databases:
        parser.error("give at least one LABEL=DATABASE_URL")
    if not Path(args.wrk).exists():
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    secret = secrets.token_urlsafe(50)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    first_env = _bench_env(args.databases[0].split("=", 1)[1], secret)
    print("Collecting static files for the production storage...", flush=True)
    subprocess.run(  # noqa: S603 - our own console script
        [str(Path(sys.executable).with_name("partnering")), "collectstatic", "--noinput", "-v0"],
        env=first_env,
        cwd=REPO,
        check=True,
    )
    runs = []
    for spec in args.databases:
        label, url = spec.split("=", 1)
        print(f"Benchmarking {label}...", flush=True)
        forwarded = [a for a in (argv if argv is not None else sys.argv[1:]) if a not in args.databases]
        subprocess.run(  # noqa: S603 - this module, in a fresh process per database
            [sys.executable, "-m", "partnering.bench.run", *forwarded, "--child", spec],
            env=_bench_env(url, secret),
            cwd=REPO,
            check=True,
        )
        runs.append(json.loads((OUT_DIR / f"results-{label}.json").read_text()))
    commit = _git("rev-parse", "--short=12", "HEAD") or "unknown"
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "dirty": " (with uncommitted changes)" if uncommitted_changes() else "",
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "workers": args.workers,
        "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s (after {args.warmup}s warm-up)",
        "command": args.command or "python -m partnering.bench.run " + shlex.join(argv or sys.argv[1:]),
        "note": args.note,
    }
    write_report(args.out, render(runs, meta))
    print(f"Wrote {args.out}", flush=True)


def uncommitted_changes() -> bool:
    """Whether the code measured differs from the commit named (the report file itself aside)."""
    changed = _git("status", "--porcelain", "--untracked-files=no").splitlines()
    return any(not line.endswith("BENCHMARKS.md") for line in changed)


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.machine()
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return found.group(1).strip() if found else platform.machine()


if __name__ == "__main__":
    main()
