"""The early-warning rules: named, explained, drawn from the guide, in one place.

A rule is one small function decorated with `@rule(...)`. It reads the facts
of one arrangement (`facts.Facts`, gathered in bulk, never queried here) and
returns None when all is well, or a message (or a `Finding`) when it fires.
Adding a rule is adding one decorated function, and a test that it fires and
one that it does not (see tests/test_rules.py).

`requires` names the feature apps a rule reads; when one is not installed,
the rule is "not applicable" for every arrangement, never an error. `when`
narrows a rule to the arrangements it makes sense for (for example from
contract award on).

Health rating, from the severities of the warnings that fire: red if any is
high, amber if any is medium, green otherwise (low ones are worth a look but
do not change the rating).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from partnering.core.choices import AFTER_AWARD, Role, Side, Stage
from partnering.portfolio.facts import ANNEX_A, ANNEX_B, HEALTH_CHECK, KEY_ROLES, Facts


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Health(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


HEALTH_LABELS = {Health.RED: "Red", Health.AMBER: "Amber", Health.GREEN: "Green"}
SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}

#: From the procurement strategy (before Gate 2) on: by then the customer should know whether it is
#: ready to work in new ways (ours: the guide lists Annex A beside the strategic assessment).
FROM_GATE_2 = frozenset({Stage.PROCUREMENT_STRATEGY, Stage.INVESTMENT_DECISION}) | AFTER_AWARD
#: A key role changing hands this many times in ROLE_WINDOW (two years) is "often".
ROLE_CHANGES_OFTEN = 2
#: Escalations are "rising" when at least this many steps up were taken in the last 90 days.
ESCALATIONS_RISING_MIN = 2
#: An arrangement is near exit within this many days of its contract end.
NEAR_EXIT_DAYS = 365


@dataclass(frozen=True)
class Finding:
    """What a rule says when it fires; severity and link may override the rule's."""

    message: str
    severity: Severity | None = None
    fix_kwargs: dict[str, Any] = field(default_factory=dict)
    fix_query: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    pitfall: str  # the guide's heading it comes from
    quote: str  # the guide's words
    explanation: str  # why it matters and what to do, in plain words
    severity: Severity
    fix: str  # URL name of the page where it is fixed (takes the arrangement's slug)
    fix_label: str
    check: Callable[[Facts], Finding | str | None]
    requires: tuple[str, ...] = ()
    when: Callable[[Facts], bool] | None = None

    def applies(self, facts: Facts) -> bool:
        if not all(apps.is_installed(app) for app in self.requires):
            return False
        return self.when is None or bool(self.when(facts))

    def fires(self, facts: Facts) -> EarlyWarning | None:
        if not self.applies(facts):
            return None
        found = self.check(facts)
        if not found:
            return None
        finding = Finding(found) if isinstance(found, str) else found
        return EarlyWarning(
            rule=self,
            message=finding.message,
            severity=finding.severity or self.severity,
            slug=facts.arrangement.slug,
            finding=finding,
        )


@dataclass(frozen=True)
class EarlyWarning:
    rule: Rule
    message: str
    severity: Severity
    slug: str
    finding: Finding | None = None

    @property
    def fix_url(self) -> str:
        """Where it is fixed. Resolved only when shown: a portfolio page lists a page of
        arrangements, and reversing a URL for every warning of a thousand would dominate it."""
        finding = self.finding or Finding("")
        try:
            url = reverse(self.rule.fix, kwargs={"slug": self.slug, **finding.fix_kwargs})
        except NoReverseMatch:
            # The feature's page is not installed: the overview is the nearest place.
            return reverse("arrangements:overview", kwargs={"slug": self.slug})
        return f"{url}?{finding.fix_query}" if finding.fix_query else url


RULES: dict[str, Rule] = {}


