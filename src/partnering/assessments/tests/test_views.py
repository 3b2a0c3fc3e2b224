"""Self-assessment pages: start, invite, answer with autosave, agree a side, results, actions, banks, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnering.accounts.models import User
from partnering.actions.models import Action
from partnering.assessments import services
from partnering.assessments.models import Answer, Assessment, AssessmentStatus, QuestionBank
from partnering.assessments.tests.test_load_bank_command import CUSTOM_BANK
from partnering.assessments.tests.test_services import (
    agree_all,
    answer_all,
    current_bank,
    invite,
    reveal,
    start,
    submit_side,
)
from partnering.core.audit import set_actor

A_ALL = [f"A{n}" for n in range(1, 11)]
B_ALL = [f"B{n}" for n in range(1, 10)]


def _base(world) -> str:
    return f"/arrangements/{world.arrangement.slug}/assessments/"


def _url(world, assessment: Assessment, page: str = "") -> str:
    return f"{_base(world)}{assessment.uuid}/{page}"


def _annex_b(value: str = "largely", **overrides: str) -> dict[str, str]:
    return {**{qid: value for qid in B_ALL}, **overrides}


# -- the list and starting ----------------------------------------------------------------------


def test_the_list_suggests_the_banks_for_the_stage_and_starts_one(client, world):
    client.force_login(world.alice)

    page = client.get(_base(world))
    response = client.post(_base(world), {"bank": current_bank("annex-b").pk, "title": "", "due_date": "2031-03-01"})

    assert "Suggested for the stage" in page.content.decode()
    assert page.context["form"].initial["bank"].key == "annex-b"
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(world, assessment)
    assert (assessment.cycle, assessment.created_by) == (1, world.alice)


@pytest.mark.parametrize("who", ["dave", "peter"])
def test_people_without_manage_assessments_cannot_start_one_on_the_page(client, world, who):
    client.force_login(getattr(world, who))

    response = client.post(_base(world), {"bank": current_bank("annex-b").pk})

    assert response.status_code == 403
    assert not Assessment.objects.exists()


# -- inviting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"sides": ["customer"]}, {"Alice Adams", "Carol Chen"}),
        ({"sides": ["customer", "provider"]}, {"Alice Adams", "Carol Chen", "Bob Brown", "Peter Price"}),
        ({"roles": ["service_delivery_manager"]}, {"Peter Price"}),
        ({"roles": ["sro", "srie"]}, {"Alice Adams", "Bob Brown"}),
        ({"people": "named"}, {"Carol Chen", "Peter Price"}),
    ],
    ids=["one side", "both sides", "one role", "two roles", "named people"],
)
def test_people_are_invited_in_bulk_by_side_role_or_name(
    client, world, django_capture_on_commit_callbacks, data, expected
):
    assessment = start(world)
    if data.get("people") == "named":
        data = {"people": [world.carol.pk, world.peter.pk]}
    client.force_login(world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world, assessment), data)

    assert response.status_code == 302
    assert set(assessment.respondents.values_list("name", flat=True)) == expected
    assert len(mail.outbox) == len(expected)
    # Nobody who only observes, and not the neutral facilitator.
    assert not assessment.respondents.filter(user__in=[world.dave, world.fran]).exists()


def test_inviting_again_skips_the_people_already_invited(client, world, django_capture_on_commit_callbacks):
    assessment = start(world)
    invite(world, assessment, world.carol)
    client.force_login(world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(world, assessment), {"sides": ["customer"]})

    assert assessment.respondents.count() == 2
    assert [m.to for m in mail.outbox] == [["alice@northshire.example"]]


def test_the_reminder_button_emails_those_who_have_not_submitted(client, world, django_capture_on_commit_callbacks):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol, world.peter)
    answer_all(world, assessment, world.peter, "yes")
    services.respondent_submit(access=world.access(world.peter), assessment=assessment)
    client.force_login(world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(world, assessment), {"action": "remind"})

    assert [m.to for m in mail.outbox] == [["carol@northshire.example"]]
    assert "reminded" in client.get(_url(world, assessment)).content.decode()


# -- answering --------------------------------------------------------------------------------


def _autosave(client, world, assessment, qid: str, value: str, comment: str = "", lead: bool = False):
    data = {"question_id": qid, "perspective": "self", f"value:{qid}:self": value, f"comment:{qid}:self": comment}
    if lead:
        data["lead"] = "1"
    return client.post(_url(world, assessment, "autosave/"), data, HTTP_HX_REQUEST="true")


def test_an_answer_is_saved_as_it_changes_and_updated_in_place(client, world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    client.force_login(world.carol)

    first = _autosave(client, world, assessment, "A1", "no")
    second = _autosave(client, world, assessment, "A1", "yes", comment="On reflection, yes.")

    assert first.status_code == second.status_code == 200
    assert "Saved" in second.content.decode()
    answer = Answer.objects.get(assessment=assessment)
    assert (answer.question_id, answer.value, answer.comment) == ("A1", "yes", "On reflection, yes.")


def test_the_answer_page_shows_the_saved_draft(client, world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    client.force_login(world.carol)
    _autosave(client, world, assessment, "A3", "no", comment="Draft thought")

    html = client.get(_url(world, assessment, "answer/")).content.decode()

    assert 'value="no" checked' in html
    assert "Draft thought" in html


def test_autosave_shows_the_problem_instead_of_saved(client, world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    client.force_login(world.carol)

    response = _autosave(client, world, assessment, "A1", "largely")

    assert "Saved" not in response.content.decode()
    assert "is not an answer on this question" in response.content.decode()


def test_someone_not_invited_cannot_autosave(client, world):
    assessment = start(world, "annex-a")
    client.force_login(world.carol)

    assert _autosave(client, world, assessment, "A1", "yes").status_code == 403
    assert client.get(_url(world, assessment, "answer/")).status_code == 403


def test_an_observer_cannot_autosave(client, world):
    assessment = start(world, "annex-a")
    client.force_login(world.dave)

    assert _autosave(client, world, assessment, "A1", "yes").status_code == 403


def test_submitting_with_unanswered_questions_lists_them_on_the_page(client, world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    client.force_login(world.carol)
    data = {f"value:{qid}:self": "yes" for qid in A_ALL if qid not in ("A2", "A9")}

    response = client.post(_url(world, assessment, "answer/"), {**data, "action": "submit"})

    assert response.status_code == 200
    assert "Unanswered: A2, A9." in response.content.decode()
    assert assessment.respondents.get().submitted_at is None
    assert Answer.objects.filter(assessment=assessment).count() == 8  # the rest were saved


def test_a_respondent_submits_and_then_cannot_change_an_answer(client, world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    client.force_login(world.carol)

    response = client.post(
        _url(world, assessment, "answer/"), {**{f"value:{q}:self": "yes" for q in A_ALL}, "action": "submit"}
    )
    late = _autosave(client, world, assessment, "A1", "no")

    assert response.status_code == 302
    assert "already submitted" in late.content.decode()
    assert Answer.objects.get(question_id="A1").value == "yes"
    assert "can no longer change" in client.get(_url(world, assessment, "answer/")).content.decode()


# -- the side lead ----------------------------------------------------------------------------


def test_the_side_page_shows_the_spread_and_checks_the_suggested_answer(client, world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol, world.alice)
    answer_all(world, assessment, world.carol, "no")
    answer_all(world, assessment, world.alice, {**{q: "yes" for q in A_ALL}, "A1": "no"})
    client.force_login(world.alice)

    html = client.get(_url(world, assessment, "side/")).content.decode()

    assert "Your side answered: Yes 0 · No 2" in html  # A1
    assert 'id="v-A1-self-no" name="value:A1:self" type="radio" value="no" checked' in html


def test_the_side_submit_lists_unanswered_agreed_answers(client, world):
    assessment = start(world, "annex-a")
    client.force_login(world.alice)
    data = {f"value:{qid}:self": "yes" for qid in A_ALL if qid != "A4"}

    response = client.post(_url(world, assessment, "side/"), {**data, "action": "submit"})

    assert "Unanswered: A4." in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.customer_submitted_at is None


@pytest.mark.parametrize("who", ["carol", "peter", "dave", "fran"])
def test_only_the_side_lead_can_open_or_submit_the_side_page(client, world, who):
    assessment = start(world, "annex-a")
    client.force_login(getattr(world, who))
    data = {**{f"value:{qid}:self": "yes" for qid in A_ALL}, "action": "submit"}

    assert client.get(_url(world, assessment, "side/")).status_code == 403
    assert client.post(_url(world, assessment, "side/"), data).status_code == 403
    assessment.refresh_from_db()
    assert (assessment.customer_submitted_at, assessment.provider_submitted_at) == (None, None)


def test_the_second_side_to_submit_reveals_both_and_lands_on_the_results(client, world):
    assessment = start(world, "annex-a")
    data = {**{f"value:{qid}:self": "yes" for qid in A_ALL}, "action": "submit"}
    client.force_login(world.alice)
    first = client.post(_url(world, assessment, "side/"), data)
    client.force_login(world.bob)

    second = client.post(_url(world, assessment, "side/"), data)

    assert first["Location"] == _url(world, assessment)
    assert second["Location"] == _url(world, assessment, "results/")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.REVEALED


def test_closing_on_the_detail_page(client, world):
    assessment = reveal(world, start(world, "annex-a"), customer="yes", provider="yes")
    client.force_login(world.alice)

    client.post(_url(world, assessment), {"action": "close"})

    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CLOSED


# -- results: the guide's verdicts ------------------------------------------------------------


def test_one_no_in_annex_a_shows_not_culturally_ready(client, world):
    yes = {q: "yes" for q in A_ALL}
    assessment = reveal(world, start(world, "annex-a"), customer={**yes, "A5": "no"}, provider=yes)
    client.force_login(world.bob)

    html = client.get(_url(world, assessment, "results/")).content.decode()

    assert "Not culturally ready for partnering" in html
    assert "Needs attention: A5" in html


def test_annex_b_all_fully_or_largely_shows_going_well(client, world):
    assessment = reveal(world, start(world, "annex-b"), customer=_annex_b(B1="fully"), provider=_annex_b())
    client.force_login(world.alice)

    html = client.get(_url(world, assessment, "results/")).content.decode()

    assert html.count(">Relationship is going well</strong>") == 3  # joint, customer, provider
    assert "Needs attention" not in html


def test_a_partly_flags_exactly_that_question_on_the_results(client, world):
    assessment = reveal(world, start(world, "annex-b"), customer=_annex_b(B7="partly"), provider=_annex_b())
    client.force_login(world.alice)

    html = client.get(_url(world, assessment, "results/")).content.decode()

    assert "Needs attention: B7<" in html
    assert html.count(">Attention</strong>") == 1


def test_the_gaps_are_listed_largest_first_on_the_results(client, world):
    assessment = reveal(
        world, start(world, "annex-b"), customer=_annex_b(B2="partly", B9="not_at_all"), provider=_annex_b("fully")
    )
    client.force_login(world.alice)

    response = client.get(_url(world, assessment, "results/"))

    gaps = [(g.question_id, g.size) for g in response.context["r"].gaps]
    assert gaps[:2] == [("B9", 3), ("B2", 2)]
    html = response.content.decode()
    table = html[html.index("Perception gaps") : html.index("Answers side by side")]
    assert table.index("on the gap in B9") < table.index("on the gap in B2") < table.index("on the gap in B1")


def test_an_action_raised_from_a_gap_links_back_and_shows_on_the_results_and_my_actions(client, world):
    assessment = reveal(world, start(world, "annex-b"), customer=_annex_b(B4="not_at_all"), provider=_annex_b())
    client.force_login(world.alice)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()

    response = client.post(
        _url(world, assessment, "questions/B4/action/"),
        {"reason": "gap", "title": "Share the monthly figures openly", "owner": world.carol.pk, "due_date": due},
    )

    assert response["Location"] == _url(world, assessment, "results/")
    action = Action.objects.get()
    assert action.source == assessment
    assert action.source_detail == f"{assessment.title}, question B4 (perception gap)"
    results = client.get(_url(world, assessment, "results/")).content.decode()
    assert "Share the monthly figures openly" in results
    client.force_login(world.carol)
    mine = client.get("/actions/").content.decode()
    assert "Share the monthly figures openly" in mine
    assert "question B4 (perception gap)" in mine


def test_an_observer_cannot_raise_an_action(client, world):
    assessment = reveal(world, start(world, "annex-b"), customer=_annex_b(B4="partly"), provider=_annex_b())
    client.force_login(world.dave)

    response = client.post(
        _url(world, assessment, "questions/B4/action/"),
        {"title": "Nope", "owner": world.dave.pk, "due_date": "2031-01-01"},
    )

    assert response.status_code == 403
    assert not Action.objects.exists()
    assert "Raise an action" not in client.get(_url(world, assessment, "results/")).content.decode()


def test_an_unknown_question_has_no_action_page(client, world):
    assessment = reveal(world, start(world, "annex-b"))
    client.force_login(world.alice)

    assert client.get(_url(world, assessment, "questions/Z9/action/")).status_code == 404


# -- question banks ---------------------------------------------------------------------------


def _upload(client, text: str | bytes, name: str = "bank.yaml"):
    data = text if isinstance(text, bytes) else text.encode()
    return client.post("/banks/", {"file": SimpleUploadedFile(name, data, content_type="application/x-yaml")})


def test_a_valid_bank_is_stored_with_the_uploaders_organisation(client, world):
    client.force_login(world.carol)

    response = _upload(client, CUSTOM_BANK)

    assert response.status_code == 302
    bank = QuestionBank.objects.get(key="northshire-supplier-day")
    assert (bank.organisation, bank.version, bank.uploaded_by) == (world.customer, 1, world.carol)
    assert "Northshire supplier day check" in client.get("/banks/").content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            CUSTOM_BANK.replace("scale: fully_largely_partly_not", "scale: out_of_ten"),
            [("6", "scale", "unknown value &#x27;out_of_ten&#x27;")],
        ),
        (
            CUSTOM_BANK.replace("id: N2", "id: N1"),
            [("17", "sections[0].questions[1].id", "duplicate id &#x27;N1&#x27;")],
        ),
        (
            CUSTOM_BANK.replace("recurrence: none", "recurrence: none\ncolour: blue"),
            [("10", "colour", "unknown field")],
        ),
        (
            CUSTOM_BANK.replace("scale: fully_largely_partly_not", "scale: out_of_ten").replace("id: N2", "id: N1"),
            [("6", "scale", "unknown value"), ("17", "sections[0].questions[1].id", "duplicate id")],
        ),
        ("key: [unclosed\n", [("2", "(document)", "")]),
    ],
    ids=["wrong scale", "duplicate id", "unknown field", "two problems", "not YAML"],
)
def test_an_invalid_bank_changes_nothing_and_every_problem_is_listed(client, world, text, expected):
    before = QuestionBank.objects.count()
    client.force_login(world.carol)

    response = _upload(client, text)

    assert response.status_code == 200
    assert QuestionBank.objects.count() == before
    html = response.content.decode()
    assert "Nothing was saved" in html
    rows = html[html.index("Problems in the file") :]
    for line, field, message in expected:
        assert (
            f'<td class="govuk-table__cell">{line}</td><td class="govuk-table__cell"><code>{field}</code></td>' in rows
        )
        assert message in rows
    assert rows.count('<tr class="govuk-table__row"><td') == len(expected)


def test_a_changed_bank_becomes_version_2_and_an_assessment_keeps_version_1(client, world):
    client.force_login(world.carol)
    _upload(client, CUSTOM_BANK)
    version_1 = QuestionBank.objects.get(key="northshire-supplier-day")
    assessment = services.assessment_start(access=world.access(world.alice), bank=version_1)

    _upload(client, CUSTOM_BANK.replace("How useful were the joint workshops?", "Were the workshops useful?"))

    versions = list(QuestionBank.objects.filter(key="northshire-supplier-day").values_list("version", "is_current"))
    assert versions == [(2, True), (1, False)]
    assessment.refresh_from_db()
    assert assessment.bank.version == 1
    assert assessment.bank.bank.question("N2").text == "How useful were the joint workshops?"
    assert "version 1" in client.get(_url(world, assessment)).content.decode()


def test_the_key_of_a_built_in_bank_is_refused(client, world):
    client.force_login(world.carol)

    response = _upload(client, CUSTOM_BANK.replace("key: northshire-supplier-day", "key: annex-b"))

    assert "belongs to a built-in bank" in response.content.decode()
    assert not QuestionBank.objects.filter(key="annex-b", organisation__isnull=False).exists()


def test_a_file_that_is_not_text_is_refused(client, world):
    client.force_login(world.carol)
    before = QuestionBank.objects.count()

    response = _upload(client, b"\xff\xfe\x00binary")

    assert "UTF-8" in response.content.decode()
    assert QuestionBank.objects.count() == before


def test_another_organisations_bank_is_not_found(client, world):
    client.force_login(world.carol)
    _upload(client, CUSTOM_BANK)
    client.force_login(world.charlie)

    assert client.get("/banks/northshire-supplier-day/v1/").status_code == 404
    assert "Northshire supplier day check" not in client.get("/banks/").content.decode()


# -- audit ------------------------------------------------------------------------------------


def test_answers_leave_history_rows_naming_who_answered(client, world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    client.force_login(world.carol)

    _autosave(client, world, assessment, "A1", "no")
    _autosave(client, world, assessment, "A1", "yes")

    rows = Answer.history.filter(question_id="A1").order_by("history_date")
    assert [(r.history_type, r.value) for r in rows] == [("+", ""), ("~", "no"), ("~", "yes")]
    assert {r.history_actor for r in rows} == {"Carol Chen <carol@northshire.example>"}


def test_deleting_a_respondents_account_keeps_the_respondent_answers_and_history(client, world):
    assessment = start(world, "annex-a")
    invite(world, assessment, world.carol)
    client.force_login(world.carol)
    _autosave(client, world, assessment, "A1", "yes")
    agree_all(world, assessment, world.alice, "yes")
    agree_all(world, assessment, world.bob, "yes")
    submit_side(world, assessment, world.alice)
    submit_side(world, assessment, world.bob)
    client.logout()
    set_actor(None)  # an administrator's deletion, outside any member's access

    User.objects.get(pk=world.carol.pk).delete()

    respondent = assessment.respondents.get()
    assert (respondent.user, respondent.name) == (None, "Carol Chen")
    assert respondent.answers.get().value == "yes"
    assert set(
        Answer.history.filter(question_id="A1", respondent_id=respondent.pk).values_list("history_actor", flat=True)
    ) == {"Carol Chen <carol@northshire.example>"}


def test_the_provider_side_is_asked_in_its_own_wording_and_the_results_show_both(client, world):
    assessment = start(world, "first-year", also_ask_other_lead=True)
    invite(world, assessment, world.carol, world.peter)
    customer_words = "Have you and the provider established precisely how you will work together?"
    provider_words = "Have you and the customer established precisely how you will work together?"

    client.force_login(world.peter)
    theirs = client.get(_url(world, assessment, "answer/")).content.decode()
    client.force_login(world.carol)
    ours = client.get(_url(world, assessment, "answer/")).content.decode()
    reveal(world, assessment, customer="yes", provider="yes")
    results = client.get(_url(world, assessment, "results/")).content.decode()

    assert provider_words in theirs and "Our wording for the provider side" in theirs
    assert provider_words not in ours and customer_words in ours
    assert customer_words in results and f"The provider side was asked (our wording): “{provider_words}”" in results


def test_the_sros_questions_invite_only_the_customer_side(client, world):
    assessment = start(world, "gate-0")
    client.force_login(world.alice)

    html = client.get(_url(world, assessment)).content.decode()

    assert 'value="customer"' in html and 'value="provider"' not in html
    assert "Bob Brown" not in html.split("Named people")[1]


@pytest.mark.parametrize(("asked", "blocks"), [(False, 9), (True, 18)])
def test_the_annex_b_form_asks_each_question_once_unless_the_other_view_is_asked(client, world, asked, blocks):
    assessment = start(world, "annex-b", ask_other_view=asked)
    invite(world, assessment, world.carol)
    client.force_login(world.carol)

    html = client.get(_url(world, assessment, "answer/")).content.decode()

    assert html.count('class="govuk-form-group app-question"') == blocks
    assert ("How we see the other party" in html) is asked
