"""Verdicts and perception gaps: the guide's rules for reading a checklist's answers.

Pure functions over a ``BankSpec`` and a mapping of question id to answer value, so the same rules
serve pages, the API, reports and tests without touching the database.

Answers: a value from the bank's scale, or ``None`` / ``""`` for "not answered yet" (what a form
submits for an untouched question). An id the bank does not have, or a value its scale does not
have, raises ``ValueError``: answers are always read against the bank snapshot they were given on,
so a mismatch is a bug to surface, not something to guess around.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .bank_loader import BankSpec

__all__ = [
    "Gap",
    "Verdict",
    "annex_a_verdict",
    "annex_b_verdict",
    "attention_verdict",
    "joint_verdict",
    "perception_gaps",
    "positive_values",
    "verdict_for",
]

Answers = Mapping[str, str | None]

READY = "ready"
NOT_READY = "not_ready"
GOING_WELL = "going_well"
NEEDS_ATTENTION = "needs_attention"
NO_CONCERNS = "no_concerns"
INCOMPLETE = "incomplete"

LABELS: dict[str, str] = {
    # The guide gives Annex A only as a negative test (a "No" means not culturally ready), so an
    # all-"Yes" answer is reported as what it is, not as proof of readiness (issue 14).
    READY: "No barrier found by the checklist",
    NOT_READY: "Not culturally ready for partnering",
    GOING_WELL: "Relationship is going well",
    NEEDS_ATTENTION: "Needs attention",
    NO_CONCERNS: "No concerns",
    INCOMPLETE: "Incomplete",
}
POSITIVE_CODES = frozenset({READY, GOING_WELL, NO_CONCERNS})
NEGATIVE_CODES = frozenset({NOT_READY, NEEDS_ATTENTION})


@dataclass(frozen=True)
class Verdict:
    """What one set of answers says, in the guide's words.

    ``flagged``: ids (in bank order) of answers that make the verdict negative: the Annex A "No"s,
    the Annex B "Partly"/"Not at all"s, or any gate answer short of the best. ``unanswered``: ids
    still without an answer; they never count as flagged, but they keep a verdict from being
    positive, because the guide's positive verdicts are about *all* the questions.
    """

    code: str
    label: str
    explanation: str
    flagged: tuple[str, ...]
    is_positive: bool
    unanswered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gap:
    """A question that the customer and the provider answered differently.

    ``size`` is the distance between the two answers' scores (0 when either has no score, such as
    "Not yet known"); ``crosses_threshold`` is true when one side's answer is positive and the
    other's needs attention: the disagreements most worth a conversation.
    """

    question_id: str
    customer_value: str
    provider_value: str
    size: int
    crosses_threshold: bool


def positive_values(bank: BankSpec) -> frozenset[str]:
    """Answers that need no attention under the bank's verdict rule.

    Annex A: only "Yes". Annex B: "Fully" or "Largely". Gate banks ("attention"): only the scale's
    best answer, so "Partly", "No" and "Not yet known" all need attention.
    """
    if bank.verdict_rule == "annex_a":
        return frozenset({"yes"})
    if bank.verdict_rule == "annex_b":
        return frozenset({"fully", "largely"})
    return frozenset({bank.scale.top.value})


def _read(bank: BankSpec, answers: Answers) -> list[tuple[str, str | None]]:
    """Each of the bank's questions with its answer (None if unanswered), in bank order."""
    unknown = sorted(set(answers) - set(bank.question_ids))
    if unknown:
        raise ValueError(f"answers for questions not in bank {bank.key!r}: {', '.join(unknown)}")
    values = set(bank.scale.values)
    result: list[tuple[str, str | None]] = []
    for question_id in bank.question_ids:
        value = answers.get(question_id) or None
        if value is not None and value not in values:
            raise ValueError(f"{value!r} is not an answer on scale {bank.scale.key!r} (question {question_id})")
        result.append((question_id, value))
    return result


