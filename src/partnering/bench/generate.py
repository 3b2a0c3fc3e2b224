"""A large, realistic portfolio generated reproducibly from a seed, for the benchmarks.

Each data family is one generator registered with `@family`, run in registration order. A
family whose app is not installed is skipped, so adding risks or KPIs is one function:

    @family("risks", requires="partnering.risks")
    def gen_risks(plan: Plan) -> int:
        from partnering.risks.models import Risk

        with Buffer(Risk) as out:
            for i, n in enumerate(allocate(plan.rng, plan.scale.risks, plan.weights)):
                arrangement = plan.arrangements[i]
                for _ in range(n):
                    out.add(Risk(arrangement=arrangement, uuid=plan.uuid(), ...))
        return out.count

Speed: rows go straight to the tables in batches of 5,000 (`insert`, a leaner bulk_create: no
services, no `full_clean`, no signals, so no audit history rows either). Determinism:
every random choice comes from one `random.Random(seed)`, UUIDs and slugs included, and every
date is relative to an anchor date (today unless given), so the same seed and anchor give the
same rows. Timestamps are written explicitly (`insert` does not apply `auto_now`) so that
"newest first" lists see a realistic spread, not one instant.

Distributions: arrangement sizes are log-normal (a few large arrangements, many small ones);
the largest is the "focus" arrangement the benchmark user leads as SRO, so the benchmarked
pages show a busy arrangement rather than an average one.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connections, models, router, transaction
from django.utils.text import slugify

from partnering.accounts.models import Organisation, OrganisationKind, User
from partnering.actions.models import Action, ActionStatus
from partnering.arrangements.models import Arrangement, Membership, OpennessProfile, RoleAssignment
from partnering.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Participation,
    QuestionBank,
    Respondent,
)
from partnering.core.choices import ROLE_SIDES, OpenBook, Role, Side, Stage, Visibility

BATCH = 5_000
BENCH_EMAIL = "bench.user@bench.example"
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 - benchmark data only


@dataclass(frozen=True)
class Scale:
    name: str
    arrangements: int
    users: int
    organisations: int
    assessments: int
    answers: int
    actions: int
    risks: int
    kpi_measurements: int
    bench_arrangements: int  # how many arrangements the benchmark user is a member of


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("tiny", 3, 40, 6, 12, 250, 60, 300, 60, 2),
        Scale("small", 50, 500, 20, 1_000, 25_000, 5_000, 10_000, 2_500, 8),
        Scale("department", 1_000, 10_000, 170, 20_000, 500_000, 100_000, 200_000, 50_000, 20),
    )
}


# -- the plan every generator reads and extends ------------------------------------------


@dataclass
class Member:
    membership_id: int
    user_id: int
    side: str
    active: bool


@dataclass
class Plan:
    rng: random.Random
    scale: Scale
    anchor: date
    orgs: dict[str, list[Organisation]] = field(default_factory=dict)
    users_by_org: dict[int, list[int]] = field(default_factory=dict)
    user_names: dict[int, str] = field(default_factory=dict)
    bench_user_id: int = 0
    arrangements: list[Arrangement] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)  # relative size of each arrangement
    members: dict[int, list[Member]] = field(default_factory=dict)  # by arrangement id
    # (assessment id, title, question ids) of revealed assessments, by arrangement id
    revealed: dict[int, list[tuple[int, str, tuple[str, ...]]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return datetime.combine(self.anchor, dtime(12, 0), tzinfo=UTC)

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def moment(self, days_back: float, days_forward: float = 0) -> datetime:
        """A time between `days_back` days before the anchor and `days_forward` after it."""
        seconds = self.rng.uniform(-days_back, days_forward) * 86_400
        return self.now + timedelta(seconds=round(seconds))

    def day(self, days_back: int, days_forward: int = 0) -> date:
        return self.anchor + timedelta(days=self.rng.randint(-days_back, days_forward))

    def active_members(self, arrangement_id: int, side: str | None = None) -> list[Member]:
        return [m for m in self.members.get(arrangement_id, []) if m.active and (side is None or m.side == side)]


# -- the registry -----------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    name: str
    func: Callable[[Plan], int]
    requires: str | None = None

    @property
    def available(self) -> bool:
        return self.requires is None or apps.is_installed(self.requires)


FAMILIES: list[Family] = []


def family(name: str, *, requires: str | None = None) -> Callable[[Callable[[Plan], int]], Callable[[Plan], int]]:
    """Register a generator; it returns how many rows it wrote (its main table)."""

    def register(func: Callable[[Plan], int]) -> Callable[[Plan], int]:
        FAMILIES.append(Family(name, func, requires))
        return func

    return register


# -- helpers ----------------------------------------------------------------------------


_next_pk: dict[type[models.Model], int] = {}


def insert(model: type[models.Model], objs: list[Any]) -> None:
    """Insert model instances in one prepared INSERT per batch (`executemany`), ids included.

    Like bulk_create, but faster where it counts: Django's bulk_create compiles SQL for every
    row and, on SQLite, splits a batch into statements of at most 999 parameters (about 70
    answers each); a single prepared statement with explicit ids is several times quicker on
    both databases. Ids are given here, counting up from the table's highest, so the rows are
    usable as foreign keys at once; PostgreSQL's sequences are moved on afterwards.
    """
    if not objs:
        return
    conn = connections[router.db_for_write(model)]
    meta = model._meta
    if model not in _next_pk:
        top = model._default_manager.aggregate(top=models.Max(meta.pk.attname))["top"] or 0
        _next_pk[model] = top + 1
    for obj in objs:
        if obj.pk is None:
            obj.pk = _next_pk[model]
            _next_pk[model] += 1
    fields = meta.concrete_fields
    prep = [_preparer(f, conn) for f in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values as params
        conn.ops.quote_name(meta.db_table),
        ", ".join(conn.ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [tuple(p(getattr(obj, f.attname)) for f, p in zip(fields, prep, strict=True)) for obj in objs]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # COPY: psycopg's executemany still waits for each row; COPY streams them.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                conn.ops.quote_name(meta.db_table), ", ".join(conn.ops.quote_name(f.column) for f in fields)
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])
    for obj in objs:
        obj._state.adding, obj._state.db = False, conn.alias


def _preparer(f: models.Field, conn: Any) -> Callable[[Any], Any]:
    """The cheapest correct conversion of one field's Python value for this database."""
    if isinstance(f, models.DateTimeField):
        return lambda v: conn.ops.adapt_datetimefield_value(v)
    if isinstance(f, models.DateField):
        return lambda v: conn.ops.adapt_datefield_value(v)
    if isinstance(f, models.UUIDField) and conn.vendor == "sqlite":
        return lambda v: v.hex if v is not None else None
    if isinstance(
        f,
        models.UUIDField
        | models.CharField
        | models.TextField
        | models.IntegerField
        | models.BooleanField
        | models.ForeignKey,
    ):
        return lambda v: v
    return lambda v: f.get_db_prep_save(v, conn)


