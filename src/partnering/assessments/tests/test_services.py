"""The self-assessment lifecycle: start, invite, remind, answer, agree, reveal, carry over, close.

The helpers at the top build assessments through the services, as people would; the other test
modules of this package import them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partnering.accounts.models import User
from partnering.assessments import selectors, services
from partnering.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Participation,
    QuestionBank,
    Respondent,
)
from partnering.core.audit import set_actor
from partnering.core.choices import Role, Side, Stage
from partnering.testing import UserFactory, add_member

# -- helpers (used by the other test modules too) ---------------------------------------------


def current_bank(key: str) -> QuestionBank:
    return QuestionBank.objects.get(key=key, is_current=True)


def start(world, key: str = "annex-b", *, by=None, **kwargs) -> Assessment:
    """Start an assessment. Where the bank offers "how we see the other party", these tests ask it
    unless told otherwise (the product's default, one perspective, has tests of its own)."""
    bank = current_bank(key)
    kwargs.setdefault("ask_other_view", "other" in bank.bank.perspectives)
    return services.assessment_start(access=world.access(by or world.alice), bank=bank, **kwargs)


def invite(world, assessment: Assessment, *users) -> list[Respondent]:
    return services.respondents_invite(access=world.access(world.alice), assessment=assessment, users=users)


def _value_for(values, question_id: str) -> str:
    return values if isinstance(values, str) else values[question_id]


def answer_all(world, assessment: Assessment, user, values, comment: str = "") -> None:
    """The respondent answers every question; `values` is one value or {question id: value}."""
    spec = assessment.spec
    for q in spec.questions:
        for perspective in spec.perspectives:
            services.answer_save(
                access=world.access(user),
                assessment=assessment,
                question_id=q.id,
                perspective=perspective,
                value=_value_for(values, q.id),
                comment=comment,
            )


def agree_all(world, assessment: Assessment, lead, values, comment: str = "") -> None:
    """The side lead records an agreed answer to every question."""
    spec = assessment.spec
    for q in spec.questions:
        for perspective in spec.perspectives:
            services.agreed_answer_save(
                access=world.access(lead),
                assessment=assessment,
                question_id=q.id,
                perspective=perspective,
                value=_value_for(values, q.id),
                comment=comment,
            )


def submit_side(world, assessment: Assessment, lead, *, unanswered_confirmed: bool = True) -> Assessment:
    """The lead submits the side, confirming it when some respondents have not answered."""
    return services.side_submit(
        access=world.access(lead), assessment=assessment, unanswered_confirmed=unanswered_confirmed
    )


def reveal(world, assessment: Assessment, customer="largely", provider="largely") -> Assessment:
    """Both leads agree and submit: the assessment is revealed."""
    agree_all(world, assessment, world.alice, customer)
    agree_all(world, assessment, world.bob, provider)
    submit_side(world, assessment, world.alice)
    return submit_side(world, assessment, world.bob)


# -- starting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("alice", True), ("bob", True), ("carol", True), ("fran", True), ("dave", False), ("peter", False)],
)
def test_starting_an_assessment_needs_manage_assessments(world, who, allowed):
    user = getattr(world, who)

    if allowed:
        assert start(world, "annex-a", by=user).status == AssessmentStatus.COLLECTING
    else:
        with pytest.raises(PermissionDenied):
            start(world, "annex-a", by=user)
        assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (Stage.STRATEGIC_ASSESSMENT, {"gate-0", "annex-a"}),
        (Stage.PROCUREMENT_STRATEGY, {"gate-2", "partner-suitability-sro", "partner-suitability-srie"}),
        (Stage.IN_SERVICE, {"annex-b", "annual-health-check"}),
    ],
)
def test_the_suggested_banks_fit_the_lifecycle_stage(world, stage, expected):
    world.arrangement.stage = stage
    world.arrangement.save()

    suggested = selectors.banks_suggested(access=world.access(world.alice))

    assert {b.key for b in suggested} == expected


@pytest.mark.parametrize(
    ("key", "participation", "sides"),
    [
        ("partner-suitability-sro", Participation.CUSTOMER, (Side.CUSTOMER,)),
        ("partner-suitability-srie", Participation.PROVIDER, (Side.PROVIDER,)),
        ("gate-2", Participation.CUSTOMER, (Side.CUSTOMER,)),  # the SRO's questions, before a partner
        ("first-year", Participation.CUSTOMER, (Side.CUSTOMER,)),
        ("annex-a", Participation.BOTH, (Side.CUSTOMER, Side.PROVIDER)),
        ("annex-b", Participation.BOTH, (Side.CUSTOMER, Side.PROVIDER)),
    ],
)
def test_each_bank_is_answered_by_the_side_the_guide_asks(world, key, participation, sides):
    assessment = start(world, key, subject="Brightwave Digital")

    assert assessment.participation == participation
    assert assessment.sides == sides


