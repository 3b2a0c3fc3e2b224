"""Portfolio scoping, the warnings tab, what each side may see, and constant queries."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.arrangements.models import OpennessProfile
from partnering.core.choices import Role, Side
from partnering.risks.tests.factories import bulk_risks
from partnering.testing import ArrangementFactory, OrganisationFactory, UserFactory, add_member


def _manager(world, side="customer"):
    org = world.customer if side == "customer" else world.provider
    return UserFactory(email=f"pm-{side}@example.org", organisation=org, is_portfolio_manager=True)


def _titles(response) -> set[str]:
    return {row.arrangement.title for row in response.context["page"]}


def test_a_portfolio_manager_sees_every_arrangement_of_their_organisation(client, world):
    unrelated = ArrangementFactory(title="Another council's deal")
    client.force_login(_manager(world))

    response = client.get("/portfolio/")

    assert response.status_code == 200
    assert _titles(response) == {"Digital services"}
    assert unrelated.title not in response.content.decode()


def test_a_provider_portfolio_manager_sees_the_providers_arrangements_only(client, world):
    ArrangementFactory(title="Someone else's", customer=world.customer)
    client.force_login(_manager(world, "provider"))

    response = client.get("/portfolio/")

    # The provider is in both world arrangements, not in the third.
    assert _titles(response) == {"Digital services", "Eastbridge benefits"}


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "dave", "fran"])
def test_people_who_are_not_portfolio_managers_are_refused(client, world, user):
    client.force_login(getattr(world, user))

    assert client.get("/portfolio/").status_code == 403
    assert client.get("/api/v1/portfolio/").status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get("/portfolio/")

    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_the_header_links_to_the_portfolio_for_portfolio_managers_only(client, world):
    client.force_login(world.alice)
    assert 'href="/portfolio/"' not in client.get(f"/arrangements/{world.arrangement.slug}/warnings/").content.decode()

    world.alice.is_portfolio_manager = True
    world.alice.save()

    assert 'href="/portfolio/"' in client.get(f"/arrangements/{world.arrangement.slug}/warnings/").content.decode()


def test_the_warnings_tab_shows_the_arrangements_warnings_to_members(client, world):
    client.force_login(world.dave)

    response = client.get(f"/arrangements/{world.arrangement.slug}/warnings/")

    assert response.status_code == 200
    ids = {w.rule.id for w in response.context["row"].warnings}
    assert "no-agreed-outcomes" in ids  # the world has no outcomes
    assert "leaders-missing" not in ids  # alice is SRO, bob is SRIE


def test_outsiders_do_not_see_the_warnings_tab(client, world):
    client.force_login(world.charlie)

    assert client.get(f"/arrangements/{world.arrangement.slug}/warnings/").status_code == 404
    assert client.get(f"/api/v1/arrangements/{world.arrangement.slug}/warnings/").status_code == 404


def test_the_other_sides_private_risks_never_count(client, world):
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(single_risk_register=False)
    bulk_risks(world.arrangement, 25, visibility="provider")  # some are red, none has an owner

    def unowned(user) -> bool:
        client.force_login(user)
        response = client.get(f"/api/v1/arrangements/{world.arrangement.slug}/warnings/")
        assert response.status_code == 200
        return "high-risk-no-owner" in {w["rule"] for w in response.json()["warnings"]}

    assert unowned(world.bob)
    assert not unowned(world.alice)
    assert not unowned(world.fran)
    client.force_login(_manager(world, "provider"))
    rows = client.get("/api/v1/portfolio/").json()
    mine = next(r for r in rows if r["slug"] == world.arrangement.slug)
    assert mine["open_high_risks"] > 0
    client.force_login(_manager(world))
    rows = client.get("/api/v1/portfolio/").json()
    assert rows[0]["open_high_risks"] == 0


def test_a_one_sided_assessment_stays_with_its_side(world):
    from django.utils import timezone

    from partnering.assessments.models import Answer, Assessment, QuestionBank
    from partnering.assessments.services import banks_sync_builtin
    from partnering.portfolio import selectors

    banks_sync_builtin()
    bank = QuestionBank.objects.get(key="annex-a", is_current=True, organisation__isnull=True)
    assessment = Assessment.objects.create(
        arrangement=world.arrangement,
        bank=bank,
        title="Our readiness",
        participation="customer",
        status="revealed",
        revealed_at=timezone.now(),
    )
    Answer.objects.create(assessment=assessment, side="customer", question_id=bank.bank.question_ids[0], value="no")

    seen_by_customer = selectors.arrangement_warnings(access=world.access(world.alice))
    seen_by_provider = selectors.arrangement_warnings(access=world.access(world.bob))

    assert "annex-a-no" in {w.rule.id for w in seen_by_customer.warnings}
    assert "annex-a-no" not in {w.rule.id for w in seen_by_provider.warnings}


def _portfolio_queries(client, *, cold: bool = True) -> tuple[int, list[str]]:
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/portfolio/")
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _add_arrangements(world, count: int, start: int) -> None:
    provider = OrganisationFactory(name="Coastline Networks", kind="provider")
    for n in range(start, start + count):
        arrangement = ArrangementFactory(title=f"Portfolio {n}", customer=world.customer, provider=provider)
        add_member(arrangement, world.alice, Side.CUSTOMER, Role.SRO)
        bulk_risks(arrangement, 3, owner=None)


def test_the_portfolio_runs_the_same_queries_for_3_or_15_arrangements(client, world):
    client.force_login(_manager(world))
    _add_arrangements(world, 2, 1)
    _portfolio_queries(client)  # warms the content type cache
    few, _ = _portfolio_queries(client)
    _add_arrangements(world, 12, 3)

    many, sql = _portfolio_queries(client)

    # 1 session, 2 user, 3 arrangements with their write counters, 4 the stale ones' facts,
    # 5 key roles, 6 outcomes, 7 revealed assessments, 8 open actions by arrangement, 9 actions
    # raised from assessments, 10 high risks, 11 open concerns, 12 escalations, 13 KPIs with
    # baselines, targets and latest values, 14 charters, 15 exit strategies. (Banks and answers
    # are read only when an assessment is revealed.)
    assert many == few, "\n".join(s[:160] for s in sql)
    assert many <= 17, "\n".join(s[:160] for s in sql)


def test_with_nothing_written_the_portfolio_reads_its_rows_from_the_cache(client, world):
    client.force_login(_manager(world))
    _add_arrangements(world, 12, 1)
    _portfolio_queries(client)

    warm, sql = _portfolio_queries(client, cold=False)

    # Session, user, organisation, arrangements with their write counters: no facts at all.
    assert warm <= 4, "\n".join(s[:160] for s in sql)


def test_a_write_to_an_arrangement_retires_its_cached_row(client, world):
    """The page reads its rows from the cache; a risk added through the app shows at once."""
    manager = _manager(world)
    client.force_login(manager)
    before = {row.arrangement.title: row for row in client.get("/portfolio/").context["page"]}
    assert before["Digital services"].open_high_risks == 0
    client.force_login(world.alice)
    response = client.post(
        f"/arrangements/{world.arrangement.slug}/risks/new/",
        {
            "title": "Key supplier staff leave",
            "category": "implementation",
            "owning_side": "joint",
            "likelihood": "5",
            "impact": "5",
            "visibility": "shared",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(manager)

    after = {row.arrangement.title: row for row in client.get("/portfolio/").context["page"]}

    assert after["Digital services"].open_high_risks == 1
    assert "high-risk-no-owner" in {w.rule.id for w in after["Digital services"].warnings}


def test_a_write_replaces_the_cached_row_instead_of_adding_one(client, world):
    """A busy arrangement must not leave one stale row per write in every worker's cache."""
    manager = _manager(world)
    client.force_login(manager)
    client.get("/portfolio/")
    rows_before = _cached_rows()
    client.force_login(world.alice)
    for n in range(3):
        client.post(
            f"/arrangements/{world.arrangement.slug}/risks/new/",
            {
                "title": f"Risk {n}",
                "category": "implementation",
                "owning_side": "joint",
                "likelihood": "2",
                "impact": "2",
                "visibility": "shared",
            },
        )
        client.force_login(manager)
        client.get("/portfolio/")
        client.force_login(world.alice)

    assert _cached_rows() == rows_before
    assert len(rows_before) >= 1