def rule(
    *,
    id: str,  # noqa: A002 - the rule's name
    title: str,
    pitfall: str,
    quote: str,
    explanation: str,
    severity: Severity,
    fix: str,
    fix_label: str,
    requires: tuple[str, ...] = (),
    when: Callable[[Facts], bool] | None = None,
) -> Callable[[Callable[[Facts], Finding | str | None]], Callable[[Facts], Finding | str | None]]:
    """Register an early-warning rule. The function returns None, or what to say when it fires."""

    def register(check: Callable[[Facts], Finding | str | None]) -> Callable[[Facts], Finding | str | None]:
        if id in RULES:
            raise ValueError(f"Two early-warning rules are named {id!r}.")
        RULES[id] = Rule(id, title, pitfall, quote, explanation, severity, fix, fix_label, check, requires, when)
        return check

    return register


def evaluate(facts: Facts) -> list[EarlyWarning]:
    """Every warning that fires for one arrangement, most severe first."""
    found = [w for r in RULES.values() if (w := r.fires(facts)) is not None]
    return sorted(found, key=lambda w: SEVERITY_ORDER[w.severity])


def health(warnings: list[EarlyWarning]) -> Health:
    """Red if any warning is high, amber if any is medium, green otherwise."""
    severities = {w.severity for w in warnings}
    if Severity.HIGH in severities:
        return Health.RED
    if Severity.MEDIUM in severities:
        return Health.AMBER
    return Health.GREEN


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _after_award(f: Facts) -> bool:
    return f.stage in AFTER_AWARD


# -- the wrong people; continuity ----------------------------------------------


@rule(
    id="leaders-missing",
    title="No SRO or SRIE named",
    pitfall="Common pitfalls: the wrong people",
    quote="Choosing the wrong individual for a crucial role could derail the whole arrangement.",
    explanation=(
        "The guide wants the SRO actively involved on the customer side from the start and, once a partner "
        "is chosen, the SRIE, their industry equivalent, on the provider side. Before contract award the "
        "arrangement is the customer's alone, so only the SRO is expected then. Name them on the Members page."
    ),
    severity=Severity.HIGH,
    fix="arrangements:members",
    fix_label="Name them on the Members page",
)
def leaders_missing(f: Facts) -> str | None:
    expected = ((Role.SRO, "SRO"), (Role.SRIE, "SRIE")) if _after_award(f) else ((Role.SRO, "SRO"),)
    missing = [label for role, label in expected if role not in f.leaders]
    if not missing:
        return None
    return f"No {' or '.join(missing)} is named for this arrangement."


@rule(
    id="key-role-churn",
    title="A key role changed hands often",
    pitfall="Common pitfalls: the wrong people; organisational learning (continuity)",
    quote="Continuity of staff can preserve corporate memory.",
    explanation=(
        f"The SRO, SRIE or a relationship manager changed {ROLE_CHANGES_OFTEN} or more times in two years. "
        "Each handover loses some of the relationship's memory: check the handover notes and the peers."
    ),
    severity=Severity.MEDIUM,
    fix="arrangements:members",
    fix_label="See who held each role on the Members page",
)
def key_role_churn(f: Facts) -> str | None:
    labels = {Role.SRO: "SRO", Role.SRIE: "SRIE", Role.RELATIONSHIP_MANAGER: "relationship manager"}
    # n holders started in the window means n - 1 changes within it.
    changed = {r: len(f.role_starts.get(r, [])) - 1 for r in KEY_ROLES}
    often = [
        f"the {labels[r]} role changed {_plural(n, 'time')}" for r, n in changed.items() if n >= ROLE_CHANGES_OFTEN
    ]
    if not often:
        return None
    return "In the last two years " + "; ".join(often) + "."


# -- lack of cultural readiness ------------------------------------------------


@rule(
    id="annex-a-no",
    title="An Annex A ‘No’ is unresolved",
    pitfall="Common pitfalls: lack of cultural readiness",
    quote=("If you answer ‘No’ to any of these questions, your organisation is not culturally ready for partnering."),
    explanation=(
        "The latest Annex A readiness checklist still has a ‘No’. Until a later Annex A answers every "
        "question ‘Yes’, the guide says the organisation is not ready to work in new ways."
    ),
    severity=Severity.HIGH,
    fix="assessments:results",
    fix_label="See the Annex A results",
)
def annex_a_no(f: Facts) -> Finding | None:
    latest = f.latest(ANNEX_A)
    if latest is None:
        return None
    noes = {side: v.flagged for side in latest.sides if (v := latest.verdict(side)) and v.code == "not_ready"}
    if not noes:
        return None
    parts = [f"the {Side(side).label.lower()} answered ‘No’ to {', '.join(ids)}" for side, ids in noes.items()]
    return Finding(f"In “{latest.title}” " + "; ".join(parts) + ".", fix_kwargs={"assessment_uuid": latest.uuid})


