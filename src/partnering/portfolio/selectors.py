"""Reads of the portfolio and of one arrangement's early warnings.

The portfolio belongs to an organisation: its portfolio managers see every
arrangement where the organisation is the customer or the provider, and
nothing of any other organisation. What they see inside each arrangement is
what their own side may see (`facts.Viewpoint`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from partnering.arrangements.models import Arrangement
from partnering.assessments.verdicts import Verdict
from partnering.core.policy import Access
from partnering.portfolio import rules
from partnering.portfolio.facts import ANNEX_A, ANNEX_B, HEALTH_CHECK, Facts, Viewpoint, gather

#: The verdict columns of the portfolio: (bank key, heading).
VERDICT_COLUMNS = ((ANNEX_A, "Annex A readiness"), (ANNEX_B, "Annex B"), (HEALTH_CHECK, "Health check"))


@dataclass
class Row:
    """One arrangement on the portfolio page or in the API."""

    facts: Facts
    warnings: list[rules.EarlyWarning]
    health: rules.Health

    @property
    def arrangement(self) -> Arrangement:
        return self.facts.arrangement

    @property
    def verdicts(self) -> list[tuple[str, Verdict | None]]:
        out = []
        for key, heading in VERDICT_COLUMNS:
            latest = self.facts.latest(key)
            out.append((heading, latest.overall() if latest else None))
        return out

    @property
    def kpi_status(self) -> str:
        """The worst status of the KPIs against their agreed targets, or why there is none."""
        kpis = self.facts.kpis
        if kpis is None:
            return "Not recorded"
        if not kpis:
            return "No KPIs"
        statuses = {k.status for k in kpis}
        for status, label in (("red", "Red"), ("amber", "Amber"), ("green", "Green")):
            if status in statuses:
                return label
        return "Not assessed"

    @property
    def charter_status(self) -> str:
        charter = self.facts.charter
        if charter is None:
            return "Not recorded"
        if not charter.exists:
            return "None yet"
        state = "Agreed" if charter.agreed else "Draft"
        if charter.review_date is not None and charter.review_date < self.facts.today:
            state += ", review overdue"
        return state


def require_portfolio_manager(user: Any) -> Any:
    """Only an organisation's portfolio managers see its portfolio; anyone else gets 403."""
    if not (user.is_authenticated and user.is_portfolio_manager and user.organisation_id):
        raise PermissionDenied("The portfolio is for your organisation's portfolio managers.")
    return user.organisation


def portfolio_arrangements(*, organisation: Any) -> QuerySet[Arrangement]:
    """Every arrangement of the organisation, as the customer or as the provider."""
    return Arrangement.objects.filter(Q(customer=organisation) | Q(provider=organisation)).order_by("title")


def _rows(facts: list[Facts]) -> list[Row]:
    rows = []
    for f in facts:
        found = rules.evaluate(f)
        rows.append(Row(facts=f, warnings=found, health=rules.health(found)))
    return rows


HEALTH_ORDER = {rules.Health.RED: 0, rules.Health.AMBER: 1, rules.Health.GREEN: 2}


def portfolio(*, user: Any) -> list[Row]:
    """The portfolio of the user's organisation, red first, in a constant number of queries."""
    organisation = require_portfolio_manager(user)
    facts = gather(portfolio_arrangements(organisation=organisation), Viewpoint.for_organisation(organisation.pk))
    rows = _rows(facts)
    rows.sort(key=lambda r: (HEALTH_ORDER[r.health], r.arrangement.title.lower()))
    return rows


def arrangement_warnings(*, access: Access) -> Row:
    """One arrangement's early warnings, as the member's side may see it."""
    facts = gather(Arrangement.objects.filter(pk=access.arrangement.pk), Viewpoint.for_access(access))
    return _rows(facts)[0]


def not_applicable(row: Row) -> list[rules.Rule]:
    """The rules that do not apply to this arrangement (a feature not installed, or not at this stage)."""
    return [r for r in rules.RULES.values() if not r.applies(row.facts)]
