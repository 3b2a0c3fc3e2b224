"""Reads of the portfolio and of one arrangement's early warnings.

The portfolio belongs to an organisation: its portfolio managers see every
arrangement where the organisation is the customer or the provider, and
nothing of any other organisation. What they see inside each arrangement is
what their own side may see (`facts.Viewpoint`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from partnering.arrangements.models import Arrangement
from partnering.assessments.verdicts import Verdict
from partnering.core import pagecache
from partnering.core.policy import Access
from partnering.portfolio import rules
from partnering.portfolio.facts import ANNEX_A, ANNEX_B, HEALTH_CHECK, Facts, Viewpoint, gather
from partnering.portfolio.models import Activity

#: The verdict columns of the portfolio: (bank key, heading).
VERDICT_COLUMNS = ((ANNEX_A, "Annex A readiness"), (ANNEX_B, "Annex B"), (HEALTH_CHECK, "Health check"))


@dataclass
class Row:
    """One arrangement on the portfolio page or in the API: everything shown, worked out once.

    `facts` is kept for the warnings tab (which lists the rules that do not
    apply); a row from the portfolio's cache has none.
    """

    arrangement: Arrangement
    side: str
    health: rules.Health
    warnings: list[rules.EarlyWarning]
    verdicts: list[tuple[str, Verdict | None]]
    open_high_risks: int
    overdue_actions: int
    open_escalations: int | None
    kpi_status: str
    charter_status: str
    facts: Facts | None = None

    @classmethod
    def from_facts(cls, facts: Facts) -> Row:
        found = rules.evaluate(facts)
        return cls(
            arrangement=facts.arrangement,
            side=facts.side,
            health=rules.health(found),
            warnings=found,
            verdicts=_verdicts(facts),
            open_high_risks=facts.open_high_risks,
            overdue_actions=facts.overdue_actions,
            open_escalations=facts.open_escalations,
            kpi_status=_kpi_status(facts),
            charter_status=_charter_status(facts),
            facts=facts,
        )

    def to_cache(self) -> dict[str, Any]:
        """What is kept between requests: plain values, the rules named by id."""
        return {
            "side": self.side,
            "health": str(self.health),
            "warnings": [(w.rule.id, w.message, str(w.severity), w.finding) for w in self.warnings],
            "verdicts": self.verdicts,
            "open_high_risks": self.open_high_risks,
            "overdue_actions": self.overdue_actions,
            "open_escalations": self.open_escalations,
            "kpi_status": self.kpi_status,
            "charter_status": self.charter_status,
        }

    @classmethod
    def from_cache(cls, arrangement: Arrangement, kept: dict[str, Any]) -> Row | None:
        try:
            warnings = [
                rules.EarlyWarning(rules.RULES[rule_id], message, rules.Severity(severity), arrangement.slug, finding)
                for rule_id, message, severity, finding in kept["warnings"]
            ]
            return cls(
                arrangement=arrangement,
                side=kept["side"],
                health=rules.Health(kept["health"]),
                warnings=warnings,
                verdicts=kept["verdicts"],
                open_high_risks=kept["open_high_risks"],
                overdue_actions=kept["overdue_actions"],
                open_escalations=kept["open_escalations"],
                kpi_status=kept["kpi_status"],
                charter_status=kept["charter_status"],
            )
        except (KeyError, ValueError, TypeError):  # kept by an older release: work it out again
            return None


def _verdicts(facts: Facts) -> list[tuple[str, Verdict | None]]:
    out = []
    for key, heading in VERDICT_COLUMNS:
        latest = facts.latest(key)
        out.append((heading, latest.overall() if latest else None))
    return out


def _kpi_status(facts: Facts) -> str:
    """The worst status of the KPIs against their agreed targets, or why there is none."""
    kpis = facts.kpis
    if kpis is None:
        return "Not recorded"
    if not kpis:
        return "No KPIs"
    statuses = {k.status for k in kpis}
    for status, label in (("red", "Red"), ("amber", "Amber"), ("green", "Green")):
        if status in statuses:
            return label
    return "Not assessed"


def _charter_status(facts: Facts) -> str:
    charter = facts.charter
    if charter is None:
        return "Not recorded"
    if not charter.exists:
        return "None yet"
    state = "Agreed" if charter.agreed else "Draft"
    if charter.review_date is not None and charter.review_date < facts.today:
        state += ", review overdue"
    return state


def portfolio_organisation_id(user: Any) -> int:
    """Only an organisation's portfolio managers see its portfolio; anyone else gets 403."""
    if not (user.is_authenticated and user.is_portfolio_manager and user.organisation_id):
        raise PermissionDenied("The portfolio is for your organisation's portfolio managers.")
    return user.organisation_id