def _cached_rows() -> set[str]:
    return {key for key in cache._cache if "portfolio-row" in key}  # locmem's own store: the keys kept


def test_a_cached_row_is_never_served_to_the_other_side(client, world):
    """The same arrangement in two portfolios: each side's row is kept under its own key."""
    bulk_risks(world.arrangement, 1, owner=None, start=24, visibility=Side.CUSTOMER)
    customer_pm, provider_pm = _manager(world), _manager(world, "provider")
    client.force_login(customer_pm)
    seen_by_customer = {r.arrangement.title: r for r in client.get("/portfolio/").context["page"]}
    client.force_login(provider_pm)

    seen_by_provider = {r.arrangement.title: r for r in client.get("/portfolio/").context["page"]}

    assert seen_by_customer["Digital services"].side == Side.CUSTOMER
    assert seen_by_customer["Digital services"].open_high_risks == 1
    assert seen_by_provider["Digital services"].side == Side.PROVIDER
    assert seen_by_provider["Digital services"].open_high_risks == 0


def test_refused_writes_do_not_retire_cached_rows(client, world):
    """An anonymous POST, or a member without the permission, writes nothing and counts nothing."""
    from partnering.portfolio.models import Activity

    client.post(f"/arrangements/{world.arrangement.slug}/risks/new/", {"title": "x"})
    client.force_login(world.charlie)  # not a member: 404
    client.post(f"/arrangements/{world.arrangement.slug}/risks/new/", {"title": "x"})

    assert not Activity.objects.filter(arrangement=world.arrangement).exists()


def test_a_write_through_the_api_retires_the_cached_row_too(client, world):
    """API writes carry `arrangement_slug`; the token's user is the one counted."""
    from partnering.accounts.services import token_create
    from partnering.portfolio.models import Activity

    _, raw = token_create(user=world.alice, name="script", scope="read_write")

    response = client.post(
        f"/api/v1/arrangements/{world.arrangement.slug}/risks/",
        {"title": "Margin squeeze", "owning_side": "joint", "likelihood": 5, "impact": 5, "category": "commercial"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    assert response.status_code == 201, response.content
    assert Activity.objects.get(arrangement=world.arrangement).writes == 1