def _require_scale(bank: BankSpec, scale_key: str, rule: str) -> None:
    if bank.scale.key != scale_key:
        raise ValueError(f"the {rule} rule needs a {scale_key!r} bank, not {bank.scale.key!r}")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _still_unanswered(unanswered: list[str]) -> str:
    count = len(unanswered)
    return f"{_plural(count, 'question')} still {'has' if count == 1 else 'have'} no answer"


def _verdict(code: str, explanation: str, flagged: Iterable[str], unanswered: Iterable[str]) -> Verdict:
    return Verdict(
        code=code,
        label=LABELS[code],
        explanation=explanation,
        flagged=tuple(flagged),
        is_positive=code in POSITIVE_CODES,
        unanswered=tuple(unanswered),
    )


def annex_a_verdict(answers: Answers, bank: BankSpec) -> Verdict:
    """Annex A: "If you answer 'No' to any of these questions, your organisation is not culturally
    ready for partnering."

    A single "No" decides the verdict even while other questions are unanswered; "ready" needs every
    question answered "Yes".
    """
    _require_scale(bank, "yes_no", "Annex A")
    read = _read(bank, answers)
    noes = [qid for qid, value in read if value == "no"]
    unanswered = [qid for qid, value in read if value is None]
    if noes:
        explanation = (
            "Annex A says that if you answer ‘No’ to any of these questions, your organisation "
            f"is not culturally ready for partnering, and {_plural(len(noes), 'question')} "
            f"{'was' if len(noes) == 1 else 'were'} answered ‘No’."
        )
        return _verdict(NOT_READY, explanation, noes, unanswered)
    if unanswered:
        explanation = (
            f"Annex A’s readiness test needs an answer to every question, and {_still_unanswered(unanswered)}."
        )
        return _verdict(INCOMPLETE, explanation, (), unanswered)
    explanation = (
        "Every Annex A question was answered ‘Yes’, so the checklist found no barrier. The guide gives "
        "only the negative test: a ‘Yes’ throughout does not by itself show that the organisation is "
        "culturally ready for partnering."
    )
    return _verdict(READY, explanation, (), ())


def annex_b_verdict(answers: Answers, bank: BankSpec) -> Verdict:
    """Annex B: "If you answer 'Fully' or 'Largely' to these questions, the relationship is going
    well. If you answer 'Partly' or 'Not at all' to any question, that area needs your attention."

    Flags exactly the "Partly" and "Not at all" answers; "going well" needs every question answered.
    """
    _require_scale(bank, "fully_largely_partly_not", "Annex B")
    read = _read(bank, answers)
    weak = [qid for qid, value in read if value in ("partly", "not_at_all")]
    unanswered = [qid for qid, value in read if value is None]
    if weak:
        explanation = (
            "Annex B says that if you answer ‘Partly’ or ‘Not at all’ to any question, that area "
            f"needs your attention, and {_plural(len(weak), 'area')} "
            f"{'was' if len(weak) == 1 else 'were'} answered that way."
        )
        return _verdict(NEEDS_ATTENTION, explanation, weak, unanswered)
    if unanswered:
        explanation = f"Annex B’s test needs an answer to every question, and {_still_unanswered(unanswered)}."
        return _verdict(INCOMPLETE, explanation, (), unanswered)
    explanation = (
        "Annex B says that if you answer ‘Fully’ or ‘Largely’ to these questions, the relationship "
        "is going well, and every question was answered that way."
    )
    return _verdict(GOING_WELL, explanation, (), ())


def attention_verdict(answers: Answers, bank: BankSpec) -> Verdict:
    """The guide's self-assessment questions "are designed to help SROs to self-assess the
    development of the partnering relationship at key points in the procurement lifecycle".

    The guide gives these open questions no pass mark, so we read them as it reads Annex B: any
    answer short of the scale's best ("Partly", "No", "Not yet known") flags that question for the
    SRO's attention; "no concerns" needs every question answered with the best answer.
    """
    positive = positive_values(bank)
    best = bank.scale.top.label
    read = _read(bank, answers)
    flagged = [qid for qid, value in read if value is not None and value not in positive]
    unanswered = [qid for qid, value in read if value is None]
    if flagged:
        explanation = (
            "The guide’s self-assessment questions help the SRO judge how the partnering "
            f"relationship is developing, and {_plural(len(flagged), 'answer')} short of "
            f"‘{best}’ {'needs' if len(flagged) == 1 else 'need'} attention."
        )
        return _verdict(NEEDS_ATTENTION, explanation, flagged, unanswered)
    if unanswered:
        explanation = (
            "The guide’s self-assessment is only complete when every question is answered, and "
            f"{_still_unanswered(unanswered)}."
        )
        return _verdict(INCOMPLETE, explanation, (), unanswered)
    explanation = (
        f"Every question was answered ‘{best}’, so the guide’s self-assessment raises no concerns "
        "about how the partnering relationship is developing."
    )
    return _verdict(NO_CONCERNS, explanation, (), ())