@rule(
    id="annex-a-missing",
    title="No Annex A readiness check",
    pitfall="Common pitfalls: lack of cultural readiness",
    quote=(
        "Although the benefits of partnering may be clear and achievable, the organisation may not be ready "
        "to work in new ways, or to be able to change in a short time."
    ),
    explanation=(
        "Annex A asks whether the organisation is ready to work in a partnering way. By the procurement "
        "strategy (Gate 2) the customer should have answered it, so that any ‘No’ can be dealt with before a "
        "partner is chosen; the customer may answer it alone. After award it is late, but still worth doing."
    ),
    severity=Severity.MEDIUM,
    fix="assessments:list",
    fix_label="Start Annex A on the Assessments page",
    # The customer's own check: a provider reader is not warned of what only the customer can do.
    when=lambda f: f.side == Side.CUSTOMER and f.stage in FROM_GATE_2,
)
def annex_a_missing(f: Facts) -> Finding | str | None:
    if any(Side.CUSTOMER in a.sides for a in f.assessments.get(ANNEX_A, [])):
        return None
    if _after_award(f):
        return Finding("The contract is let and the customer has no revealed Annex A.", severity=Severity.LOW)
    return "The procurement strategy is reached and the customer has no revealed Annex A readiness check."


@rule(
    id="annex-b-no-action",
    title="Annex B areas need attention and have no action",
    pitfall="Annex B: assessing the ongoing relationship",
    quote="If you answer ‘Partly’ or ‘Not at all’ to any question, that area needs your attention.",
    explanation=(
        "The latest Annex B assessment flagged areas that no action follows up. Raise an action from the "
        "results for each, so someone named will deal with it by a date."
    ),
    severity=Severity.MEDIUM,
    fix="assessments:results",
    fix_label="Raise actions from the Annex B results",
)
def annex_b_no_action(f: Facts) -> Finding | None:
    latest = f.latest(ANNEX_B)
    if latest is None:
        return None
    flagged: list[str] = []
    for side in latest.sides:
        verdict = latest.verdict(side)
        if verdict is not None:
            flagged += [q for q in verdict.flagged if q not in flagged]
    followed = f.action_questions.get(latest.id, set())
    orphans = [q for q in latest.bank.question_ids if q in flagged and q not in followed]
    if not orphans:
        return None
    return Finding(
        f"{_plural(len(orphans), 'area')} of “{latest.title}” without an action: {', '.join(orphans)}.",
        fix_kwargs={"assessment_uuid": latest.uuid},
    )


# -- unclear objectives --------------------------------------------------------


@rule(
    id="no-agreed-outcomes",
    title="No agreed shared business outcomes",
    pitfall="Common pitfalls: unclear objectives",
    quote=(
        "If the objectives of the arrangement for both parties are not clear at the outset, no amount of "
        "management effort will make the partnering relationship successful."
    ),
    explanation=(
        "Write the shared business outcomes on the overview and, from contract award, have both the SRO and "
        "the SRIE agree them. Before award the customer writes the outcomes it wants from the arrangement."
    ),
    severity=Severity.HIGH,
    fix="arrangements:overview",
    fix_label="Agree the outcomes on the overview",
)
def no_agreed_outcomes(f: Facts) -> Finding | str | None:
    if not _after_award(f):
        # Before award there is no partner to agree with: the customer's own outcomes must be written.
        if f.outcomes:
            return None
        return Finding(
            "No business outcomes are written down yet; write them before choosing a partner.",
            severity=Severity.MEDIUM,
        )
    if f.outcomes_agreed:
        return None
    if not f.outcomes:
        return "No shared business outcomes are written down."
    return f"{_plural(f.outcomes, 'shared business outcome')} written, none agreed by both sides."


# -- inadequate performance measurement ----------------------------------------


