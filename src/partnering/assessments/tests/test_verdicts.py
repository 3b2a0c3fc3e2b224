"""The guide's verdict rules for Annex A, Annex B and the gate questions, and perception gaps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnering.assessments.bank_loader import builtin_bank, builtin_banks
from partnering.assessments.verdicts import (
    LABELS,
    Gap,
    annex_a_verdict,
    annex_b_verdict,
    attention_verdict,
    joint_verdict,
    perception_gaps,
    positive_values,
    verdict_for,
)

ANNEX_A = builtin_bank("annex-a")
ANNEX_B = builtin_bank("annex-b")
GATE_2 = builtin_bank("gate-2")


def every(bank, value):
    return {question_id: value for question_id in bank.question_ids}


def answers_for(bank, values):
    """Answer sheets for ``bank`` drawing each answer (None: unanswered) from ``values``."""
    return st.fixed_dictionaries({qid: st.sampled_from(values) for qid in bank.question_ids})


# --- Annex A --------------------------------------------------------------------------------------


def test_annex_a_all_yes_finds_no_barrier_and_does_not_claim_readiness():
    verdict = annex_a_verdict(every(ANNEX_A, "yes"), ANNEX_A)
    assert verdict.code == "ready"
    assert verdict.is_positive
    assert verdict.flagged == ()
    assert verdict.label == "No barrier found by the checklist"
    # The guide's test is only negative (line 314): nothing may say the organisation *is* ready.
    assert "does not by itself show" in verdict.explanation
    assert "Culturally ready" not in verdict.label


def test_annex_a_one_no_is_not_culturally_ready_and_names_the_question():
    answers = every(ANNEX_A, "yes") | {"A7": "no"}
    verdict = annex_a_verdict(answers, ANNEX_A)
    assert verdict.code == "not_ready"
    assert verdict.label == "Not culturally ready for partnering"
    assert not verdict.is_positive
    assert verdict.flagged == ("A7",)
    assert "not culturally ready for partnering" in verdict.explanation


def test_annex_a_a_no_decides_even_while_other_questions_are_unanswered():
    verdict = annex_a_verdict({"A2": "no", "A5": "yes"}, ANNEX_A)
    assert verdict.code == "not_ready"
    assert verdict.flagged == ("A2",)
    assert "A1" in verdict.unanswered


def test_annex_a_unanswered_questions_make_it_incomplete():
    answers = every(ANNEX_A, "yes") | {"A3": None, "A10": ""}
    verdict = annex_a_verdict(answers, ANNEX_A)
    assert verdict.code == "incomplete"
    assert not verdict.is_positive
    assert verdict.flagged == ()
    assert verdict.unanswered == ("A3", "A10")


@given(answers_for(ANNEX_A, ["yes", "no", None]))
def test_any_no_in_annex_a_means_not_ready_flagging_exactly_the_noes(answers):
    noes = tuple(qid for qid in ANNEX_A.question_ids if answers[qid] == "no")
    verdict = annex_a_verdict(answers, ANNEX_A)
    assert verdict.flagged == noes
    if noes:
        assert verdict.code == "not_ready" and not verdict.is_positive
    else:
        assert verdict.code in {"ready", "incomplete"}
        assert verdict.is_positive == (None not in answers.values())


# --- Annex B --------------------------------------------------------------------------------------


def test_annex_b_fully_or_largely_everywhere_is_going_well():
    answers = every(ANNEX_B, "fully") | {"B4": "largely"}
    verdict = annex_b_verdict(answers, ANNEX_B)
    assert (verdict.code, verdict.is_positive, verdict.flagged) == ("going_well", True, ())
    assert "the relationship is going well" in verdict.explanation


def test_annex_b_partly_or_not_at_all_flags_those_areas():
    answers = every(ANNEX_B, "largely") | {"B2": "partly", "B9": "not_at_all"}
    verdict = annex_b_verdict(answers, ANNEX_B)
    assert verdict.code == "needs_attention"
    assert verdict.label == "Needs attention"
    assert verdict.flagged == ("B2", "B9")
    assert "needs your attention" in verdict.explanation


def test_annex_b_unanswered_questions_make_it_incomplete():
    verdict = annex_b_verdict({"B1": "fully"}, ANNEX_B)
    assert verdict.code == "incomplete"
    assert len(verdict.unanswered) == 8


@given(answers_for(ANNEX_B, ["fully", "largely"]))
def test_all_fully_or_largely_in_annex_b_is_going_well(answers):
    verdict = annex_b_verdict(answers, ANNEX_B)
    assert verdict.code == "going_well"
    assert verdict.is_positive


@given(answers_for(ANNEX_B, ["fully", "largely", "partly", "not_at_all", None]))
def test_any_partly_or_not_at_all_in_annex_b_flags_exactly_those(answers):
    weak = tuple(qid for qid in ANNEX_B.question_ids if answers[qid] in ("partly", "not_at_all"))
    verdict = annex_b_verdict(answers, ANNEX_B)
    assert verdict.flagged == weak
    if weak:
        assert verdict.code == "needs_attention" and not verdict.is_positive


# --- Gate banks -----------------------------------------------------------------------------------


def test_gate_questions_all_yes_raise_no_concerns():
    verdict = attention_verdict(every(GATE_2, "yes"), GATE_2)
    assert (verdict.code, verdict.label, verdict.is_positive) == (
        "no_concerns",
        "No concerns",
        True,
    )


def test_gate_questions_flag_partly_no_and_not_yet_known():
    answers = every(GATE_2, "yes") | {"G2.3": "partly", "G2.5": "no", "G2.14": "not_yet_known"}
    verdict = attention_verdict(answers, GATE_2)
    assert verdict.code == "needs_attention"
    assert verdict.flagged == ("G2.3", "G2.5", "G2.14")


@given(answers_for(GATE_2, ["yes", "partly", "no", "not_yet_known", None]))
def test_any_gate_answer_short_of_yes_is_flagged(answers):
    short = tuple(qid for qid in GATE_2.question_ids if answers[qid] not in ("yes", None))
    verdict = attention_verdict(answers, GATE_2)
    assert verdict.flagged == short
    assert verdict.is_positive == (set(answers.values()) == {"yes"})


# --- Dispatch and bad input -----------------------------------------------------------------------


@pytest.mark.parametrize("bank", builtin_banks(), ids=lambda bank: bank.key)
def test_every_builtin_bank_gets_a_positive_verdict_when_all_answers_are_its_best(bank):
    verdict = verdict_for(bank, every(bank, bank.scale.top.value))
    assert verdict.is_positive
    assert verdict.code == {"annex_a": "ready", "annex_b": "going_well"}.get(bank.verdict_rule, "no_concerns")


@pytest.mark.parametrize("bank", builtin_banks(), ids=lambda bank: bank.key)
def test_every_builtin_bank_is_incomplete_with_no_answers(bank):
    verdict = verdict_for(bank, {})
    assert verdict.code == "incomplete"
    assert verdict.unanswered == bank.question_ids


def test_an_answer_off_the_scale_is_refused():
    with pytest.raises(ValueError, match="not an answer on scale"):
        verdict_for(ANNEX_A, {"A1": "partly"})


def test_an_answer_to_a_question_not_in_the_bank_is_refused():
    with pytest.raises(ValueError, match="not in bank"):
        verdict_for(ANNEX_A, {"B1": "yes"})


def test_an_annex_rule_refuses_a_bank_on_another_scale():
    with pytest.raises(ValueError, match="needs a 'yes_no' bank"):
        annex_a_verdict({}, ANNEX_B)


def test_positive_answers_follow_each_rule():
    assert positive_values(ANNEX_A) == {"yes"}
    assert positive_values(ANNEX_B) == {"fully", "largely"}
    assert positive_values(GATE_2) == {"yes"}


def test_labels_are_sentence_case():
    for label in LABELS.values():
        assert label[0].isupper() and label[1:] == label[1:].lower()


# --- Joint verdict --------------------------------------------------------------------------------


def test_the_arrangement_is_going_well_only_if_both_sides_say_so():
    verdict = joint_verdict(ANNEX_B, every(ANNEX_B, "fully"), every(ANNEX_B, "largely"))
    assert (verdict.code, verdict.is_positive) == ("going_well", True)


def test_one_sides_concern_is_the_arrangements_concern_with_flags_combined():
    customer = every(ANNEX_B, "fully") | {"B6": "partly"}
    provider = every(ANNEX_B, "largely") | {"B2": "not_at_all", "B6": "not_at_all"}
    verdict = joint_verdict(ANNEX_B, customer, provider)
    assert verdict.code == "needs_attention"
    assert not verdict.is_positive
    assert verdict.flagged == ("B2", "B6")
    assert "both sides’ answers say ‘Needs attention’" in verdict.explanation


def test_when_both_sides_say_the_same_the_explanation_says_it_once():
    verdict = joint_verdict(ANNEX_B, every(ANNEX_B, "partly"), every(ANNEX_B, "not_at_all"))

    label = verdict_for(ANNEX_B, every(ANNEX_B, "partly")).label
    assert f"both sides’ answers say ‘{label}’." in verdict.explanation
    assert verdict.explanation.count(label) == 1


def test_when_the_sides_differ_the_explanation_names_each():
    verdict = joint_verdict(ANNEX_B, every(ANNEX_B, "fully"), every(ANNEX_B, "partly"))

    assert "the customer’s answers say" in verdict.explanation and "the provider’s" in verdict.explanation


def test_a_side_yet_to_answer_keeps_the_arrangement_incomplete():
    verdict = joint_verdict(ANNEX_A, every(ANNEX_A, "yes"), {})
    assert verdict.code == "incomplete"
    assert verdict.unanswered == ANNEX_A.question_ids


def test_not_ready_outranks_incomplete_in_the_joint_verdict():
    verdict = joint_verdict(ANNEX_A, {}, every(ANNEX_A, "yes") | {"A4": "no"})
    assert verdict.code == "not_ready"
    assert verdict.flagged == ("A4",)


# --- Perception gaps ------------------------------------------------------------------------------


def test_gaps_measure_how_far_apart_the_two_sides_are_biggest_first():
    customer = {"B1": "fully", "B2": "fully", "B3": "largely", "B4": "partly", "B5": "fully"}
    provider = {"B1": "not_at_all", "B2": "partly", "B3": "partly", "B4": "partly", "B5": "largely"}
    assert perception_gaps(ANNEX_B, customer, provider) == [
        Gap("B1", "fully", "not_at_all", 3, True),
        Gap("B2", "fully", "partly", 2, True),
        Gap("B3", "largely", "partly", 1, True),
        Gap("B5", "fully", "largely", 1, False),
    ]


def test_a_gap_with_not_yet_known_has_size_zero_but_is_still_a_gap():
    gaps = perception_gaps(
        GATE_2,
        {"G2.1": "yes", "G2.2": "no", "G2.3": "not_yet_known"},
        {"G2.1": "not_yet_known", "G2.2": "not_yet_known", "G2.3": "not_yet_known"},
    )
    assert gaps == [
        Gap("G2.1", "yes", "not_yet_known", 0, True),
        Gap("G2.2", "no", "not_yet_known", 0, False),
    ]


def test_a_question_only_one_side_answered_is_not_a_gap():
    assert perception_gaps(ANNEX_B, {"B1": "fully"}, {"B1": None, "B2": "partly"}) == []


@pytest.mark.parametrize("bank", [ANNEX_A, ANNEX_B, GATE_2], ids=lambda bank: bank.key)
@given(data=st.data())
def test_gaps_are_symmetric_and_sorted(bank, data):
    values = [*bank.scale.values, None]
    customer = data.draw(answers_for(bank, values))
    provider = data.draw(answers_for(bank, values))
    forward = perception_gaps(bank, customer, provider)
    backward = perception_gaps(bank, provider, customer)

    assert [(g.question_id, g.size, g.crosses_threshold) for g in forward] == [
        (g.question_id, g.size, g.crosses_threshold) for g in backward
    ]
    assert [(g.customer_value, g.provider_value) for g in forward] == [
        (g.provider_value, g.customer_value) for g in backward
    ]
    order = {qid: i for i, qid in enumerate(bank.question_ids)}
    keys = [(-g.size, not g.crosses_threshold, order[g.question_id]) for g in forward]
    assert keys == sorted(keys)
    for gap in forward:
        assert gap.size >= 0
        assert gap.customer_value != gap.provider_value
        assert None not in (gap.customer_value, gap.provider_value)
    differing = {
        qid
        for qid in bank.question_ids
        if None not in (customer[qid], provider[qid]) and customer[qid] != provider[qid]
    }
    assert {g.question_id for g in forward} == differing