def test_the_provider_may_also_be_asked_the_sros_relationship_questions_after_award(world):
    assessment = start(world, "first-year", also_ask_other_lead=True)

    assert assessment.participation == Participation.BOTH
    assert assessment.sides == (Side.CUSTOMER, Side.PROVIDER)


@pytest.mark.parametrize(
    ("key", "stage", "message"),
    [
        ("first-year", "procurement_strategy", "Before contract award there is no partner to ask"),
        ("gate-2", "in_service", "The guide asks these questions of one side only"),
        ("partner-suitability-sro", "in_service", "The guide asks these questions of one side only"),
    ],
)
def test_the_other_side_is_asked_only_where_the_guide_says_and_there_is_a_partner(world, key, stage, message):
    world.arrangement.stage = stage
    world.arrangement.save(update_fields=["stage"])

    with pytest.raises(ValidationError, match=message):
        start(world, key, also_ask_other_lead=True)


def test_a_single_side_assessment_is_revealed_when_that_side_submits(world):
    assessment = start(world, "partner-suitability-sro", subject="Brightwave Digital")
    agree_all(world, assessment, world.alice, "yes")

    assessment = submit_side(world, assessment, world.alice)

    assert assessment.is_revealed


def test_the_provider_lead_cannot_answer_for_a_customer_only_assessment(world):
    assessment = start(world, "partner-suitability-sro", subject="Brightwave Digital")

    with pytest.raises(PermissionDenied):
        agree_all(world, assessment, world.bob, "yes")


def test_annual_banks_get_a_cycle_number_and_others_do_not(world):
    first = reveal(world, start(world, "annex-b"))
    second = start(world, "annex-b")
    health = start(world, "annual-health-check")
    readiness = start(world, "annex-a")

    assert (first.cycle, second.cycle, health.cycle, readiness.cycle) == (1, 2, 1, None)
    assert second.title == "Annex B: Assessing the ongoing relationship (contract year 2)"


def test_a_bank_of_another_organisation_cannot_be_used(world):
    other = QuestionBank.objects.create(
        key="elsewhere",
        version=1,
        title="Elsewhere",
        spec=current_bank("annex-a").spec,
        organisation=world.other_arrangement.customer,
    )

    with pytest.raises(ValidationError):
        services.assessment_start(access=world.access(world.alice), bank=other)


# -- inviting and reminding -------------------------------------------------------------------


def test_invited_people_are_emailed_a_link_to_answer(world, django_capture_on_commit_callbacks):
    assessment = start(world)

    with django_capture_on_commit_callbacks(execute=True):
        created = invite(world, assessment, world.carol, world.peter)

    assert sorted(r.name for r in created) == ["Carol Chen", "Peter Price"]
    assert sorted(m.to[0] for m in mail.outbox) == ["carol@northshire.example", "peter@brightwave.example"]
    assert f"/assessments/{assessment.uuid}/answer/" in mail.outbox[0].body


def test_people_already_invited_are_skipped(world, django_capture_on_commit_callbacks):
    assessment = start(world)
    invite(world, assessment, world.carol)

    with django_capture_on_commit_callbacks(execute=True):
        created = invite(world, assessment, world.carol, world.peter)

    assert [r.name for r in created] == ["Peter Price"]
    assert [m.to for m in mail.outbox] == [["peter@brightwave.example"]]
    assert assessment.respondents.count() == 2


def test_observers_and_the_neutral_facilitator_are_not_made_respondents(world, django_capture_on_commit_callbacks):
    """Observers only read, so they could not answer; the facilitator is on neither side."""
    assessment = start(world)

    with django_capture_on_commit_callbacks(execute=True):
        created = invite(world, assessment, world.dave, world.fran, world.carol)

    assert [r.user for r in created] == [world.carol]
    assert [m.to for m in mail.outbox] == [["carol@northshire.example"]]


def test_outsiders_cannot_be_invited(world):
    assessment = start(world)

    assert invite(world, assessment, world.charlie) == []


def test_people_on_a_side_that_does_not_answer_are_not_invited(world):
    assessment = start(world, "partner-suitability-sro", subject="Brightwave Digital")

    created = invite(world, assessment, world.carol, world.peter)

    assert [r.user for r in created] == [world.carol]