@rule(
    id="no-kpis",
    title="No KPIs",
    pitfall="Common pitfalls: inadequate performance measurement",
    quote=(
        "The level at which services are currently provided, or the baseline from which improvements can be "
        "measured, are crucial to the way in which providers’ performance will be assessed."
    ),
    explanation=(
        "The contract is let and no KPI is defined, so the provider's performance cannot be assessed. Define "
        "the KPIs together and agree their baselines."
    ),
    severity=Severity.MEDIUM,
    fix="kpis:list",
    fix_label="Define KPIs on the KPIs page",
    requires=("partnering.kpis",),
    when=_after_award,
)
def no_kpis(f: Facts) -> str | None:
    return None if f.kpis else "No KPIs are defined for this arrangement."


@rule(
    id="kpi-no-baseline",
    title="KPIs without an agreed baseline",
    pitfall="Common pitfalls: inadequate performance measurement",
    quote=(
        "The level at which services are currently provided, or the baseline from which improvements can be "
        "measured, are crucial to the way in which providers’ performance will be assessed."
    ),
    explanation="Propose a baseline for each KPI and have the other side agree it, before judging performance.",
    severity=Severity.MEDIUM,
    fix="kpis:list",
    fix_label="Agree baselines on the KPIs page",
    requires=("partnering.kpis",),
)
def kpi_no_baseline(f: Facts) -> str | None:
    missing = [k.name for k in f.kpis or [] if not k.baseline_agreed]
    if not missing:
        return None
    return f"{_plural(len(missing), 'KPI')} without an agreed baseline: {', '.join(missing[:5])}" + (
        "…" if len(missing) > 5 else "."
    )


# -- annual relationship health check ------------------------------------------


def _years_since(start: Any, today: Any) -> int:
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)


@rule(
    id="health-check-overdue",
    title="Annual health check overdue",
    pitfall="Relationship self-assessment questions: annual relationship health check",
    quote=(
        "The benefits that have resulted from taking a partnering approach should be acknowledged, and "
        "evaluating the relationship should be an integral part of contract management."
    ),
    explanation=(
        "The health check is due each year from the contract start. Run this year's cycle and reveal "
        "both sides' answers."
    ),
    severity=Severity.MEDIUM,
    fix="assessments:list",
    fix_label="Start the health check",
    when=lambda f: f.arrangement.contract_start is not None,
)
def health_check_overdue(f: Facts) -> str | None:
    start, end = f.arrangement.contract_start, f.arrangement.contract_end
    until = min(f.today, end) if end else f.today
    due_cycles = _years_since(start, until)
    if due_cycles < 1:
        return None
    done = f.assessments.get(HEALTH_CHECK, [])
    covered = max([len(done), *(a.cycle or 0 for a in done)])
    if covered >= due_cycles:
        return None
    return f"{_plural(due_cycles, 'health check')} due since the contract started; {covered} revealed."


# -- concerns and escalation ---------------------------------------------------


@rule(
    id="escalations-rising",
    title="Escalations rising",
    pitfall="Attitudes and behaviours: raising issues early",
    quote=(
        "One of the key benefits of effective partnering is being able to raise issues or areas of concern "
        "at an earlier stage, thereby making them easier to resolve."
    ),
    explanation=(
        "More concerns climbed the ladder in the last 90 days than in the 90 before: problems are being "
        "resolved higher up, later. Look at what is being escalated and why."
    ),
    severity=Severity.MEDIUM,
    fix="concerns:list",
    fix_label="Review the concern log",
    requires=("partnering.concerns",),
)
def escalations_rising(f: Facts) -> str | None:
    recent, before = f.escalations_recent or 0, f.escalations_before or 0
    if recent < ESCALATIONS_RISING_MIN or recent <= before:
        return None
    return f"{_plural(recent, 'escalation')} in the last 90 days, against {before} in the 90 days before."


# -- actions ---------------------------------------------------------------------


@rule(
    id="overdue-actions",
    title="Overdue actions",
    pitfall="Making partnering work: relationship management roles",
    quote=(
        "Their job will be to keep the relationship open and constructive, identifying problems early and "
        "moving to solve or escalate them as necessary."
    ),
    explanation="Actions past their due date: finish them, or agree a new date with their owners.",
    severity=Severity.MEDIUM,
    fix="actions:list",
    fix_label="See the actions",
)
def overdue_actions(f: Facts) -> str | None:
    if not f.overdue_actions:
        return None
    if f.overdue_actions == 1:
        return "1 action is past its due date."
    return f"{f.overdue_actions} actions are past their due date."