def reset_sequences() -> None:
    """After explicit ids, let PostgreSQL's sequences carry on from the highest id."""
    conn = connections["default"]
    sql = conn.ops.sequence_reset_sql(no_style(), list(_next_pk))
    if sql:
        with conn.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
    _next_pk.clear()


class Buffer:
    """Collects rows and inserts them every BATCH rows."""

    def __init__(self, model: type[models.Model], batch: int = BATCH) -> None:
        self.model, self.batch, self.rows, self.count = model, batch, [], 0
        self.created: list[Any] = []
        self.keep = False

    def add(self, obj: models.Model) -> None:
        self.rows.append(obj)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            insert(self.model, self.rows)
            self.count += len(self.rows)
            if self.keep:
                self.created.extend(self.rows)
            self.rows = []

    def __enter__(self) -> Buffer:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.flush()


def allocate(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split `total` items over len(weights) buckets in proportion to the weights (exact sum)."""
    if not weights or total <= 0:
        return [0] * len(weights)
    picks = Counter(rng.choices(range(len(weights)), weights=weights, k=total))
    return [picks.get(i, 0) for i in range(len(weights))]


def _stamps(plan: Plan, created: datetime) -> dict[str, Any]:
    return {"uuid": plan.uuid(), "created_at": created, "updated_at": created}


# -- vocabulary for realistic names ------------------------------------------------------

FIRST = [
    "Alex",
    "Amara",
    "Ben",
    "Chloe",
    "Daniel",
    "Deepa",
    "Ella",
    "Farah",
    "George",
    "Grace",
    "Hannah",
    "Imran",
    "Isla",
    "James",
    "Jia",
    "Kate",
    "Liam",
    "Maya",
    "Nadia",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Ravi",
    "Ruth",
    "Sam",
    "Sophie",
    "Tom",
    "Uma",
    "Will",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Adams",
    "Ahmed",
    "Baker",
    "Brown",
    "Campbell",
    "Chen",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kaur",
    "Khan",
    "Lewis",
    "Martin",
    "Morgan",
    "Nguyen",
    "Okafor",
    "Patel",
    "Price",
    "Reilly",
    "Roberts",
    "Shah",
    "Smith",
    "Taylor",
    "Turner",
    "Walker",
    "Watson",
    "Wright",
]
PLACES = [
    "Northshire",
    "Eastbridge",
    "Westmoor",
    "Southvale",
    "Ashford",
    "Brackley",
    "Carrow",
    "Denholm",
    "Elmsworth",
    "Fairhaven",
    "Glenmouth",
    "Harrowgate",
    "Ivybridge",
    "Kingsmere",
    "Longford",
    "Marlow",
    "Newbury",
    "Oakham",
    "Penrith",
    "Queensferry",
    "Redcliffe",
    "Stanmore",
    "Thornbury",
    "Upton",
    "Wexley",
]
CUSTOMER_KINDS = (
    "County Council",
    "Borough Council",
    "NHS Trust",
    "Police",
    "Fire and Rescue",
    "Department for Transport Agency",
    "Revenue Office",
    "Benefits Agency",
)
PROVIDER_WORDS = [
    "Bright",
    "Blue",
    "Core",
    "Delta",
    "Ever",
    "Fusion",
    "Granite",
    "Harbour",
    "Iron",
    "Jade",
    "Keystone",
    "Lumen",
    "Meridian",
    "North",
    "Orbit",
    "Pioneer",
    "Quartz",
    "River",
    "Summit",
    "Tidal",
    "Vertex",
    "Willow",
]
PROVIDER_SUFFIX = ("Digital", "Systems", "Technology", "Services", "Consulting", "Solutions", "IT")
SERVICES = (
    "Digital services",
    "Managed desktop",
    "Hosting and cloud",
    "Benefits system",
    "Revenues platform",
    "Case management",
    "Network services",
    "Service desk",
    "Data centre exit",
    "Payroll and HR",
    "Electronic records",
    "Contact centre",
)
ACTION_TITLES = (
    "Agree the revised escalation route",
    "Share the monthly service report earlier",
    "Review the open-book figures with finance",
    "Run a joint lessons-learned session",
    "Update the exit plan",
    "Confirm the board's terms of reference",
    "Publish the change schedule",
    "Agree KPI definitions for next year",
    "Plan the annual health check",
    "Close the gap on information sharing",
    "Brief the new service delivery manager",
    "Test the disaster recovery plan",
)
COMMENTS = (
    "Seen in last quarter's service reviews.",
    "Raised at the last board.",
    "Better than last year.",
    "Still waiting on the provider's report.",
    "",
)


def _weights(rng: random.Random, n: int, sigma: float) -> list[float]:
    """Log-normal sizes with the largest first: item 0 is always the biggest."""
    w = [rng.lognormvariate(0, sigma) for _ in range(n)]
    biggest = max(range(n), key=w.__getitem__) if n else 0
    if n:
        w[0], w[biggest] = w[biggest], w[0]
    return w


# -- the families -----------------------------------------------------------------------


@family("organisations")
def gen_organisations(plan: Plan) -> int:
    rng, n = plan.rng, max(3, plan.scale.organisations)
    n_customers = max(1, round(n * 0.6))
    n_neutral = max(1, round(n * 0.05))
    n_providers = max(1, n - n_customers - n_neutral)
    rows: list[Organisation] = []
    seen: set[str] = set()

    def unique(name: str) -> str:
        base, i = name, 2
        while name in seen:
            name, i = f"{base} {i}", i + 1
        seen.add(name)
        return name

    def org(name: str, kind: str) -> Organisation:
        name = unique(name)
        return Organisation(name=name, slug=slugify(name), kind=kind, **_stamps(plan, plan.moment(1500, -400)))

    for _ in range(n_customers):
        rows.append(org(f"{rng.choice(PLACES)} {rng.choice(CUSTOMER_KINDS)}", OrganisationKind.CUSTOMER))
    for _ in range(n_providers):
        rows.append(
            org(
                f"{rng.choice(PROVIDER_WORDS)}{rng.choice(PROVIDER_WORDS).lower()} {rng.choice(PROVIDER_SUFFIX)}",
                OrganisationKind.PROVIDER,
            )
        )
    for _ in range(n_neutral):
        rows.append(org(f"{rng.choice(PLACES)} Partnering Facilitation", OrganisationKind.NEUTRAL))
    insert(Organisation, rows)
    for o in rows:
        plan.orgs.setdefault(o.kind, []).append(o)
    return len(rows)


@family("users")
def gen_users(plan: Plan) -> int:
    rng = plan.rng
    orgs = [
        o
        for kind in (OrganisationKind.CUSTOMER, OrganisationKind.PROVIDER, OrganisationKind.NEUTRAL)
        for o in plan.orgs[kind]
    ]
    # One hash for everyone: hashing 10,000 passwords with Argon2 would take minutes.
    password = make_password(BENCH_PASSWORD)
    total = max(plan.scale.users, 3 * len(orgs))
    per_org = [3 + extra for extra in allocate(rng, total - 3 * len(orgs), _weights(rng, len(orgs), 0.9))]
    rows: list[User] = []
    bench_org = plan.orgs[OrganisationKind.CUSTOMER][0]
    rows.append(
        User(
            email=BENCH_EMAIL,
            full_name="Bench User",
            job_title="Commercial director",
            organisation=bench_org,
            password=password,
            is_portfolio_manager=True,
            date_joined=plan.moment(1200, -600),
        )
    )
    for o, n in zip(orgs, per_org, strict=True):
        domain = f"{o.slug[:40]}.example"
        for _ in range(n):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            rows.append(
                User(
                    email=f"{first}.{last}.{len(rows)}@{domain}".lower(),
                    full_name=f"{first} {last}",
                    job_title=rng.choice(("Manager", "Analyst", "Director", "Lead", "Officer", "")),
                    organisation=o,
                    password=password,
                    is_portfolio_manager=rng.random() < 0.01,
                    date_joined=plan.moment(1200, -30),
                    last_login=plan.moment(60) if rng.random() < 0.7 else None,
                )
            )
        if len(rows) >= total:
            break
    rows = rows[:total]
    insert(User, rows)
    for u in rows:
        plan.users_by_org.setdefault(u.organisation_id, []).append(u.pk)
        plan.user_names[u.pk] = u.full_name
    plan.bench_user_id = rows[0].pk
    return len(rows)


_STAGE_WEIGHTS = {
    Stage.STRATEGIC_ASSESSMENT: 4,
    Stage.BUSINESS_JUSTIFICATION: 4,
    Stage.PROCUREMENT_STRATEGY: 5,
    Stage.INVESTMENT_DECISION: 5,
    Stage.CONTRACT_LET: 12,
    Stage.IN_SERVICE: 60,
    Stage.EXIT: 10,
}
_OTHER_ROLES = {
    Side.CUSTOMER: (
        [
            Role.RELATIONSHIP_MANAGER,
            Role.CONTRACT_MANAGER,
            Role.SERVICE_DELIVERY_MANAGER,
            Role.BOARD_MEMBER,
            Role.OBSERVER,
        ],
        [3, 3, 2, 3, 2],
    ),
    Side.PROVIDER: (
        [
            Role.RELATIONSHIP_MANAGER,
            Role.CONTRACT_MANAGER,
            Role.SERVICE_DELIVERY_MANAGER,
            Role.BOARD_MEMBER,
            Role.OBSERVER,
        ],
        [3, 2, 4, 2, 1],
    ),
    Side.NEUTRAL: ([Role.FACILITATOR], [1]),
}


@family("arrangements")
def gen_arrangements(plan: Plan) -> int:
    """Arrangements with their openness profile, members and roles."""
    rng, n = plan.rng, plan.scale.arrangements
    customers, providers = plan.orgs[OrganisationKind.CUSTOMER], plan.orgs[OrganisationKind.PROVIDER]
    neutrals = plan.orgs[OrganisationKind.NEUTRAL]
    cust_w = [len(plan.users_by_org.get(o.pk, ())) for o in customers]
    plan.weights = _weights(rng, n, 0.8)
    slugs: set[str] = set()
    stages, stage_w = list(_STAGE_WEIGHTS), list(_STAGE_WEIGHTS.values())
    arrangements: list[Arrangement] = []
    picked: list[dict[str, list[int]]] = []
    bench_org = customers[0]
    for i in range(n):
        # The benchmark user's department convenes the first few arrangements.
        customer = bench_org if i < plan.scale.bench_arrangements else rng.choices(customers, cust_w)[0]
        provider = rng.choice(providers)
        title = f"{rng.choice(SERVICES)} ({customer.name.split(' ')[0]}, {i + 1})"
        slug = ""
        while not slug or slug in slugs:
            slug = f"{slugify(title)[:48].strip('-')}-{rng.getrandbits(24):06x}"
        slugs.add(slug)
        size = max(4, round(rng.lognormvariate(2.3, 0.5) * math.sqrt(plan.weights[i])))
        sides = {
            Side.CUSTOMER: _sample(
                rng, plan.users_by_org.get(customer.pk, []), max(2, size // 2), exclude={plan.bench_user_id}
            ),
            Side.PROVIDER: _sample(rng, plan.users_by_org.get(provider.pk, []), max(2, size - size // 2)),
            Side.NEUTRAL: _sample(rng, plan.users_by_org.get(rng.choice(neutrals).pk, []), 1)
            if rng.random() < 0.3
            else [],
        }
        if i < plan.scale.bench_arrangements:
            sides[Side.CUSTOMER].insert(0 if i == 0 else 1, plan.bench_user_id)
        start = plan.day(2500, 200)
        created = plan.moment((plan.anchor - start).days + 200, 0)
        stage = rng.choices(stages, stage_w)[0]
        arrangements.append(
            Arrangement(
                slug=slug,
                title=title,
                description=f"The {title.split(' (')[0].lower()} arrangement.",
                customer=customer,
                provider=provider,
                stage=stage,
                contract_start=start if stage in (Stage.CONTRACT_LET, Stage.IN_SERVICE, Stage.EXIT) else None,
                contract_end=start + timedelta(days=rng.choice((3, 5, 7, 10)) * 365)
                if stage in (Stage.CONTRACT_LET, Stage.IN_SERVICE, Stage.EXIT)
                else None,
                created_by_id=sides[Side.CUSTOMER][0] if sides[Side.CUSTOMER] else None,
                version=rng.randint(1, 6),
                **_stamps(plan, created),
            )
        )
        picked.append(sides)
    insert(Arrangement, arrangements)
    plan.arrangements = arrangements

    insert(
        OpennessProfile,
        [
            OpennessProfile(
                arrangement=a,
                joint_project_board=rng.random() < 0.8,
                single_risk_register=rng.random() < 0.7,
                problems_visible=rng.random() < 0.85,
                open_book=rng.choices([OpenBook.BOTH, OpenBook.PROVIDER_ONLY, OpenBook.NONE], [6, 3, 1])[0],
                single_project_budget=rng.random() < 0.3,
                staff_360_reporting=rng.random() < 0.25,
                facilitator_sees_blind_answers=rng.random() < 0.1,
                **_stamps(plan, a.created_at),
            )
            for a in arrangements
        ],
    )

    memberships: list[Membership] = []
    for a, sides in zip(arrangements, picked, strict=True):
        for side, user_ids in sides.items():
            for k, uid in enumerate(user_ids):
                leader = k == 0 and side != Side.NEUTRAL
                active = leader or uid == plan.bench_user_id or rng.random() > 0.04
                memberships.append(
                    Membership(
                        arrangement=a,
                        user_id=uid,
                        side=side,
                        is_active=active,
                        left_at=None if active else plan.moment(300),
                        **_stamps(plan, plan.moment((plan.anchor - a.created_at.date()).days, 0)),
                    )
                )
    insert(Membership, memberships)

    with Buffer(RoleAssignment) as roles:
        first_seen: set[tuple[int, str]] = set()
        for m in memberships:
            plan.members.setdefault(m.arrangement_id, []).append(Member(m.pk, m.user_id, m.side, m.is_active))
            key = (m.arrangement_id, m.side)
            if m.side != Side.NEUTRAL and key not in first_seen:
                first_seen.add(key)
                role = Role.SRO if m.side == Side.CUSTOMER else Role.SRIE
            else:
                options, w = _OTHER_ROLES[m.side]
                role = rng.choices(options, w)[0]
            assert m.side in ROLE_SIDES[role]
            started = m.created_at
            if rng.random() < 0.15 and role not in (Role.SRO, Role.SRIE):
                # Continuity: an earlier role this person held, now ended.
                ended = min(started + timedelta(days=rng.randint(30, 400)), plan.now - timedelta(days=1))
                roles.add(
                    RoleAssignment(
                        arrangement_id=m.arrangement_id,
                        membership_id=m.pk,
                        role=Role.OBSERVER,
                        started_at=started,
                        ended_at=ended,
                        **_stamps(plan, started),
                    )
                )
                if role == Role.OBSERVER:
                    role = Role.BOARD_MEMBER if m.side != Side.NEUTRAL else Role.FACILITATOR
                started = ended
            roles.add(
                RoleAssignment(
                    arrangement_id=m.arrangement_id,
                    membership_id=m.pk,
                    role=role,
                    started_at=started,
                    ended_at=None if m.is_active else max(started, m.left_at),
                    **_stamps(plan, started),
                )
            )
    plan.counts["memberships"] = len(memberships)
    plan.counts["role assignments"] = roles.count
    return len(arrangements)


def _sample(rng: random.Random, pool: list[int], k: int, exclude: set[int] | None = None) -> list[int]:
    pool = [p for p in pool if not exclude or p not in exclude]
    return rng.sample(pool, min(k, len(pool)))


_BANK_PREFERENCE = {"annex-b": 4, "annual-health-check": 4, "annex-a": 1, "first-year": 1}


@family("assessments")
def gen_assessments(plan: Plan) -> int:
    """Assessments with respondents and answers: mostly revealed, some still collecting."""
    rng, scale = plan.rng, plan.scale
    banks = list(QuestionBank.objects.filter(is_current=True, organisation__isnull=True).order_by("key"))
    if not banks:
        from partnering.assessments.services import banks_sync_builtin

        banks = sorted(banks_sync_builtin(), key=lambda b: b.key)
    specs = {b.pk: b.bank for b in banks}
    by_stage: dict[str, list[QuestionBank]] = {}
    for b in banks:
        for stage in specs[b.pk].stages:
            by_stage.setdefault(stage, []).append(b)
    annex_b = next(b for b in banks if b.key == "annex-b")
    per_arrangement = allocate(rng, scale.assessments, [math.sqrt(w) for w in plan.weights])

    assessments: list[Assessment] = []
    for i, (a, n) in enumerate(zip(plan.arrangements, per_arrangement, strict=True)):
        eligible = by_stage.get(a.stage) or banks
        for k in range(n):
            # The focus arrangement's newest assessment is a revealed Annex B: the results page.
            focus = i == 0 and k == 0
            bank = annex_b if focus else rng.choices(eligible, [_BANK_PREFERENCE.get(b.key, 1) for b in eligible])[0]
            created = plan.now - timedelta(days=5) if focus else plan.moment(1100, -10)
            status = (
                AssessmentStatus.REVEALED
                if focus
                else rng.choices(
                    [AssessmentStatus.REVEALED, AssessmentStatus.CLOSED, AssessmentStatus.COLLECTING], [70, 12, 18]
                )[0]
            )
            participation = Participation.BOTH
            if bank.key.startswith("partner-suitability") or bank.key.startswith("gate-"):
                participation = Participation.CUSTOMER if "srie" not in bank.key else Participation.PROVIDER
            revealed = created + timedelta(days=rng.randint(14, 45)) if status != AssessmentStatus.COLLECTING else None
            cust_sub = revealed if revealed else (created + timedelta(days=7) if rng.random() < 0.3 else None)
            prov_sub = revealed if revealed else None
            assessments.append(
                Assessment(
                    arrangement=a,
                    bank=bank,
                    title=f"{specs[bank.pk].title[:200]} — {created:%B %Y}",
                    participation=participation,
                    asks_other_view="other" in specs[bank.pk].perspectives,
                    status=status,
                    due_date=(created + timedelta(days=30)).date(),
                    created_by_id=a.created_by_id,
                    customer_submitted_at=cust_sub,
                    provider_submitted_at=prov_sub,
                    revealed_at=revealed,
                    **_stamps(plan, created),
                )
            )
    insert(Assessment, assessments)

    # Respondents: up to five people per answering side, from the arrangement's members.
    respondents: dict[int, list[Respondent]] = {}
    with Buffer(Respondent) as out:
        out.keep = True
        for a in assessments:
            for side in a.sides:
                people = plan.active_members(a.arrangement_id, side)
                for m in rng.sample(people, min(len(people), rng.randint(1, 5))):
                    submitted = a.revealed_at or (a.created_at + timedelta(days=3) if rng.random() < 0.5 else None)
                    r = Respondent(
                        assessment=a,
                        user_id=m.user_id,
                        name=plan.user_names[m.user_id],
                        side=side,
                        submitted_at=submitted,
                        **_stamps(plan, a.created_at),
                    )
                    out.add(r)
                    respondents.setdefault(id(a), []).append(r)
    plan.counts["respondents"] = out.count

    # Answers: each side's agreed answers first, then individual answers up to the scale's total.
    agreed_total = 0
    capacity: list[int] = []
    for a in assessments:
        spec = specs[a.bank_id]
        per_side = len(spec.questions) * len(spec.perspectives)
        agreed_total += per_side * sum(1 for s in a.sides if a.submitted_at(s))
        capacity.append(per_side * len(respondents.get(id(a), ())))
    individual = allocate(rng, max(0, scale.answers - agreed_total), [float(c) for c in capacity])
    with Buffer(Answer) as out:
        for a, n_individual, cap in zip(assessments, individual, capacity, strict=True):
            spec = specs[a.bank_id]
            values = list(spec.scale.values)
            mood = {s: rng.randrange(len(values)) for s in a.sides}

            def value(side: str, values: list[str] = values, mood: dict[str, int] = mood) -> str:
                return values[max(0, min(len(values) - 1, mood[side] + rng.choice((-1, 0, 0, 0, 1))))]

            for side in a.sides:
                if a.submitted_at(side):
                    for q in spec.questions:
                        for p in spec.perspectives:
                            out.add(
                                Answer(
                                    assessment=a,
                                    side=side,
                                    question_id=q.id,
                                    perspective=p,
                                    value=value(side),
                                    comment=_comment(rng),
                                    **_stamps(plan, a.revealed_at or a.created_at),
                                )
                            )
            n_individual = min(n_individual, cap)
            for r in respondents.get(id(a), ()):
                for q in spec.questions:
                    for p in spec.perspectives:
                        if n_individual <= 0:
                            break
                        n_individual -= 1
                        out.add(
                            Answer(
                                assessment=a,
                                respondent=r,
                                side=r.side,
                                question_id=q.id,
                                perspective=p,
                                value=value(r.side),
                                comment=_comment(rng),
                                **_stamps(plan, a.created_at + timedelta(days=2)),
                            )
                        )
    plan.counts["answers"] = out.count
    for a in assessments:
        if a.revealed_at:
            plan.revealed.setdefault(a.arrangement_id, []).append((a.pk, a.title, specs[a.bank_id].question_ids))
    return len(assessments)


def _comment(rng: random.Random) -> str:
    return rng.choice(COMMENTS) if rng.random() < 0.15 else ""


@family("actions")
def gen_actions(plan: Plan) -> int:
    """Actions: a third open, many done; some prompted by an assessment question."""
    rng = plan.rng
    assessment_type = ContentType.objects.get_for_model(Assessment)
    statuses = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED]
    visibilities = [Visibility.SHARED, Visibility.CUSTOMER_ONLY, Visibility.PROVIDER_ONLY]
    per_arrangement = allocate(rng, plan.scale.actions, plan.weights)
    with Buffer(Action) as out:
        for i, (a, n) in enumerate(zip(plan.arrangements, per_arrangement, strict=True)):
            people = plan.active_members(a.pk)
            bench_member = any(m.user_id == plan.bench_user_id for m in people)
            revealed = plan.revealed.get(a.pk, [])
            for _ in range(n):
                status = rng.choices(statuses, [34, 14, 46, 6])[0]
                due = plan.day(400, 120)
                created = datetime.combine(due - timedelta(days=rng.randint(14, 120)), dtime(10), tzinfo=UTC)
                owner = rng.choice(people).user_id if people and rng.random() > 0.04 else None
                if bench_member and rng.random() < (0.06 if i == 0 else 0.03):
                    owner = plan.bench_user_id
                source: dict[str, Any] = {}
                if revealed and rng.random() < 0.2:
                    pk, title, qids = rng.choice(revealed)
                    label = rng.choice(("needs attention", "perception gap"))
                    source = {
                        "source_type": assessment_type,
                        "source_id": pk,
                        "source_detail": f"{title}, question {rng.choice(qids)} ({label})"[:200],
                    }
                out.add(
                    Action(
                        arrangement=a,
                        title=rng.choice(ACTION_TITLES),
                        owner_id=owner,
                        due_date=due,
                        status=status,
                        description="" if rng.random() < 0.6 else "Agreed at the partnering board.",
                        visibility=rng.choices(visibilities, [85, 8, 7])[0],
                        created_by_id=a.created_by_id,
                        completed_at=created + timedelta(days=rng.randint(1, 60))
                        if status == ActionStatus.DONE
                        else None,
                        version=rng.randint(1, 3),
                        **source,
                        **_stamps(plan, created),
                    )
                )
    return out.count


RISK_TITLES = (
    "Key staff leave during transition",
    "Service credits disputed",
    "Data migration slips",
    "Supplier insolvency in the supply chain",
    "Security patching falls behind",
    "Budget cut mid-year",
    "Legacy system fails before replacement",
    "Change requests backlog grows",
    "Exit plan out of date",
    "User adoption lower than planned",
    "Licence costs rise at renewal",
    "Board decisions delayed",
)


@family("risks", requires="partnering.risks")
def gen_risks(plan: Plan) -> int:
    """Risk registers: mostly open, scores bunched in the middle of the matrix, a few red."""
    from partnering.core.references import format_reference
    from partnering.risks.models import Category, OwningSide, Proximity, Response, Risk, RiskStatus
    from partnering.risks.scoring import rating_for

    rng = plan.rng
    sides = [OwningSide.CUSTOMER, OwningSide.PROVIDER, OwningSide.JOINT]
    visibilities = [Visibility.SHARED, Visibility.CUSTOMER_ONLY, Visibility.PROVIDER_ONLY]
    per_arrangement = allocate(rng, plan.scale.risks, plan.weights)
    with Buffer(Risk) as out:
        for a, n in zip(plan.arrangements, per_arrangement, strict=True):
            people = {s: plan.active_members(a.pk, s) for s in (Side.CUSTOMER, Side.PROVIDER)}
            numbers = dict.fromkeys(visibilities, 0)  # one sequence per visibility (core.references)
            for _ in range(n):
                likelihood = rng.choices((1, 2, 3, 4, 5), (10, 25, 35, 20, 10))[0]
                impact = rng.choices((1, 2, 3, 4, 5), (8, 22, 35, 25, 10))[0]
                side = rng.choices(sides, (40, 40, 20))[0]
                pool = people.get(side) or people[Side.CUSTOMER] + people[Side.PROVIDER]
                visibility = rng.choices(visibilities, (85, 8, 7))[0]
                numbers[visibility] += 1
                number = numbers[visibility]
                created = plan.moment(900, 0)
                out.add(
                    Risk(
                        arrangement=a,
                        reference=format_reference("R", visibility, number),
                        number=number,
                        title=rng.choice(RISK_TITLES),
                        description="" if rng.random() < 0.5 else "Raised at the joint risk workshop.",
                        category=rng.choice(Category.values),
                        owning_side=side,
                        owner_id=rng.choice(pool).user_id if pool and rng.random() > 0.05 else None,
                        likelihood=likelihood,
                        impact=impact,
                        score=likelihood * impact,
                        rating=rating_for(likelihood * impact),
                        proximity=rng.choice(["", *Proximity.values]),
                        response=rng.choice(["", *Response.values]),
                        status=RiskStatus.OPEN if rng.random() < 0.7 else RiskStatus.CLOSED,
                        next_review_date=plan.day(90, 120),
                        visibility=visibility,
                        created_by_id=a.created_by_id,
                        shared_at=None if visibility == Visibility.SHARED or rng.random() < 0.8 else created,
                        version=rng.randint(1, 4),
                        **_stamps(plan, created),
                    )
                )
    return out.count


# -- the entry point --------------------------------------------------------------------


def generate(*, scale: Scale, seed: int, anchor: date, log: Callable[[str], None] = lambda s: None) -> Plan:
    """Run every available family in order, each in its own transaction; return the plan."""
    plan = Plan(rng=random.Random(seed), scale=scale, anchor=anchor)  # noqa: S311 - not security
    _next_pk.clear()
    for fam in FAMILIES:
        if not fam.available:
            log(f"  {fam.name:<16} skipped ({fam.requires} is not installed)")
            continue
        started = time.monotonic()
        with transaction.atomic():
            plan.counts[fam.name] = fam.func(plan)
        log(f"  {fam.name:<16} {plan.counts[fam.name]:>9,} rows  {time.monotonic() - started:6.1f} s")
    reset_sequences()
    return plan


# -- KPIs (partnering.kpis) -------------------------------------------------------------

KPI_NAMES = (
    ("Calls answered within 60 seconds", "%", "higher", 75, 90),
    ("Service desk first-time fix", "%", "higher", 65, 80),
    ("Days to resolve a priority 2 incident", "days", "lower", 5, 2),
    ("Service availability", "%", "higher", 99.0, 99.9),
    ("Priority 1 incidents", "incidents", "lower", 6, 2),
    ("Resident satisfaction", "%", "higher", 60, 80),
    ("Change requests decided within 10 days", "%", "higher", 50, 85),
    ("Cost per transaction", "£", "lower", 6, 4),
    ("Board actions closed on time", "%", "higher", 60, 85),
    ("Reports delivered on time", "%", "higher", 70, 95),
)


@family("kpis", requires="partnering.kpis")
def gen_kpis(plan: Plan) -> int:
    """KPIs with agreed baselines and targets (a few baselines still pending) and monthly measurements.

    Measurements are spread over the arrangements by size; each arrangement gets about one KPI per
    12 measurements (at most one per name), so a busy arrangement has a long history per KPI.
    """
    from decimal import Decimal

    from partnering.kpis.models import BaselineProposal, Kpi, Measurement, TargetProposal
    from partnering.kpis.periods import previous_periods

    rng = plan.rng
    per_arrangement = allocate(rng, plan.scale.kpi_measurements, plan.weights)
    kpis: list[tuple[Kpi, int, float, float]] = []
    with Buffer(Kpi) as out:
        out.keep = True
        for a, n in zip(plan.arrangements, per_arrangement, strict=True):
            if not n:
                continue
            count = min(len(KPI_NAMES), max(1, n // 12))
            share = [n // count + (1 if i < n % count else 0) for i in range(count)]
            for (name, unit, direction, baseline, target), m in zip(KPI_NAMES, share, strict=False):
                kpi = Kpi(
                    arrangement=a,
                    name=name,
                    kind="relationship" if name.startswith("Board") else "service",
                    unit=unit,
                    direction=direction,
                    frequency="monthly",
                    data_source="Monthly service report",
                    source="measured",
                    created_by_id=a.created_by_id,
                    version=1,
                    **_stamps(plan, plan.moment(900, -30)),
                )
                out.add(kpi)
                kpis.append((kpi, m, baseline, target))
    sides = (Side.CUSTOMER, Side.PROVIDER)
    with Buffer(BaselineProposal) as baselines, Buffer(TargetProposal) as targets:
        for kpi, _m, baseline, target in kpis:
            people = {s: plan.active_members(kpi.arrangement_id, s) for s in sides}
            by = rng.choice(sides)
            other = Side.PROVIDER if by == Side.CUSTOMER else Side.CUSTOMER

            def person(side: str, people: dict[str, list[Member]] = people) -> int | None:
                return rng.choice(people[side]).user_id if people[side] else None

            pending = rng.random() < 0.15
            when = plan.moment(600, -30)
            for out, value, extra in (
                (baselines, baseline, {"uncertainty": "Estimated from the old contract's reports."}),
                (targets, target, {}),
            ):
                agreed = not (pending and out is baselines)
                out.add(
                    out.model(
                        kpi=kpi,
                        value=Decimal(str(value)),
                        proposed_by_id=person(by),
                        proposed_side=by,
                        agreed_by_id=person(other) if agreed else None,
                        agreed_side=other if agreed else "",
                        agreed_at=when if agreed else None,
                        **extra,
                        **_stamps(plan, when),
                    )
                )
    with Buffer(Measurement) as out:
        for kpi, m, baseline, target in kpis:
            periods = previous_periods("monthly", plan.anchor, m)
            low, high = sorted((baseline, target))
            spread = (high - low) or 1
            for period in periods:
                value = rng.uniform(low - spread * 0.3, high + spread * 0.2)
                created = datetime.combine(period, dtime(9, 0), tzinfo=UTC) + timedelta(days=32)
                out.add(
                    Measurement(
                        kpi=kpi,
                        period=period,
                        value=Decimal(str(round(value, 2))),
                        entered_side=rng.choice(sides),
                        note="",
                        version=1,
                        **_stamps(plan, min(created, plan.now)),
                    )
                )
    return out.count