def test_inviting_needs_manage_assessments(world):
    assessment = start(world)

    with pytest.raises(PermissionDenied):
        services.respondents_invite(access=world.access(world.peter), assessment=assessment, users=[world.carol])


def test_a_reminder_goes_only_to_people_who_have_not_submitted(world, django_capture_on_commit_callbacks):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.alice, world.carol, world.bob)
    answer_all(world, assessment, world.carol, "yes")
    services.respondent_submit(access=world.access(world.carol), assessment=assessment)

    with django_capture_on_commit_callbacks(execute=True):
        count = services.respondents_remind(access=world.access(world.alice), assessment=assessment)

    assert count == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@northshire.example", "bob@brightwave.example"]
    assert all(m.subject.startswith("Reminder: ") for m in mail.outbox)
    reminded = dict(assessment.respondents.values_list("name", "reminded_at"))
    assert reminded["Carol Chen"] is None
    assert reminded["Alice Adams"] is not None and reminded["Bob Brown"] is not None


def test_no_reminder_goes_to_a_side_that_has_already_submitted(world, django_capture_on_commit_callbacks):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol, world.peter)
    agree_all(world, assessment, world.alice, "yes")
    assessment = submit_side(world, assessment, world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        services.respondents_remind(access=world.access(world.alice), assessment=assessment)

    assert [m.to for m in mail.outbox] == [["peter@brightwave.example"]]


# -- answering --------------------------------------------------------------------------------


def test_a_draft_answer_is_saved_and_then_updated_in_place(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    access = world.access(world.carol)

    services.answer_save(access=access, assessment=assessment, question_id="A1", value="no")
    services.answer_save(access=access, assessment=assessment, question_id="A1", value="yes", comment="  Better now. ")

    answer = Answer.objects.get(assessment=assessment, question_id="A1")
    assert (answer.value, answer.comment, answer.side) == ("yes", "Better now.", Side.CUSTOMER)
    assert answer.respondent.user == world.carol


def test_a_value_not_on_the_scale_is_refused(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)

    with pytest.raises(ValidationError):
        services.answer_save(access=world.access(world.carol), assessment=assessment, question_id="A1", value="fully")


def test_someone_not_invited_cannot_answer(world):
    assessment = start(world, "annex-a")

    with pytest.raises(PermissionDenied):
        services.answer_save(access=world.access(world.carol), assessment=assessment, question_id="A1", value="yes")


def test_submitting_with_questions_unanswered_lists_them_by_id(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    for qid in ("A1", "A2", "A3", "A5", "A6", "A7", "A8", "A9"):
        services.answer_save(access=world.access(world.carol), assessment=assessment, question_id=qid, value="yes")

    with pytest.raises(ValidationError) as exc:
        services.respondent_submit(access=world.access(world.carol), assessment=assessment)

    assert "Unanswered: A4, A10." in exc.value.messages[0]
    assert assessment.respondents.get().submitted_at is None


def test_unanswered_questions_name_the_perspective_when_a_bank_asks_two(world):
    assessment = start(world, "annex-b")
    invite(world, assessment, world.carol)
    answer_all(world, assessment, world.carol, "fully")
    services.answer_save(
        access=world.access(world.carol), assessment=assessment, question_id="B3", perspective="other", value=""
    )

    with pytest.raises(ValidationError) as exc:
        services.respondent_submit(access=world.access(world.carol), assessment=assessment)

    assert "Unanswered: B3 (how we see the other party)." in exc.value.messages[0]


def test_answers_cannot_change_after_the_respondent_submits(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    answer_all(world, assessment, world.carol, "yes")
    services.respondent_submit(access=world.access(world.carol), assessment=assessment)

    with pytest.raises(ValidationError):
        services.answer_save(access=world.access(world.carol), assessment=assessment, question_id="A1", value="no")
    with pytest.raises(ValidationError):
        services.respondent_submit(access=world.access(world.carol), assessment=assessment)
    assert Answer.objects.get(question_id="A1").value == "yes"


def test_respondents_cannot_answer_after_their_side_has_submitted(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    agree_all(world, assessment, world.alice, "yes")
    submit_side(world, assessment, world.alice)

    with pytest.raises(ValidationError):
        services.answer_save(access=world.access(world.carol), assessment=assessment, question_id="A1", value="yes")


# -- the side lead ----------------------------------------------------------------------------


def test_the_side_lead_sees_the_spread_of_answers_and_a_suggested_answer(world):
    assessment = start(world, "annex-a")
    extra = UserFactory(email="erin@northshire.example", full_name="Erin Evans", organisation=world.customer)
    add_member(world.arrangement, extra, Side.CUSTOMER, Role.CONTRACT_MANAGER)
    invite(world, assessment, world.carol, extra, world.peter)
    answer_all(world, assessment, world.carol, "no", comment="Trust is thin.")
    answer_all(world, assessment, extra, {**{f"A{n}": "yes" for n in range(1, 11)}, "A1": "no"})
    answer_all(world, assessment, world.peter, "yes")

    spread = selectors.side_spread(access=world.access(world.alice), assessment=assessment)

    by_id = {row.question.id: row for row in spread}
    assert by_id["A1"].counts == {"yes": 0, "no": 2}
    assert by_id["A1"].suggested == "no"
    assert by_id["A1"].comments == [("Carol Chen", "Trust is thin.")]
    # A tie goes to the more cautious answer.
    assert by_id["A2"].counts == {"yes": 1, "no": 1}
    assert by_id["A2"].suggested == "no"


def test_the_spread_has_no_suggestion_when_nobody_has_answered(world):
    assessment = start(world, "annex-a")

    spread = selectors.side_spread(access=world.access(world.bob), assessment=assessment)

    assert {row.suggested for row in spread} == {""}
    assert all(sum(row.counts.values()) == 0 for row in spread)


def test_a_side_cannot_submit_with_agreed_answers_missing(world):
    assessment = start(world, "annex-a")
    agree_all(world, assessment, world.alice, "yes")
    Answer.objects.filter(question_id__in=["A3", "A7"]).delete()

    with pytest.raises(ValidationError) as exc:
        submit_side(world, assessment, world.alice)

    assert "Unanswered: A3, A7." in exc.value.messages[0]
    assessment.refresh_from_db()
    assert assessment.customer_submitted_at is None


@pytest.mark.parametrize("who", ["carol", "dave", "peter", "fran"])
def test_only_the_side_lead_records_and_submits_the_agreed_answers(world, who):
    assessment = start(world, "annex-a")

    with pytest.raises(PermissionDenied):
        services.agreed_answer_save(
            access=world.access(getattr(world, who)), assessment=assessment, question_id="A1", value="yes"
        )
    with pytest.raises(PermissionDenied):
        submit_side(world, assessment, getattr(world, who))


def test_the_agreed_answers_are_revealed_only_when_both_sides_have_submitted(world):
    assessment = start(world, "annex-a")
    agree_all(world, assessment, world.alice, "yes")
    agree_all(world, assessment, world.bob, "yes")

    assessment = submit_side(world, assessment, world.alice)
    assert not assessment.is_revealed
    assert assessment.status == AssessmentStatus.COLLECTING
    assert assessment.customer_submitted_by == world.alice

    assessment = submit_side(world, assessment, world.bob)
    assert assessment.is_revealed
    assert assessment.status == AssessmentStatus.REVEALED
    # At once: the reveal is the moment the second side submitted.
    assert assessment.revealed_at == assessment.provider_submitted_at


def test_a_side_cannot_change_its_agreed_answers_after_submitting(world):
    assessment = start(world, "annex-a")
    agree_all(world, assessment, world.alice, "yes")
    submit_side(world, assessment, world.alice)

    with pytest.raises(ValidationError):
        agree_all(world, assessment, world.alice, "no")
    with pytest.raises(ValidationError):
        submit_side(world, assessment, world.alice)


# -- carrying over and closing ----------------------------------------------------------------


def test_a_new_cycle_starts_from_the_agreed_answers_of_the_last(world):
    last = reveal(world, start(world, "annex-b"), customer="largely", provider="fully")

    current = start(world, "annex-b", previous=last)

    carried = Answer.objects.filter(assessment=current)
    assert carried.count() == 2 * 9 * 2  # two sides, nine questions, two perspectives
    assert all(a.respondent_id is None for a in carried)
    assert set(carried.filter(side=Side.CUSTOMER).values_list("value", "carried_from")) == {("largely", "largely")}
    assert current.previous == last and current.cycle == 2


def test_the_results_flag_the_answers_changed_since_the_last_cycle(world):
    last = reveal(world, start(world, "annex-b"))
    current = start(world, "annex-b", previous=last)
    services.agreed_answer_save(access=world.access(world.alice), assessment=current, question_id="B4", value="partly")
    submit_side(world, current, world.alice)
    submit_side(world, current, world.bob)

    res = selectors.results(access=world.access(world.alice), assessment=current)

    changed = [row.question.id for row in res.rows if row.changed_customer or row.changed_provider]
    assert changed == ["B4"]


def test_only_a_revealed_cycle_of_the_same_bank_can_be_carried_over(world):
    unrevealed = start(world, "annex-b")
    other_bank = reveal(world, start(world, "annex-a"), customer="yes", provider="yes")

    with pytest.raises(ValidationError):
        start(world, "annex-b", previous=unrevealed)
    with pytest.raises(ValidationError):
        start(world, "annex-b", previous=other_bank)


def test_closing_needs_a_revealed_assessment(world):
    assessment = start(world, "annex-a")

    with pytest.raises(ValidationError):
        services.assessment_close(access=world.access(world.alice), assessment=assessment)

    assessment = reveal(world, assessment, customer="yes", provider="yes")
    closed = services.assessment_close(access=world.access(world.alice), assessment=assessment)
    assert closed.status == AssessmentStatus.CLOSED


def test_a_closed_assessment_takes_no_more_answers(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    assessment = reveal(world, assessment, customer="yes", provider="yes")
    services.assessment_close(access=world.access(world.alice), assessment=assessment)

    with pytest.raises(ValidationError):
        services.answer_save(access=world.access(world.carol), assessment=assessment, question_id="A1", value="yes")


# -- actions ----------------------------------------------------------------------------------


def test_an_action_from_a_gap_links_back_to_the_assessment_and_question(world):
    assessment = reveal(
        world, start(world, "annex-b"), customer={**{f"B{n}": "largely" for n in range(1, 10)}, "B4": "not_at_all"}
    )

    action = services.action_from_assessment(
        access=world.access(world.alice),
        assessment=assessment,
        question_id="B4",
        reason="gap",
        title="Share the monthly figures",
        owner=world.carol,
        due_date=timezone.localdate() + timedelta(days=30),
    )

    assert action.source == assessment
    assert action.source_detail == f"{assessment.title}, question B4 (perception gap)"


def test_an_action_can_be_raised_from_an_assessment_with_a_long_title(world):
    assessment = start(world, "partner-suitability-sro", subject="B" * 200)
    agree_all(world, assessment, world.alice, "partly")
    assessment = submit_side(world, assessment, world.alice)

    action = services.action_from_assessment(
        access=world.access(world.alice),
        assessment=assessment,
        question_id="SRO1",
        reason="attention",
        title="Check references",
        owner=world.alice,
        due_date=None,
    )

    assert action.source_detail.endswith("question SRO1 (needs attention)")


def test_no_action_is_raised_before_the_reveal(world):
    assessment = start(world, "annex-b")

    with pytest.raises(ValidationError):
        services.action_from_assessment(
            access=world.access(world.alice),
            assessment=assessment,
            question_id="B1",
            reason="gap",
            title="Too early",
            owner=world.alice,
            due_date=None,
        )


# -- audit ------------------------------------------------------------------------------------


def test_deleting_a_respondents_account_keeps_their_name_and_answers(world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    answer_all(world, assessment, world.carol, "yes")

    set_actor(None)  # as for an administrator's deletion, outside any member's access

    User.objects.get(pk=world.carol.pk).delete()

    respondent = Respondent.objects.get(assessment=assessment)
    assert (respondent.user, respondent.name) == (None, "Carol Chen")
    assert respondent.answers.count() == 10


def test_one_perspective_by_default_and_the_other_view_only_when_asked(world):
    plain = start(world, "annex-b", ask_other_view=False)

    assert plain.spec.perspectives == ("self",) and not plain.asks_other_view
    with pytest.raises(ValidationError, match="perspective"):
        services.agreed_answer_save(
            access=world.access(world.alice), assessment=plain, question_id="B1", perspective="other", value="fully"
        )

    mirrored = start(world, "annual-health-check", ask_other_view=True)
    assert mirrored.spec.perspectives == ("self", "other") and mirrored.asks_other_view


def test_a_bank_without_the_other_view_cannot_be_asked_it(world):
    with pytest.raises(ValidationError, match="only how it sees itself"):
        start(world, "annex-a", ask_other_view=True)


def test_a_one_perspective_annex_b_is_complete_and_revealed_without_the_other_view(world):
    assessment = start(world, "annex-b", ask_other_view=False)
    agree_all(world, assessment, world.alice, "fully")
    agree_all(world, assessment, world.bob, "fully")

    assessment = submit_side(world, assessment, world.alice)
    assessment = submit_side(world, assessment, world.bob)

    assert assessment.is_revealed
    assert Answer.objects.filter(assessment=assessment, perspective="other").count() == 0