# -- the charter -----------------------------------------------------------------


@rule(
    id="charter-not-agreed",
    title="Partnering charter not agreed",
    pitfall="Making partnering work: a partnering agreement",
    quote="A ‘partnering charter’ … can be a useful addition to the main contract.",
    explanation=(
        "From contract award the charter should be agreed: signed by both the SRO and the SRIE. "
        "Draft it together, ideally in a facilitated workshop."
    ),
    severity=Severity.MEDIUM,
    fix="charter:detail",
    fix_label="Work on the charter",
    requires=("partnering.charter",),
    when=_after_award,
)
def charter_not_agreed(f: Facts) -> str | None:
    if f.charter is None or f.charter.agreed:
        return None
    if not f.charter.exists:
        return "There is no partnering charter yet."
    return "The charter has no version signed by both the SRO and the SRIE."


@rule(
    id="charter-review-overdue",
    title="Charter review overdue",
    pitfall="Making partnering work: team building and charter development meetings",
    quote="Subsequently there needs to be a series of team building and charter development meetings.",
    explanation="The charter's review date has passed: review it together and set the next date.",
    severity=Severity.LOW,
    fix="charter:detail",
    fix_label="Review the charter",
    requires=("partnering.charter",),
)
def charter_review_overdue(f: Facts) -> str | None:
    charter = f.charter
    if charter is None or charter.review_date is None or charter.review_date >= f.today:
        return None
    return f"The charter was due for review on {charter.review_date:%-d %B %Y}."


# -- exit planning ---------------------------------------------------------------


def _near_exit(f: Facts) -> bool:
    end = f.arrangement.contract_end
    return f.stage == Stage.EXIT or (end is not None and (end - f.today).days <= NEAR_EXIT_DAYS)


def _exit_confirmed(f: Facts) -> bool:
    """An exit feature's record when one is installed; otherwise the latest health check's
    question HC5 ("Will the chosen exit strategy allow you to disengage…?") answered ‘Yes’
    by every side whose answers the reader sees."""
    if f.exit_strategy is not None:
        return f.exit_strategy
    latest = f.latest(HEALTH_CHECK)
    if latest is None or "HC5" not in latest.bank.question_ids:
        return False
    return all(latest.answers.get(side, {}).get("HC5") == "yes" for side in latest.sides)


@rule(
    id="exit-strategy-missing",
    title="No exit strategy by contract award",
    pitfall="Developing the relationship: exit strategies",
    quote=(
        "Exit strategies and plans for recompetition should be developed at an early stage, so both parties "
        "understand what will happen at the end of the contract."
    ),
    explanation=(
        "The contract is let but nothing confirms an exit strategy (an exit plan, or ‘Yes’ to the health "
        "check's exit question HC5). Near the end of the contract this is urgent."
    ),
    severity=Severity.MEDIUM,
    fix="assessments:list",
    fix_label="Confirm the exit strategy",
    when=_after_award,
)
def exit_strategy_missing(f: Facts) -> Finding | None:
    if _exit_confirmed(f):
        return None
    if _near_exit(f):
        end = f.arrangement.contract_end
        when = f" The contract ends on {end:%-d %B %Y}." if end else ""
        return Finding("The arrangement is near its exit with no exit strategy confirmed." + when, Severity.HIGH)
    return Finding("The contract is let and no exit strategy is confirmed yet.")


# -- risks -------------------------------------------------------------------------


@rule(
    id="high-risk-no-owner",
    title="High risks without an owner",
    pitfall="Making partnering work: a shared risk register",
    quote="Clarity of who is responsible for and manages which risks is also essential.",
    explanation="Every red risk needs a named owner, the party best placed to manage it.",
    severity=Severity.HIGH,
    fix="risks:register",
    fix_label="Name owners in the risk register",
)
def high_risk_no_owner(f: Facts) -> Finding | None:
    if not f.unowned_high_risks:
        return None
    return Finding(
        f"{_plural(f.unowned_high_risks, 'open red risk')} with no owner.", fix_query="rating=red&owner=none"
    )


