"""Reads of the risk register, always through the access policy.

The register page runs the same number of queries whatever the number of
risks: visibility is a filter on the risk's own column (no ids loaded into
Python), owners come in the same query, and the count of open mitigation
actions is a subquery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnering.actions.models import OPEN_STATUSES, Action
from partnering.arrangements.models import Membership
from partnering.core.policy import Access
from partnering.risks import scoring
from partnering.risks.models import Category, OwningSide, Risk, RiskComment, RiskStatus
from partnering.risks.scoring import Rating

#: Sort keys of the register: the column and the order it gives.
SORTS: dict[str, tuple[str, ...]] = {
    "reference": ("number", "reference"),
    "title": ("title", "number"),
    "score": ("score", "number"),
    "review": ("next_review_date", "number"),
    "owner": ("owner__full_name", "number"),
    "category": ("category", "number"),
    "status": ("status", "number"),
}
DEFAULT_SORT = "reference"
NO_OWNER = "none"


def risks_visible(*, access: Access) -> QuerySet[Risk]:
    """Every risk of the arrangement the member's side may see.

    Shared risks for everyone; a side's private risks for that side only (the
    facilitator sees shared ones). Private risks exist only where openness
    allows them (see services.check_visibility).
    """
    return Risk.objects.filter(arrangement=access.arrangement).filter(access.visible_q())


@dataclass
class RegisterFilters:
    side: str = ""
    category: str = ""
    owner: str = ""
    status: str = ""
    rating: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT
    overdue: bool = False
    # The owner filter's membership, resolved once.
    owner_user_id: int | None = field(default=None, repr=False)

    @classmethod
    def from_query(cls, query: QueryDict | dict[str, str], *, access: Access) -> RegisterFilters:
        """Read the filters from a querystring; values that are not allowed are ignored."""

        def pick(name: str, allowed: Any) -> str:
            value = (query.get(name) or "").strip()
            return value if value in allowed else ""

        filters = cls(
            side=pick("side", OwningSide.values),
            category=pick("category", Category.values),
            status=pick("status", RiskStatus.values),
            rating=pick("rating", Rating.values),
            q=(query.get("q") or "").strip()[:200],
            overdue=(query.get("overdue") or "") in {"1", "on", "yes", "true"},
        )
        sort = (query.get("sort") or DEFAULT_SORT).strip()
        filters.sort = sort if sort.lstrip("-") in SORTS else DEFAULT_SORT
        owner = (query.get("owner") or "").strip()
        if owner == NO_OWNER:
            filters.owner = owner
        elif owner:
            membership = (
                Membership.objects.filter(arrangement=access.arrangement, uuid=_uuid_or_none(owner))
                .values_list("user_id", flat=True)
                .first()
                if _uuid_or_none(owner)
                else None
            )
            if membership is not None:
                filters.owner, filters.owner_user_id = owner, membership
        return filters

    def as_query(self, **override: Any) -> str:
        """The querystring of these filters, with some changed (for sort links and pages)."""
        values = {
            "side": self.side,
            "category": self.category,
            "owner": self.owner,
            "status": self.status,
            "rating": self.rating,
            "q": self.q,
            "overdue": "1" if self.overdue else "",
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        values.update(override)
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if value:
                query[key] = value
        return query.urlencode()

    @property
    def is_filtered(self) -> bool:
        return bool(self.side or self.category or self.owner or self.status or self.rating or self.q or self.overdue)


def _uuid_or_none(value: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _order(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    columns = SORTS[sort.lstrip("-")]
    return [F(c).desc(nulls_last=True) if descending else F(c).asc(nulls_last=True) for c in columns]


def _open_actions_count(access: Access) -> Subquery:
    """Open actions on each risk that the reader may see: another side's private action is
    not counted, as it is not listed (its existence is the other side's business)."""
    actions = (
        Action.objects.filter(
            access.visible_q(),
            source_type=ContentType.objects.get_for_model(Risk),
            source_id=OuterRef("pk"),
            status__in=OPEN_STATUSES,
        )
        .order_by()
        .values("source_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(actions, output_field=IntegerField()), Value(0))


def risk_register(*, access: Access, filters: RegisterFilters | None = None) -> QuerySet[Risk]:
    """The register as the member may see it, filtered, searched and sorted."""
    filters = filters or RegisterFilters()
    qs = risks_visible(access=access)
    if filters.side:
        qs = qs.filter(owning_side=filters.side)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.rating:
        qs = qs.filter(rating=filters.rating)
    if filters.owner == NO_OWNER:
        qs = qs.filter(owner__isnull=True)
    elif filters.owner_user_id is not None:
        qs = qs.filter(owner_id=filters.owner_user_id)
    if filters.overdue:
        qs = qs.filter(status=RiskStatus.OPEN, next_review_date__lt=timezone.localdate())
    if filters.q:
        qs = qs.filter(
            Q(title__icontains=filters.q) | Q(description__icontains=filters.q) | Q(reference__icontains=filters.q)
        )
    return qs.select_related("owner").order_by(*_order(filters.sort))


def register_page(qs: QuerySet[Risk], *, access: Access) -> QuerySet[Risk]:
    """What a row of the register page needs beyond the risk itself."""
    return qs.annotate(open_actions=_open_actions_count(access))


@dataclass
class HeatMap:
    """Counts of risks by likelihood (rows, 5 at the top) and impact (columns)."""

    rows: list[tuple[int, str, list[tuple[int, int, str, int]]]]
    impacts: list[tuple[int, str]]
    total: int


def heat_map(qs: QuerySet[Risk]) -> HeatMap:
    """One grouped query over the (filtered) register."""
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in qs.order_by().values("likelihood", "impact").annotate(n=Count("id"))
    }
    rows = []
    for likelihood in reversed(scoring.SCALE):
        cells = []
        for impact in scoring.SCALE:
            value = scoring.score(likelihood, impact)
            cells.append((impact, counts.get((likelihood, impact), 0), scoring.rating_for(value), value))
        rows.append((likelihood, scoring.LIKELIHOOD_LABELS[likelihood], cells))
    impacts = [(i, scoring.IMPACT_LABELS[i]) for i in scoring.SCALE]
    return HeatMap(rows=rows, impacts=impacts, total=sum(counts.values()))


def risk_get(*, access: Access, risk_uuid: Any) -> Risk:
    """One risk the member's side may see; otherwise 404, as if it did not exist."""
    return get_object_or_404(risks_visible(access=access).select_related("owner", "created_by"), uuid=risk_uuid)


def risk_actions(*, access: Access, risk: Risk) -> QuerySet[Action]:
    return (
        Action.objects.filter(
            arrangement=access.arrangement,
            source_type=ContentType.objects.get_for_model(Risk),
            source_id=risk.pk,
        )
        .filter(access.visible_q())
        .select_related("owner", "arrangement")
        .order_by("due_date", "id")
    )


def risk_comments(*, risk: Risk) -> QuerySet[RiskComment]:
    return risk.comments.select_related("author").order_by("created_at", "id")


def owner_choices(*, access: Access) -> list[tuple[str, str]]:
    """Members who can own a risk, by membership UUID (never a user id in a URL)."""
    rows = (
        Membership.objects.filter(arrangement=access.arrangement, is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    )
    return [(str(m.uuid), f"{m.user} ({m.get_side_display()})") for m in rows]


# -- history ----------------------------------------------------------------------


@dataclass
class RiskChange:
    when: datetime
    actor: str
    action: str
    changes: list[tuple[str, str, str]]


_HIDDEN = {"id", "uuid", "created_at", "updated_at", "version", "number", "arrangement", "created_by"}
_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def risk_history(*, risk: Risk) -> list[RiskChange]:
    """Every recorded change to one risk, newest first, from the audit trail.

    Two queries: the risk's history rows, then the names of the people they
    name as owner. Rows are diffed pairwise in memory.
    """
    rows = list(risk.history.order_by("history_date", "history_id"))  # type: ignore[attr-defined]
    fields = [f for f in Risk._meta.concrete_fields if f.name not in _HIDDEN]
    owner_ids = {r.owner_id for r in rows if r.owner_id}
    from django.contrib.auth import get_user_model

    names = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=owner_ids)}

    def show(f: Any, value: Any) -> str:
        if value in (None, ""):
            return "(blank)"
        if f.name == "owner":
            return names.get(value, "(former member)")
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        return str(value)

    entries: list[RiskChange] = []
    before = None
    for row in rows:
        changes = []
        for f in fields:
            new = getattr(row, f.attname)
            if before is None:
                if new not in (None, ""):
                    changes.append((str(f.verbose_name).capitalize(), "", show(f, new)))
            elif getattr(before, f.attname) != new:
                changes.append((str(f.verbose_name).capitalize(), show(f, getattr(before, f.attname)), show(f, new)))
        if before is None or changes:
            entries.append(
                RiskChange(
                    when=row.history_date,
                    actor=row.history_actor or "System",
                    action=_ACTIONS.get(row.history_type, row.history_type),
                    changes=changes,
                )
            )
        before = row
    entries.reverse()
    return entries
