"""The demo portfolio: several Northshire arrangements in different states, safe to load twice."""

from __future__ import annotations

import pytest

from partnering.accounts.models import User
from partnering.arrangements.models import Arrangement
from partnering.portfolio import demo, selectors


@pytest.mark.django_db
def test_the_demo_portfolio_shows_real_warnings_and_loads_once():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    demo.demo_portfolio(arrangement)
    count = Arrangement.objects.count()
    demo.demo_portfolio(Arrangement.objects.get(pk=arrangement.pk))

    helen = User.objects.get(email=demo.PORTFOLIO_MANAGER)
    rows = {row.arrangement.title: row for row in selectors.portfolio(user=helen)}
    fired = {title: {w.rule.id for w in row.warnings} for title, row in rows.items()}

    assert Arrangement.objects.count() == count
    assert helen.is_portfolio_manager
    assert rows[demo.HEALTHY].health == "green"
    # Before award: nothing that only a partner brings (an SRIE, agreed outcomes, KPIs), so amber, not red.
    assert fired[demo.BEFORE_AWARD] == {"no-agreed-outcomes", "annex-a-missing"}
    assert rows[demo.BEFORE_AWARD].health == "amber"
    assert {"annex-a-no", "health-check-overdue"} <= fired[demo.NOT_READY]
    assert {"exit-strategy-missing", "high-risk-no-owner", "overdue-actions"} <= fired[demo.NEAR_EXIT]
    assert "Eastbridge revenues and benefits service" not in rows