# -- perception gaps ---------------------------------------------------------------


@rule(
    id="perception-gap-widening",
    title="Perception gaps widening",
    pitfall="Annex B: assessing the ongoing relationship",
    quote=(
        "These questions help to highlight aspects that are perceived to be working well and those that "
        "require attention."
    ),
    explanation=(
        "From one cycle to the next, the customer and the provider see more questions differently (or "
        "further apart). Talk through the biggest gaps together."
    ),
    severity=Severity.MEDIUM,
    fix="assessments:trend",
    fix_label="See the trend",
)
def perception_gap_widening(f: Facts) -> Finding | None:
    for bank_key in (ANNEX_B, HEALTH_CHECK):
        cycles = [a for a in f.assessments.get(bank_key, []) if a.both_sides]
        if len(cycles) < 2:
            continue
        before, now = cycles[-2].gaps(), cycles[-1].gaps()
        size_before, size_now = sum(g.size for g in before), sum(g.size for g in now)
        if len(now) > len(before) or (len(now) == len(before) and size_now > size_before):
            return Finding(
                f"“{cycles[-1].title}”: {_plural(len(now), 'gap')} between the sides (total size {size_now}), "
                f"up from {len(before)} (size {size_before}) in the cycle before.",
                fix_kwargs={"bank_key": bank_key},
            )
    return None


# -- the Procurement Act 2023 beside the guide (ours: the guide predates the Act) -----


def _act_in_scope(f: Facts) -> bool:
    return f.procurement is not None and f.procurement.in_scope


@rule(
    id="procurement-kpis-not-published",
    title="Fewer than three KPIs published under the Procurement Act 2023",
    pitfall="Procurement Act 2023, s.52, beside the guide's collaborative performance management (ours)",
    quote=(
        "Collaborative performance management: a constructive, collaborative approach to setting targets and "
        "(in particular) baselines can help to build awareness of what can and cannot be achieved."
    ),
    explanation=(
        "For a contract under the Act worth £5 million or more, with no exemption, the customer must set and "
        "publish at least three KPIs before the contract is entered into. Mark the KPIs both sides agreed as "
        "the contract's published KPIs."
    ),
    severity=Severity.MEDIUM,
    fix="procurement:overview",
    fix_label="Mark the published KPIs on the Procurement Act page",
    requires=("partnering.procurement", "partnering.kpis"),
    when=_act_in_scope,
)
def procurement_kpis_not_published(f: Facts) -> Finding | None:
    from partnering.procurement.due import MINIMUM_KPIS

    published = f.procurement.published
    if published >= MINIMUM_KPIS:
        return None
    if published == 0:
        # None at all once the contract is let: the duty has been missed, not merely not yet met.
        severity = Severity.MEDIUM if f.procurement.before_award else Severity.HIGH
        return Finding("No KPIs are marked as the contract's published KPIs.", severity=severity)
    return Finding(f"Only {_plural(published, 'KPI')} published; the Act asks for at least {MINIMUM_KPIS}.")


@rule(
    id="procurement-notice-overdue",
    title="Contract performance notice overdue",
    pitfall="Procurement Act 2023, s.71, beside the guide's inadequate performance measurement (ours)",
    quote=(
        "The level at which services are currently provided, or the baseline from which improvements can be "
        "measured, are crucial to the way in which providers’ performance will be assessed"
    ),
    explanation=(
        "The Act asks for the supplier's performance against the published KPIs to be assessed, and a contract "
        "performance notice published, at least once every 12 months and on termination. Prepare the "
        "assessment with the provider and have the SRO approve it."
    ),
    severity=Severity.HIGH,
    fix="procurement:overview",
    fix_label="Prepare the assessment on the Procurement Act page",
    requires=("partnering.procurement",),
    when=_act_in_scope,
)
def procurement_notice_overdue(f: Facts) -> str | None:
    due = f.procurement.due
    if due is None or not due.overdue(f.today):
        return None
    why = "on termination" if due.reason == "termination" else "12 months after the last"
    return f"A contract performance notice was due by {due.on:%-d %B %Y} ({why}) and is not published."
