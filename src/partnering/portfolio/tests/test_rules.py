"""Each early-warning rule: a case that fires and a case that does not.

The rules read only `Facts`, so these tests build facts in memory: no database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from partnering.arrangements.models import Arrangement
from partnering.assessments.bank_loader import BankSpec, load_bank_file
from partnering.core.choices import Role, Side, Stage
from partnering.portfolio import rules
from partnering.portfolio.facts import ANNEX_A, ANNEX_B, HEALTH_CHECK, AssessmentFacts, CharterFacts, Facts, KpiFacts

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
BANKS = Path(__file__).resolve().parents[2] / "assessments" / "banks"


@cache
def bank(key: str) -> BankSpec:
    return load_bank_file(BANKS / f"{key}.yaml")


def assessment(key: str, answers: dict[str, list[str]], *, cycle: int | None = None, n: int = 1) -> AssessmentFacts:
    spec = bank(key)
    return AssessmentFacts(
        id=n,
        uuid=f"00000000-0000-0000-0000-{n:012d}",
        title=f"{spec.title} {n}",
        bank_key=key,
        bank=spec,
        cycle=cycle,
        revealed_at=NOW,
        sides=tuple(answers),
        answers={side: dict(zip(spec.question_ids, values, strict=False)) for side, values in answers.items()},
    )


def healthy() -> Facts:
    """An arrangement no rule fires for: each test then breaks one thing."""
    arrangement = Arrangement(
        slug="healthy-abc123",
        title="Healthy",
        stage=Stage.IN_SERVICE,
        contract_start=TODAY - timedelta(days=400),
        contract_end=TODAY + timedelta(days=3 * 365),
    )
    return Facts(
        arrangement=arrangement,
        side=Side.CUSTOMER,
        today=TODAY,
        leaders={Role.SRO: "Alice", Role.SRIE: "Bob"},
        role_starts={Role.SRO: [NOW]},
        outcomes=2,
        outcomes_agreed=2,
        assessments={
            ANNEX_A: [assessment(ANNEX_A, {"customer": ["yes"] * len(bank(ANNEX_A).question_ids)}, n=3)],
            HEALTH_CHECK: [assessment(HEALTH_CHECK, {"customer": ["yes"] * 5, "provider": ["yes"] * 5}, cycle=1)],
        },
        open_concerns=0,
        open_escalations=0,
        escalations_recent=0,
        escalations_before=0,
        kpis=[KpiFacts("First-time fix", True, "green")],
        charter=CharterFacts(exists=True, agreed=True, review_date=TODAY + timedelta(days=30)),
    )


def _no_srie(f: Facts) -> None:
    del f.leaders[Role.SRIE]


def _before_award(stage: str = Stage.PROCUREMENT_STRATEGY) -> Callable[[Facts], None]:
    """The customer alone, choosing its partner: no SRIE, no KPIs, outcomes not yet agreed with anyone."""

    def change(f: Facts) -> None:
        f.arrangement.stage = stage
        f.arrangement.contract_start = f.arrangement.contract_end = None
        f.leaders.pop(Role.SRIE, None)
        f.role_starts.pop(Role.SRIE, None)
        f.outcomes_agreed = 0
        f.kpis = []
        f.charter = None
        f.assessments.pop(HEALTH_CHECK, None)

    return change


def _no_annex_a(f: Facts) -> None:
    f.assessments.pop(ANNEX_A)


def _no_annex_a_before_gate_2(f: Facts) -> None:
    _before_award(Stage.BUSINESS_JUSTIFICATION)(f)
    _no_annex_a(f)


def _no_kpis(f: Facts) -> None:
    f.kpis = []


def _churn(f: Facts) -> None:
    f.role_starts[Role.SRIE] = [NOW - timedelta(days=d) for d in (10, 200, 400)]


def _one_change(f: Facts) -> None:
    f.role_starts[Role.SRIE] = [NOW - timedelta(days=d) for d in (10, 200)]


def _annex_a(value: str) -> Callable[[Facts], None]:
    def change(f: Facts) -> None:
        answers = ["yes"] * len(bank(ANNEX_A).question_ids)
        answers[1] = value
        f.assessments[ANNEX_A] = [assessment(ANNEX_A, {"customer": answers}, n=7)]

    return change


def _annex_a_resolved(f: Facts) -> None:
    _annex_a("no")(f)
    later = assessment(ANNEX_A, {"customer": ["yes"] * len(bank(ANNEX_A).question_ids)}, n=8)
    f.assessments[ANNEX_A].append(later)


def _annex_b(followed: bool) -> Callable[[Facts], None]:
    def change(f: Facts) -> None:
        values = ["fully"] * len(bank(ANNEX_B).question_ids)
        values[2] = "partly"
        f.assessments[ANNEX_B] = [assessment(ANNEX_B, {"customer": values, "provider": ["fully"] * len(values)}, n=9)]
        if followed:
            f.action_questions[9] = {bank(ANNEX_B).question_ids[2]}

    return change


def _outcomes_unagreed(f: Facts) -> None:
    f.outcomes_agreed = 0


def _no_baseline(f: Facts) -> None:
    f.kpis = [KpiFacts("First-time fix", False, "none")]


def _health_check_missed(f: Facts) -> None:
    f.arrangement.contract_start = TODAY - timedelta(days=800)  # two cycles due, one revealed


def _health_check_not_yet_due(f: Facts) -> None:
    f.arrangement.contract_start = TODAY - timedelta(days=200)
    f.assessments.pop(HEALTH_CHECK)


def _escalations(recent: int, before: int) -> Callable[[Facts], None]:
    def change(f: Facts) -> None:
        f.escalations_recent, f.escalations_before = recent, before

    return change


def _overdue(f: Facts) -> None:
    f.open_actions = f.overdue_actions = 1


def _open_not_overdue(f: Facts) -> None:
    f.open_actions = 3


def _charter_draft(f: Facts) -> None:
    f.charter = CharterFacts(exists=True, agreed=False, review_date=None)


def _charter_draft_before_award(f: Facts) -> None:
    _charter_draft(f)
    f.arrangement.stage = Stage.PROCUREMENT_STRATEGY


def _charter_review_passed(f: Facts) -> None:
    f.charter = CharterFacts(exists=True, agreed=True, review_date=TODAY - timedelta(days=1))


def _exit_unconfirmed(f: Facts) -> None:
    f.assessments[HEALTH_CHECK] = [
        assessment(HEALTH_CHECK, {"customer": ["yes"] * 4 + ["partly"], "provider": ["yes"] * 5}, cycle=1)
    ]


def _exit_from_exit_feature(f: Facts) -> None:
    _exit_unconfirmed(f)
    f.exit_strategy = True


def _unowned_high_risk(f: Facts) -> None:
    f.open_high_risks = f.unowned_high_risks = 1


def _owned_high_risk(f: Facts) -> None:
    f.open_high_risks = 1


def _gap_cycles(widening: bool) -> Callable[[Facts], None]:
    def change(f: Facts) -> None:
        n = len(bank(ANNEX_B).question_ids)
        agreed = ["fully"] * n
        one_gap = ["fully"] * n
        one_gap[0] = "partly"
        two_gaps = list(one_gap)
        two_gaps[1] = "not_at_all"
        first, second = (one_gap, two_gaps) if widening else (two_gaps, one_gap)
        f.assessments[ANNEX_B] = [
            assessment(ANNEX_B, {"customer": first, "provider": agreed}, cycle=1, n=11),
            assessment(ANNEX_B, {"customer": second, "provider": agreed}, cycle=2, n=12),
        ]
        for item in f.assessments[ANNEX_B]:
            f.action_questions[item.id] = set(bank(ANNEX_B).question_ids)

    return change


def _procurement(*, published: int, last_published: date | None) -> Callable[[Facts], None]:
    """A £12m contract under the Procurement Act 2023, no exemption, started 400 days before TODAY."""

    def change(f: Facts) -> None:
        from decimal import Decimal

        from partnering.procurement.models import ContractFacts
        from partnering.procurement.selectors import duty_from

        facts = ContractFacts(estimated_value=Decimal("12000000"), regime="pa2023", exemption="none")
        f.procurement = duty_from(
            facts=facts,
            stage=f.stage,
            contract_start=f.arrangement.contract_start,
            published=published,
            last_published=last_published,
            termination_published=False,
            today=TODAY,
        )

    return change


#: rule id -> (what makes it fire, what keeps it quiet)
CASES: dict[str, tuple[Callable[[Facts], None], Callable[[Facts], None]]] = {
    "leaders-missing": (_no_srie, _before_award()),
    "key-role-churn": (_churn, _one_change),
    "annex-a-no": (_annex_a("no"), _annex_a_resolved),
    "annex-a-missing": (_no_annex_a, _no_annex_a_before_gate_2),
    "annex-b-no-action": (_annex_b(followed=False), _annex_b(followed=True)),
    "no-agreed-outcomes": (_outcomes_unagreed, _before_award()),
    "no-kpis": (_no_kpis, _before_award()),
    "kpi-no-baseline": (_no_baseline, lambda f: None),
    "health-check-overdue": (_health_check_missed, _health_check_not_yet_due),
    "escalations-rising": (_escalations(3, 1), _escalations(3, 4)),
    "overdue-actions": (_overdue, _open_not_overdue),
    "charter-not-agreed": (_charter_draft, _charter_draft_before_award),
    "charter-review-overdue": (_charter_review_passed, lambda f: None),
    "exit-strategy-missing": (_exit_unconfirmed, _exit_from_exit_feature),
    "high-risk-no-owner": (_unowned_high_risk, _owned_high_risk),
    "perception-gap-widening": (_gap_cycles(widening=True), _gap_cycles(widening=False)),
    "procurement-kpis-not-published": (
        _procurement(published=2, last_published=TODAY - timedelta(days=30)),
        _procurement(published=3, last_published=TODAY - timedelta(days=30)),
    ),
    "procurement-notice-overdue": (
        _procurement(published=3, last_published=None),  # 12 months from the start, 400 days ago
        _procurement(published=3, last_published=TODAY - timedelta(days=200)),
    ),
}


def test_every_rule_has_a_firing_and_a_quiet_case():
    assert set(CASES) == set(rules.RULES)


def test_no_rule_fires_for_a_healthy_arrangement():
    facts = healthy()

    assert rules.evaluate(facts) == []
    assert rules.health([]) == rules.Health.GREEN


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_the_rule_fires(rule_id):
    facts = healthy()
    CASES[rule_id][0](facts)

    warning = rules.RULES[rule_id].fires(facts)

    assert warning is not None
    assert warning.message
    assert warning.fix_url.startswith(f"/arrangements/{facts.arrangement.slug}/")
    assert [w.rule.id for w in rules.evaluate(facts)] == [rule_id]


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_the_rule_does_not_fire(rule_id):
    facts = healthy()
    CASES[rule_id][1](facts)

    assert rules.RULES[rule_id].fires(facts) is None


GUIDE = Path(__file__).resolve().parents[5] / "shared" / "guide" / "effective-partnering.txt"


def _plain(text: str) -> str:
    for mark in "‘’'\"…":
        text = text.replace(mark, "")
    return " ".join(text.split())


@pytest.mark.parametrize("rule", list(rules.RULES.values()), ids=lambda r: r.id)
def test_each_rule_quotes_the_guide(rule):
    assert rule.title and rule.explanation and rule.pitfall
    if not GUIDE.exists():
        pytest.skip("the guide's text is not next to the project")
    first_part = rule.quote.split("…")[0].rstrip(". ")

    assert _plain(first_part) in _plain(GUIDE.read_text()), rule.id


@pytest.mark.parametrize("stage", sorted(set(Stage) - rules.AFTER_AWARD))
def test_the_customer_alone_before_award_is_green_without_a_partner(stage):
    """No red for a missing SRIE, unagreed outcomes, KPIs or a charter before there is a partner."""
    facts = healthy()
    _before_award(stage)(facts)

    assert rules.evaluate(facts) == []


def test_before_award_the_customer_must_still_write_its_outcomes():
    facts = healthy()
    _before_award()(facts)
    facts.outcomes = 0

    warning = rules.RULES["no-agreed-outcomes"].fires(facts)

    assert warning is not None and warning.severity == rules.Severity.MEDIUM
    assert "write them before choosing a partner" in warning.message


def test_before_award_a_missing_sro_is_still_the_wrong_people():
    facts = healthy()
    _before_award()(facts)
    del facts.leaders[Role.SRO]

    warning = rules.RULES["leaders-missing"].fires(facts)

    assert warning is not None and warning.message == "No SRO is named for this arrangement."


def test_no_annex_a_by_gate_2_needs_attention_and_after_award_is_worth_a_look():
    before, after = healthy(), healthy()
    _before_award(Stage.PROCUREMENT_STRATEGY)(before)
    _no_annex_a(before)
    _no_annex_a(after)

    assert rules.RULES["annex-a-missing"].fires(before).severity == rules.Severity.MEDIUM
    assert rules.RULES["annex-a-missing"].fires(after).severity == rules.Severity.LOW


def test_no_annex_a_is_the_customers_to_fix_so_the_provider_is_not_warned():
    facts = healthy()
    _no_annex_a(facts)
    facts.side = Side.PROVIDER

    assert rules.RULES["annex-a-missing"].fires(facts) is None


def test_an_annex_a_answered_only_by_the_provider_does_not_count_for_the_customer():
    facts = healthy()
    facts.assessments[ANNEX_A] = [assessment(ANNEX_A, {"provider": ["yes"] * len(bank(ANNEX_A).question_ids)})]

    assert rules.RULES["annex-a-missing"].fires(facts) is not None


def test_no_published_kpi_after_award_is_urgent():
    facts = healthy()
    _procurement(published=0, last_published=TODAY - timedelta(days=30))(facts)

    warning = rules.RULES["procurement-kpis-not-published"].fires(facts)

    assert warning is not None and warning.severity == rules.Severity.HIGH


def test_an_exempt_contract_has_no_procurement_warning():
    facts = healthy()
    _procurement(published=0, last_published=None)(facts)
    facts.procurement.in_scope = False  # as duty_from gives for an exemption (see procurement/tests/test_due.py)

    assert rules.evaluate(facts) == []


def test_exit_is_urgent_near_the_end_of_the_contract():
    facts = healthy()
    _exit_unconfirmed(facts)
    facts.arrangement.contract_end = TODAY + timedelta(days=100)

    warning = rules.RULES["exit-strategy-missing"].fires(facts)

    assert warning is not None and warning.severity == rules.Severity.HIGH


def test_a_rule_whose_feature_is_not_installed_is_not_applicable(monkeypatch):
    facts = healthy()
    _no_baseline(facts)
    monkeypatch.setattr(rules.apps, "is_installed", lambda name: name != "partnering.kpis")

    assert not rules.RULES["kpi-no-baseline"].applies(facts)
    assert rules.RULES["kpi-no-baseline"].fires(facts) is None


@pytest.mark.parametrize(
    ("severities", "expected"),
    [
        ([], rules.Health.GREEN),
        ([rules.Severity.LOW], rules.Health.GREEN),
        ([rules.Severity.LOW, rules.Severity.MEDIUM], rules.Health.AMBER),
        ([rules.Severity.MEDIUM, rules.Severity.HIGH], rules.Health.RED),
    ],
)
def test_health_is_the_worst_severity(severities, expected):
    rule = next(iter(rules.RULES.values()))
    warnings = [rules.EarlyWarning(rule=rule, message="", severity=s, slug="x") for s in severities]

    assert rules.health(warnings) == expected


def test_two_rules_may_not_share_a_name():
    with pytest.raises(ValueError, match="leaders-missing"):
        rules.rule(
            id="leaders-missing",
            title="",
            pitfall="",
            quote="",
            explanation="",
            severity=rules.Severity.LOW,
            fix="arrangements:overview",
            fix_label="",
        )(lambda f: None)