def require_portfolio_manager(user: Any) -> Any:
    """The organisation whose portfolio `user` manages (403 for anyone else)."""
    portfolio_organisation_id(user)
    return user.organisation


def portfolio_arrangements(*, organisation: Any) -> QuerySet[Arrangement]:
    """Every arrangement of the organisation, as the customer or as the provider."""
    return Arrangement.objects.filter(Q(customer=organisation) | Q(provider=organisation)).order_by("title")


HEALTH_ORDER = {rules.Health.RED: 0, rules.Health.AMBER: 1, rules.Health.GREEN: 2}
#: How long a cached row may be used at most, even with no write counted: a safety net for
#: writes that do not come through a request (a management command, a bulk job).
CACHE_SECONDS = 600
CACHE_FORMAT = 2


def _cache_key(arrangement: Arrangement, viewpoint: Viewpoint, today: date) -> str:
    """The reader's organisation and side are both in the key: a row never serves another reader,
    even if a later rule reads something that differs between two readers on the same side.

    The write counter is kept in the value, not in the key, so that a row worked out again after a
    write replaces the old one instead of lying beside it until it expires: with the counter in the
    key, a busy arrangement left one stale row per write in every worker's cache."""
    return (
        f"portfolio-row:{CACHE_FORMAT}:{arrangement.pk}:{viewpoint.organisation_id}:{viewpoint.side_in(arrangement)}"
        f":{today.isoformat()}"
    )


def _writes(arrangement: Arrangement) -> int:
    return getattr(arrangement, "activity_writes", 0) or 0


def _with_writes(arrangements: QuerySet[Arrangement]) -> QuerySet[Arrangement]:
    writes = Activity.objects.filter(arrangement=OuterRef("pk")).values("writes")[:1]
    return arrangements.annotate(activity_writes=Subquery(writes))


def portfolio_scope(request: Any) -> str:
    """What the portfolio page shows depends on: every arrangement of the organisation and its
    counter (for `core.pagecache`). Refuses, as the page does, anyone but a portfolio manager."""
    return pagecache.organisation_scope(portfolio_organisation_id(request.user))


def portfolio(*, user: Any) -> list[Row]:
    """The portfolio of the user's organisation, red first.

    Each arrangement's row is cached under its write counter and today's date
    (see `models.Activity`), so a page with nothing changed costs two queries
    and a cache read; the rows of changed arrangements are worked out together,
    in the constant number of queries of `facts.gather`.
    """
    organisation = require_portfolio_manager(user)
    viewpoint = Viewpoint.for_organisation(organisation.pk)
    arrangements = list(
        _with_writes(portfolio_arrangements(organisation=organisation).select_related("customer", "provider"))
    )
    today = timezone.localdate()
    keys = {a.pk: _cache_key(a, viewpoint, today) for a in arrangements}
    kept = cache.get_many(list(keys.values()))
    rows: list[Row] = []
    stale: list[int] = []
    for a in arrangements:
        entry = kept.get(keys[a.pk])
        row = Row.from_cache(a, entry["row"]) if entry and entry.get("writes") == _writes(a) else None
        if row is None:
            stale.append(a.pk)
        else:
            rows.append(row)
    if stale:
        fresh = [Row.from_facts(f) for f in gather(Arrangement.objects.filter(pk__in=stale), viewpoint)]
        writes = {a.pk: _writes(a) for a in arrangements}
        cache.set_many(
            {keys[r.arrangement.pk]: {"writes": writes[r.arrangement.pk], "row": r.to_cache()} for r in fresh},
            timeout=CACHE_SECONDS,
        )
        rows.extend(fresh)
    rows.sort(key=lambda r: (HEALTH_ORDER[r.health], r.arrangement.title.lower(), r.arrangement.pk))
    return rows


def arrangement_warnings(*, access: Access) -> Row:
    """One arrangement's early warnings, as the member's side may see it."""
    facts = gather(Arrangement.objects.filter(pk=access.arrangement.pk), Viewpoint.for_access(access))
    return Row.from_facts(facts[0])


def not_applicable(row: Row) -> list[rules.Rule]:
    """The rules that do not apply to this arrangement (a feature not installed, or not at this stage)."""
    facts = row.facts
    return [] if facts is None else [r for r in rules.RULES.values() if not r.applies(facts)]