_RULES: dict[str, Callable[[Answers, BankSpec], Verdict]] = {
    "annex_a": annex_a_verdict,
    "annex_b": annex_b_verdict,
    "attention": attention_verdict,
}


def verdict_for(bank: BankSpec, answers: Answers) -> Verdict:
    """The verdict under the rule the bank names (``verdict_rule``)."""
    try:
        rule = _RULES[bank.verdict_rule]
    except KeyError:
        raise ValueError(f"bank {bank.key!r} has unknown verdict rule {bank.verdict_rule!r}") from None
    return rule(answers, bank)


def _rank(verdict: Verdict) -> int:
    if verdict.code in NEGATIVE_CODES:
        return 2
    return 1 if verdict.code == INCOMPLETE else 0


def _union(bank: BankSpec, *groups: Iterable[str]) -> tuple[str, ...]:
    ids = set().union(*groups)
    return tuple(qid for qid in bank.question_ids if qid in ids)


def joint_verdict(bank: BankSpec, customer: Answers, provider: Answers) -> Verdict:
    """The arrangement-level verdict: partnering "will require effort and commitment from both
    sides to make the relationship work", so it is positive only if both sides' verdicts are.

    The code is the worse of the two (negative, then incomplete, then positive); ``flagged`` and
    ``unanswered`` are the unions of the two sides', in bank order.
    """
    ours = verdict_for(bank, customer)
    theirs = verdict_for(bank, provider)
    code = max((ours, theirs), key=_rank).code
    if ours.label == theirs.label:
        said = f"both sides’ answers say ‘{ours.label}’"
    else:
        said = f"the customer’s answers say ‘{ours.label}’ and the provider’s ‘{theirs.label}’"
    explanation = (
        f"Partnering needs commitment from both sides, so the arrangement’s verdict is positive "
        f"only when both are: {said}."
    )
    return _verdict(
        code,
        explanation,
        _union(bank, ours.flagged, theirs.flagged),
        _union(bank, ours.unanswered, theirs.unanswered),
    )


def perception_gaps(bank: BankSpec, customer: Answers, provider: Answers) -> list[Gap]:
    """Where the two sides see the same question differently, biggest disagreements first.

    Only questions both sides have answered, and answered differently, are gaps: an unanswered
    question is a missing answer (the verdict reports it as incomplete), not a difference of view.
    A difference involving an unscored answer ("Not yet known") has size 0 but is still a gap,
    and crosses the threshold if the other side thought all was well.

    Sorted by size (largest first), then threshold-crossing gaps first, then bank order. Swapping
    customer and provider swaps the values but gives the same gaps in the same order.
    """
    positive = positive_values(bank)
    ours = dict(_read(bank, customer))
    theirs = dict(_read(bank, provider))
    gaps: list[tuple[int, Gap]] = []
    for question in bank.questions:
        a, b = ours[question.id], theirs[question.id]
        if a is None or b is None or a == b:
            continue
        score_a, score_b = bank.scale.score(a), bank.scale.score(b)
        size = abs(score_a - score_b) if score_a is not None and score_b is not None else 0
        gap = Gap(question.id, a, b, size, (a in positive) != (b in positive))
        gaps.append((question.order, gap))
    gaps.sort(key=lambda item: (-item[1].size, not item[1].crosses_threshold, item[0]))
    return [gap for _, gap in gaps]
