"""Concurrent edits through the API: no lost update, no 5xx, an audit row per successful change.

    DATABASE_URL=... python -m partnering.bench.concurrency --clients 16 --updates 500 \\
        --url http://127.0.0.1:8000

runs the full load against a server (gunicorn) that uses the same DATABASE_URL: this script
writes the records and API tokens it needs straight to that database (a fresh arrangement
per run), drives the server over HTTP only, then reads the records and their audit trail
back from the database. It prints a summary and exits with status 1 on any lost update,
5xx, unexpected answer or audit mismatch. The test suite runs the same clients and checks
at a small scale (tests/concurrency/test_optimistic_locking.py, 16 clients x 25 updates,
PARTNERING_CONCURRENCY_UPDATES to change it).

Every client holds an API token of its own and edits, in turn, a risk only it edits, a risk
it shares with one other client, a record it shares with three others (a risk or, for every
other group of four, an action) and, on one edit in eight, a risk every client edits. An
edit is a read, then a PATCH of the description carrying the `version` read; on 409 the
client waits a random moment, reads again and retries.

How a lost update would show: the description is a counter and a tag, "<n> c03u0042".
Each client writes the counter it read plus one, so a save based on a stale read that got
through would leave the final counter below the number of successful saves. Each
successful save must also have exactly one "~" audit row, at the version that save
returned, holding that save's tag, attributed to the token's owner.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

START_DESCRIPTION = "0 start"
#: A client that cannot get one edit through after this many conflicts reports starvation.
MAX_ATTEMPTS = 2_000
BACKOFF_SECONDS = 0.01


@dataclass(frozen=True)
class Record:
    key: str  # "own-3", "pair-1", "quad-0", "all"
    kind: str  # "risk" or "action"
    uuid: str
    path: str
    editors: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    base_url: str
    slug: str
    records: dict[str, Record]
    tokens: list[str]  # one per client
    emails: list[str]  # the token owner's address, per client
    updates: int

    def rotation(self, client: int) -> list[Record]:
        """The records a client edits in turn: the one everybody edits on one edit in eight.

        Every client retries until its edit gets through, so a record all of them edit
        soon has every client queued on it; a larger share only adds 409s, not coverage.
        """
        mine = {r.key.split("-")[0]: r for r in self.records.values() if client in r.editors}
        own, pair, quad, everyone = (mine.get(kind) for kind in ("own", "pair", "quad", "all"))
        turns = [own, pair, quad, own, pair, quad, pair, everyone]
        return [r for r in turns if r is not None]


@dataclass(frozen=True)
class Save:
    record: str
    version: int  # the version the save produced
    tag: str


@dataclass(frozen=True)
class Refusal:
    record: str
    sent: int  # the version the client sent
    current: int  # the version the 409 named as current
    reread: int  # the version read straight afterwards


@dataclass
class Outcome:
    client: int
    saves: list[Save] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    clients: int
    updates: int
    seconds: float
    saves: int
    conflicts: int
    requests: int
    statuses: dict[int, int]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        lines = [
            f"{self.clients} clients x {self.updates} updates in {self.seconds:.1f} s: "
            f"{self.saves} saves, {self.conflicts} conflicts (409, retried), {self.requests} requests "
            f"({self.requests / max(self.seconds, 1e-9):.0f}/s)",
            "statuses: " + ", ".join(f"{code} x{n}" for code, n in sorted(self.statuses.items())),
        ]
        if self.problems:
            lines.append(f"FAILED: {len(self.problems)} problem(s)")
            lines += [f"  - {p}" for p in self.problems[:50]]
        else:
            lines.append("OK: no lost update, no 5xx, the audit trail holds exactly the successful saves")
        return "\n".join(lines)


# -- set-up (database) -------------------------------------------------------------------


def prepare(*, base_url: str, arrangement: Any, writers: list[Any], clients: int, updates: int) -> Plan:
    """Create the edited records and one read-write API token per client.

    `writers` are members who may contribute; client i acts as writers[i % len(writers)].
    """
    from partnering.accounts.models import TokenScope
    from partnering.accounts.services import token_create
    from partnering.actions.services import action_create
    from partnering.core.policy import access_for
    from partnering.risks.services import risk_create

    access = access_for(user=writers[0], arrangement_slug=arrangement.slug)
    api = f"/api/v1/arrangements/{arrangement.slug}"
    everyone = tuple(range(clients))

    def risk(key: str, editors: tuple[int, ...]) -> Record:
        r = risk_create(
            access=access,
            title=f"Concurrency {key}",
            description=START_DESCRIPTION,
            owning_side="joint",
            likelihood=3,
            impact=3,
        )
        return Record(key, "risk", str(r.uuid), f"{api}/risks/{r.uuid}/", editors)

    records = [risk(f"own-{i}", (i,)) for i in range(clients)]
    records += [risk(f"pair-{k}", everyone[k * 2 : k * 2 + 2]) for k in range((clients + 1) // 2)]
    for g in range((clients + 3) // 4):
        editors = everyone[g * 4 : g * 4 + 4]
        if g % 2:
            action = action_create(access=access, title=f"Concurrency quad-{g}", description=START_DESCRIPTION)
            records.append(Record(f"quad-{g}", "action", str(action.uuid), f"{api}/actions/{action.uuid}/", editors))
        else:
            records.append(risk(f"quad-{g}", editors))
    records.append(risk("all", everyone))

    tokens, emails = [], []
    for i in range(clients):
        user = writers[i % len(writers)]
        _, raw = token_create(user=user, name=f"concurrency client {i}", scope=TokenScope.READ_WRITE)
        tokens.append(raw)
        emails.append(user.email)
    return Plan(base_url, arrangement.slug, {r.key: r for r in records}, tokens, emails, updates)


# -- the clients (HTTP only) -------------------------------------------------------------


def counter(description: str) -> int:
    return int(description.split(" ", 1)[0])


def tag_of(description: str) -> str:
    return description.split(" ", 1)[1]


class _Client:
    def __init__(self, plan: Plan, client: int) -> None:
        parts = urlsplit(plan.base_url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=120)
        self.headers = {
            "Authorization": f"Bearer {plan.tokens[client]}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        self.outcome = Outcome(client)
        self.rng = random.Random(client)  # noqa: S311 - back-off jitter, not a secret

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        raw = response.read()
        self.outcome.statuses[response.status] += 1
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw[:200]
        return response.status, payload


def _edit(client: _Client, record: Record, tag: str) -> None:
    """Read, save with the version read; on 409 read again and retry."""
    out = client.outcome
    status, body = client.call("GET", record.path)
    for attempt in range(MAX_ATTEMPTS):
        if status != 200:
            out.problems.append(f"client {out.client}: GET {record.key} answered {status}: {body}")
            return
        read = body["version"]
        description = f"{counter(body['description']) + 1} {tag}"
        status, body = client.call("PATCH", record.path, {"version": read, "description": description})
        if status == 200:
            if body["version"] != read + 1 or body["description"] != description:
                out.problems.append(
                    f"client {out.client}: save of {record.key} at version {read} answered version "
                    f"{body['version']}, description {body['description']!r} (expected {read + 1}, {description!r})"
                )
            out.saves.append(Save(record.key, body["version"], tag))
            return
        if status != 409:
            out.problems.append(f"client {out.client}: PATCH {record.key} answered {status}: {body}")
            return
        conflict = body if isinstance(body, dict) else {}
        current = conflict.get("current_version")
        changed = {c.get("field") for c in conflict.get("changes", [])}
        # Back off a random while before reading again, as a polite client would, so that
        # clients piling onto one record do not turn the run into a storm of 409s.
        time.sleep(client.rng.uniform(0, BACKOFF_SECONDS * min(attempt + 1, 8)))
        status, body = client.call("GET", record.path)
        reread = body["version"] if status == 200 else -1
        out.refusals.append(Refusal(record.key, read, current if isinstance(current, int) else -1, reread))
        # The 409 must name a version newer than the one sent and no newer than the record now.
        if not isinstance(current, int) or not read < current <= reread:
            out.problems.append(
                f"client {out.client}: 409 on {record.key} sent version {read} and named current_version "
                f"{current!r}, then a read gave {reread}"
            )
        if "description" not in changed:
            out.problems.append(f"client {out.client}: 409 on {record.key} did not list the description as changed")
    out.problems.append(f"client {out.client}: gave up on {record.key} after {MAX_ATTEMPTS} conflicts")


def run_clients(plan: Plan, clients: int) -> list[Outcome]:
    """Start every client at once; each makes `plan.updates` successful edits (or reports why not)."""
    barrier = threading.Barrier(clients)
    outcomes: list[Outcome | None] = [None] * clients

    def work(i: int) -> None:
        client = _Client(plan, i)
        targets = plan.rotation(i)
        try:
            barrier.wait(timeout=60)
            for n in range(plan.updates):
                # Staggered, so that the clients do not all turn to the shared record at once.
                _edit(client, targets[(n + i) % len(targets)], f"c{i:02d}u{n:04d}")
        except Exception as exc:  # a broken connection is a finding, not a crash
            client.outcome.problems.append(f"client {i}: {type(exc).__name__}: {exc}")
        finally:
            client.conn.close()
            outcomes[i] = client.outcome

    threads = [threading.Thread(target=work, args=(i,), name=f"client-{i}") for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [o for o in outcomes if o is not None]


# -- the checks (database) ---------------------------------------------------------------


def verify(plan: Plan, outcomes: list[Outcome]) -> list[str]:
    """Every problem found: lost updates, 5xx, audit rows missing, extra or misattributed."""
    from partnering.actions.models import Action
    from partnering.risks.models import Risk

    problems = [p for o in outcomes for p in o.problems]
    for o in outcomes:
        problems += [f"client {o.client}: {n} answers with status {s}" for s, n in o.statuses.items() if s >= 500]
        if len(o.saves) != plan.updates and not o.problems:
            problems.append(f"client {o.client}: {len(o.saves)} saves instead of {plan.updates}")
    email_of_tag = {f"c{i:02d}": email for i, email in enumerate(plan.emails)}

    for record in plan.records.values():
        model = Risk if record.kind == "risk" else Action
        row = model.objects.get(uuid=record.uuid)
        saves = sorted((s for o in outcomes for s in o.saves if s.record == record.key), key=lambda s: s.version)
        n = len(saves)
        if counter(row.description) != n or row.version != 1 + n:
            problems.append(
                f"{record.key}: LOST UPDATE: {n} successful saves but the record is at version {row.version} "
                f"with counter {counter(row.description)}"
            )
        if [s.version for s in saves] != list(range(2, n + 2)):
            problems.append(f"{record.key}: the saves returned versions {[s.version for s in saves][:20]}...")
        if saves and tag_of(row.description) != saves[-1].tag:
            problems.append(f"{record.key}: the record holds {row.description!r}, not the last save {saves[-1].tag}")
        if len(record.editors) == 1:
            refused = [r for o in outcomes for r in o.refusals if r.record == record.key]
            if refused:
                problems.append(f"{record.key}: {len(refused)} conflicts on a record only one client edits")

        history = list(model.history.filter(id=row.pk, history_type="~").order_by("version", "history_id"))
        audited = [(h.version, tag_of(h.description)) for h in history]
        expected = [(s.version, s.tag) for s in saves]
        if audited != expected:
            missing = sorted((Counter(expected) - Counter(audited)).elements())[:5]
            extra = sorted((Counter(audited) - Counter(expected)).elements())[:5]
            problems.append(
                f"{record.key}: AUDIT MISMATCH: {len(history)} change rows for {n} saves; "
                f"missing {missing}, unexpected {extra}"
            )
        for h in history:
            if counter(h.description) != h.version - 1:
                problems.append(f"{record.key}: the audit row at version {h.version} holds {h.description!r}")
            email = email_of_tag.get(tag_of(h.description)[:3])
            if email is None or f"<{email}>" not in (h.history_actor or ""):
                problems.append(f"{record.key}: version {h.version} is attributed to {h.history_actor!r}, not {email}")
    return problems


def run(plan: Plan, clients: int) -> Report:
    started = time.monotonic()
    outcomes = run_clients(plan, clients)
    seconds = time.monotonic() - started
    from django.db import close_old_connections

    close_old_connections()
    statuses: Counter = Counter()
    for o in outcomes:
        statuses.update(o.statuses)
    return Report(
        clients=clients,
        updates=plan.updates,
        seconds=seconds,
        saves=sum(len(o.saves) for o in outcomes),
        conflicts=sum(len(o.refusals) for o in outcomes),
        requests=sum(statuses.values()),
        statuses=dict(statuses),
        problems=verify(plan, outcomes),
    )


# -- command line ------------------------------------------------------------------------


def _bench_people() -> tuple[Any, list[Any]]:
    """A fresh arrangement with two writers on each side and a facilitator."""
    import secrets

    from django.utils import timezone

    from partnering.accounts.models import Organisation, OrganisationKind, User
    from partnering.arrangements.models import Arrangement, Membership, OpennessProfile, RoleAssignment, new_slug
    from partnering.core.choices import Role, Side

    run = secrets.token_hex(3)
    customer, _ = Organisation.objects.get_or_create(
        name="Concurrency customer", defaults={"kind": OrganisationKind.CUSTOMER}
    )
    provider, _ = Organisation.objects.get_or_create(
        name="Concurrency provider", defaults={"kind": OrganisationKind.PROVIDER}
    )
    title = f"Concurrency run {run}"
    arrangement = Arrangement.objects.create(title=title, slug=new_slug(title), customer=customer, provider=provider)
    OpennessProfile.objects.create(arrangement=arrangement)
    people = [
        ("sro", customer, Side.CUSTOMER, Role.SRO),
        ("rm", customer, Side.CUSTOMER, Role.RELATIONSHIP_MANAGER),
        ("srie", provider, Side.PROVIDER, Role.SRIE),
        ("sdm", provider, Side.PROVIDER, Role.SERVICE_DELIVERY_MANAGER),
    ]
    writers = []
    for name, organisation, side, role in people:
        user = User.objects.create_user(
            email=f"{name}-{run}@concurrency.example", full_name=f"Concurrency {name}", organisation=organisation
        )
        membership = Membership.objects.create(arrangement=arrangement, user=user, side=side)
        RoleAssignment.objects.create(
            arrangement=arrangement, membership=membership, role=role, started_at=timezone.now()
        )
        writers.append(user)
    return arrangement, writers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m partnering.bench.concurrency", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--updates", type=int, default=500, help="successful edits per client")
    parser.add_argument("--url", required=True, help="the server, using the same DATABASE_URL as this script")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnering.settings")
    import django

    django.setup()
    from django.db import connection

    arrangement, writers = _bench_people()
    plan = prepare(
        base_url=args.url.rstrip("/"),
        arrangement=arrangement,
        writers=writers,
        clients=args.clients,
        updates=args.updates,
    )
    connection.close()
    print(f"database: {connection.vendor}; arrangement {arrangement.slug}; server {args.url}", flush=True)
    report = run(plan, args.clients)
    print(report.summary(), flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
