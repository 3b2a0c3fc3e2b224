"""Reads: results with the guide's verdicts and gaps, the annual schedule, the list of assessments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partnering.arrangements.models import Arrangement
from partnering.assessments import selectors, services
from partnering.assessments.models import Assessment, QuestionBank
from partnering.assessments.tests.test_services import (
    agree_all,
    answer_all,
    invite,
    reveal,
    start,
    submit_side,
)
from partnering.core.choices import Side

B_ALL = [f"B{n}" for n in range(1, 10)]


def _annex_b(value: str = "largely", **overrides: str) -> dict[str, str]:
    return {**{qid: value for qid in B_ALL}, **overrides}


def _results(world, assessment, user=None):
    return selectors.results(access=world.access(user or world.alice), assessment=assessment)


# -- verdicts and gaps ------------------------------------------------------------------------


def test_one_no_in_annex_a_means_not_culturally_ready(world):
    answers = {f"A{n}": "yes" for n in range(1, 11)}
    assessment = reveal(world, start(world, "annex-a"), customer={**answers, "A7": "no"}, provider=answers)

    res = _results(world, assessment)

    assert res.customer_verdict.code == "not_ready"
    assert res.customer_verdict.flagged == ("A7",)
    assert res.provider_verdict.code == "ready"
    assert res.joint.code == "not_ready"


def test_annex_b_all_fully_or_largely_is_going_well(world):
    assessment = reveal(world, start(world, "annex-b"), customer=_annex_b(B3="fully"), provider=_annex_b())

    res = _results(world, assessment)

    assert (res.customer_verdict.code, res.provider_verdict.code, res.joint.code) == ("going_well",) * 3
    assert not any(row.customer_flagged or row.provider_flagged for row in res.rows)


def test_a_partly_flags_exactly_that_question(world):
    assessment = reveal(world, start(world, "annex-b"), customer=_annex_b(B6="partly"), provider=_annex_b())

    res = _results(world, assessment)

    assert res.customer_verdict.code == "needs_attention"
    assert res.customer_verdict.flagged == ("B6",)
    assert [row.question.id for row in res.rows if row.customer_flagged] == ["B6"]
    assert not any(row.provider_flagged for row in res.rows)


def test_gaps_are_listed_largest_first(world):
    assessment = reveal(
        world,
        start(world, "annex-b"),
        customer=_annex_b(B2="partly", B5="not_at_all", B8="fully"),
        provider=_annex_b("fully"),
    )

    res = _results(world, assessment)

    assert [(g.question_id, g.size) for g in res.gaps][:3] == [("B5", 3), ("B2", 2), ("B1", 1)]
    assert "B8" not in [g.question_id for g in res.gaps]
    sizes = [g.size for g in res.gaps]
    assert sizes == sorted(sizes, reverse=True)
    assert next(row.gap for row in res.rows if row.question.id == "B5").crosses_threshold


def test_the_mirror_compares_how_a_side_sees_itself_with_how_the_other_sees_it(world):
    assessment = start(world, "annex-b")
    agree_all(world, assessment, world.alice, "largely")
    agree_all(world, assessment, world.bob, "largely")
    services.agreed_answer_save(
        access=world.access(world.bob), assessment=assessment, question_id="B2", perspective="other", value="partly"
    )
    submit_side(world, assessment, world.alice)
    assessment = submit_side(world, assessment, world.bob)

    res = _results(world, assessment)

    # The customer says "largely" of itself on B2; the provider, looking at the customer, says "partly".
    assert [(g.question_id, g.customer_value, g.provider_value) for g in res.mirror_gaps["customer"]] == [
        ("B2", "largely", "partly")
    ]
    assert res.mirror_gaps["provider"] == []


def test_results_list_the_respondents_of_both_sides_by_name(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol, world.peter)

    res = _results(world, assessment)

    assert [(r.name, r.side) for r in res.respondents] == [
        ("Carol Chen", Side.CUSTOMER),
        ("Peter Price", Side.PROVIDER),
    ]


# -- the lead's view of their side --------------------------------------------------------------


def test_the_lead_reads_the_individual_answers_of_their_own_side_only(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol, world.peter)
    answer_all(world, assessment, world.carol, "yes")
    answer_all(world, assessment, world.peter, "no")

    visible = selectors.visible_answers(access=world.access(world.alice), assessment=assessment, agreed_only=False)

    assert {(a.side, a.respondent.name) for a in visible} == {(Side.CUSTOMER, "Carol Chen")}


def test_a_respondent_reads_their_own_answers_but_not_their_colleagues(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol, world.alice)
    answer_all(world, assessment, world.carol, "yes")
    answer_all(world, assessment, world.alice, "no")

    visible = selectors.visible_answers(access=world.access(world.carol), assessment=assessment, agreed_only=False)

    assert {a.respondent.name for a in visible} == {"Carol Chen"}


# -- the list and the schedule --------------------------------------------------------------------


def test_the_list_counts_respondents_and_submissions(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol, world.peter)
    answer_all(world, assessment, world.carol, "yes")
    services.respondent_submit(access=world.access(world.carol), assessment=assessment)

    row = selectors.assessments_for(access=world.access(world.alice)).get()

    assert (row.respondent_count, row.submitted_count) == (2, 1)


def test_the_list_leaves_out_other_arrangements(world):
    start(world, "annex-a")

    assert not selectors.assessments_for(access=world.access(world.charlie, world.other_arrangement)).exists()


@pytest.fixture
def two_years_in(world):
    start_date = timezone.localdate() - timedelta(days=2 * 365 + 10)
    Arrangement.objects.filter(pk=world.arrangement.pk).update(contract_start=start_date)
    return start_date


def test_the_annual_checks_are_scheduled_from_contract_award(world, two_years_in):
    items = selectors.schedule(access=world.access(world.alice))

    listed = {(i.bank_key, i.cycle): i.status for i in items}
    for key in ("annex-b", "annual-health-check"):
        assert listed[(key, 1)] == "overdue"
        assert listed[(key, 2)] == "overdue"
        assert listed[(key, 3)] == "scheduled"
    assert {k for k, _ in listed} == {"annex-b", "annual-health-check"}
    assert [i.due for i in items] == sorted(i.due for i in items)


def test_a_revealed_cycle_shows_done_on_the_schedule(world, two_years_in):
    # Two years after contract award the check started now covers contract year 2;
    # year 1 was never done and stays overdue.
    revealed = reveal(world, start(world, "annex-b"))

    items = {(i.bank_key, i.cycle): i for i in selectors.schedule(access=world.access(world.alice))}

    assert revealed.cycle == 2
    assert items[("annex-b", 2)].status == "done"
    assert items[("annex-b", 2)].assessment == revealed
    assert items[("annex-b", 1)].status == "overdue"
    assert items[("annex-b", 1)].assessment is None
    assert items[("annual-health-check", 1)].status == "overdue"


def test_a_second_check_in_the_same_year_after_the_first_is_revealed_covers_the_next_contract_year(world, two_years_in):
    first = reveal(world, start(world, "annex-b"))
    second = start(world, "annex-b")

    assert (first.cycle, second.cycle) == (2, 3)


def test_a_second_check_is_refused_while_this_years_is_still_collecting(world, two_years_in):
    first = start(world, "annex-b")

    with pytest.raises(ValidationError) as refused:
        start(world, "annex-b")

    assert first.cycle == 2
    assert "contract year 2 is still collecting answers" in str(refused.value.message_dict["bank"])
    assert Assessment.objects.filter(bank__key="annex-b").count() == 1


def test_a_check_due_within_sixty_days_is_due_soon(world):
    start_date = timezone.localdate() - timedelta(days=365 - 30)
    Arrangement.objects.filter(pk=world.arrangement.pk).update(contract_start=start_date)

    items = selectors.schedule(access=world.access(world.alice))

    assert {(i.cycle, i.status) for i in items} == {(1, "due")}


def test_nothing_is_scheduled_without_a_contract_start(world):
    assert selectors.schedule(access=world.access(world.alice)) == []


def test_nothing_is_scheduled_after_the_contract_ends(world, two_years_in):
    Arrangement.objects.filter(pk=world.arrangement.pk).update(contract_end=two_years_in + timedelta(days=400))

    items = selectors.schedule(access=world.access(world.alice))

    assert {i.cycle for i in items} == {1}


def test_the_banks_available_are_the_built_in_ones_and_the_two_organisations_own(world):
    spec = QuestionBank.objects.get(key="annex-a", is_current=True).spec
    QuestionBank.objects.create(key="ours", version=1, title="Ours", spec=spec, organisation=world.customer)
    QuestionBank.objects.create(key="theirs", version=1, title="Theirs", spec=spec, organisation=world.provider)
    QuestionBank.objects.create(
        key="elsewhere", version=1, title="Elsewhere", spec=spec, organisation=world.other_arrangement.customer
    )

    keys = {b.key for b in selectors.banks_available(access=world.access(world.bob))}

    assert {"ours", "theirs", "annex-a", "annex-b"} <= keys
    assert "elsewhere" not in keys
