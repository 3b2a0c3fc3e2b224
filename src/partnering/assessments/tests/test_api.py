"""The self-assessment REST API: banks, assessments, answers, results, actions.

Everything here goes through HTTP only, as a client would; the helpers at the
top are shared with `test_api_blind_rule`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from partnering.accounts.models import TokenScope
from partnering.accounts.services import token_create
from partnering.actions.models import Action
from partnering.assessments import services
from partnering.assessments.models import Answer, Assessment, AssessmentStatus, QuestionBank
from partnering.core.choices import Role, Side
from partnering.testing import UserFactory, add_member

API = "/api/v1"

# -- helpers (used by test_api_blind_rule too) ------------------------------------------------


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def assessments_url(world) -> str:
    return f"{API}/arrangements/{world.arrangement.slug}/assessments/"


def assessment_url(world, uuid: str, tail: str = "") -> str:
    return f"{assessments_url(world)}{uuid}/{tail}"


def start(world, bank: str = "annex-b", by=None, **extra) -> str:
    """Start through the API; Annex B and the health check ask both perspectives unless told otherwise."""
    extra.setdefault("ask_other_view", bank in ("annex-b", "annual-health-check"))
    response = api(by or world.alice).post(assessments_url(world), {"bank": bank, **extra}, format="json")
    assert response.status_code == 201, response.data
    return response.data["uuid"]


def invite(world, uuid: str, **chosen) -> Any:
    response = api(world.alice).post(assessment_url(world, uuid, "respondents/"), chosen, format="json")
    assert response.status_code == 200, response.data
    return response


def every_answer(values: str | dict[str, str], comment: str = "", bank: str = "annex-b") -> list[dict[str, str]]:
    """One answer for every question and perspective of the bank; `values` is one value or {id: value}."""
    spec = QuestionBank.objects.get(key=bank, is_current=True).bank
    return [
        {
            "question_id": q.id,
            "perspective": p,
            "value": values if isinstance(values, str) else values.get(q.id, "largely"),
            "comment": comment,
        }
        for q in spec.questions
        for p in spec.perspectives
    ]


def answer_and_submit(world, uuid: str, user, values, comment: str = "") -> None:
    client = api(user)
    saved = client.put(assessment_url(world, uuid, "my-answers/"), every_answer(values, comment), format="json")
    assert saved.status_code == 200, saved.data
    submitted = client.post(assessment_url(world, uuid, "my-answers/submit/"))
    assert submitted.status_code == 200, submitted.data


def agree_and_submit(
    world, uuid: str, lead, values, comment: str = "", *, submit: bool = True, bank: str = "annex-b"
) -> Any:
    client = api(lead)
    answers = every_answer(values, comment, bank=bank)
    saved = client.put(assessment_url(world, uuid, "side-answers/"), answers, format="json")
    assert saved.status_code == 200, saved.data
    if not submit:
        return saved
    # The lead submits even if some invited respondents have not answered (they confirm it).
    submitted = client.post(
        assessment_url(world, uuid, "side-answers/submit/"), {"confirm_unanswered": True}, format="json"
    )
    assert submitted.status_code == 200, submitted.data
    return submitted


def row(results: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(r for r in results["rows"] if r["question_id"] == question_id)


# -- a full two-sided Annex B, through the API only ---------------------------------------------


def test_a_two_sided_annex_b_runs_from_start_to_action_through_the_api(world):
    uuid = start(world, "annex-b", due_date="2030-01-31")

    invited = invite(world, uuid, sides=["customer", "provider"])
    assert sorted(r["name"] for r in invited.data["invited"]) == [
        "Alice Adams",
        "Bob Brown",
        "Carol Chen",
        "Peter Price",
    ]
    assert invited.data["skipped"] == 1  # dave only observes

    answer_and_submit(world, uuid, world.carol, "largely", comment="Planning is shared")
    answer_and_submit(world, uuid, world.peter, "fully")
    spread = api(world.alice).get(assessment_url(world, uuid, "side-answers/")).data
    b1 = next(r for r in spread["rows"] if r["question_id"] == "B1" and r["perspective"] == "self")
    assert b1["suggested"] == "largely"
    assert {c["value"]: c["count"] for c in b1["counts"]}["largely"] == 1
    assert b1["comments"] == [{"name": "Carol Chen", "comment": "Planning is shared"}]

    agree_and_submit(world, uuid, world.alice, {"B4": "partly"})
    halfway = api(world.bob).get(assessment_url(world, uuid)).data
    assert halfway["status"] == "collecting" and halfway["customer_submitted_at"] is not None
    assert halfway["visible_sides"] == ["provider"]

    revealed = agree_and_submit(world, uuid, world.bob, "fully").data
    assert revealed["status"] == "revealed" and revealed["visible_sides"] == ["customer", "provider"]

    results = api(world.alice).get(assessment_url(world, uuid, "results/")).data
    assert results["revealed"] is True and results["complete"] is True
    assert results["verdicts"]["customer"]["code"] == "needs_attention"
    assert results["verdicts"]["customer"]["flagged"] == ["B4"]
    assert results["verdicts"]["provider"]["code"] == "going_well"
    assert results["verdicts"]["joint"]["code"] == "needs_attention"
    b4_gap = next(g for g in results["gaps"] if g["question_id"] == "B4")
    assert b4_gap == {
        "question_id": "B4",
        "customer_value": "partly",
        "provider_value": "fully",
        "size": 2,
        "crosses_threshold": True,
    }
    b4 = row(results, "B4")
    assert (b4["customer"]["value"], b4["customer"]["label"], b4["provider"]["value"]) == ("partly", "Partly", "fully")
    assert b4["customer_flagged"] is True and b4["provider_flagged"] is False
    assert b4["gap"]["size"] == 2

    created = api(world.alice).post(
        assessment_url(world, uuid, "questions/B4/actions/"),
        {"reason": "gap", "title": "Agree what information to share", "owner": "bob@brightwave.example"},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["owner"]["email"] == "bob@brightwave.example"
    assert created.data["source_detail"].endswith("question B4 (perception gap)")

    after = api(world.bob).get(assessment_url(world, uuid, "results/")).data
    assert [a["title"] for a in row(after, "B4")["actions"]] == ["Agree what information to share"]
    assert row(after, "B1")["actions"] == []


def test_the_list_shows_each_assessment_with_its_counts(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example", "PETER@brightwave.example"])
    answer_and_submit(world, uuid, world.carol, "largely")

    response = api(world.dave).get(assessments_url(world))

    assert response.status_code == 200
    [only] = response.data["results"]
    assert (only["uuid"], only["respondent_count"], only["submitted_count"]) == (uuid, 2, 1)
    assert only["bank"] == {"key": "annex-b", "version": 1, "title": "Annex B: Assessing the ongoing relationship"}
    assert only["sides"] == ["customer", "provider"]


def test_the_detail_names_respondents_and_what_you_may_do_but_no_answers(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, roles=["relationship_manager", "service_delivery_manager"])
    answer_and_submit(world, uuid, world.carol, "largely", comment="only in my answers")

    response = api(world.carol).get(assessment_url(world, uuid))

    assert [(r["name"], r["side"], r["submitted_at"] is not None) for r in response.data["respondents"]] == [
        ("Carol Chen", "customer", True),
        ("Peter Price", "provider", False),
    ]
    assert response.data["you"]["is_respondent"] is True and response.data["you"]["is_side_lead"] is False
    assert "only in my answers" not in response.content.decode()


def test_a_named_person_who_is_not_a_member_is_refused_without_inviting_anyone(world):
    uuid = start(world, "annex-b")

    response = api(world.alice).post(
        assessment_url(world, uuid, "respondents/"),
        {"emails": ["carol@northshire.example", "charlie@eastbridge.example"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.data["emails"] == ["charlie@eastbridge.example is not a member of this arrangement."]
    assert not Assessment.objects.get(uuid=uuid).respondents.exists()


def test_inviting_needs_a_side_a_role_or_a_person(world):
    uuid = start(world, "annex-b")

    response = api(world.alice).post(assessment_url(world, uuid, "respondents/"), {}, format="json")

    assert response.status_code == 400


def test_reminding_counts_the_people_who_have_not_handed_in(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example", "peter@brightwave.example"])
    answer_and_submit(world, uuid, world.carol, "largely")

    response = api(world.alice).post(assessment_url(world, uuid, "remind/"))

    assert response.data == {"reminded": 1}


def test_starting_takes_a_bank_version_a_title_and_a_previous_cycle(world):
    first = start(world, "annex-b")
    agree_and_submit(world, first, world.alice, "largely")
    agree_and_submit(world, first, world.bob, "fully")

    response = api(world.alice).post(
        assessments_url(world),
        {"bank": "annex-b", "version": 1, "title": "Year two", "previous": first},
        format="json",
    )

    assert response.status_code == 201, response.data
    assert (response.data["title"], response.data["cycle"], response.data["previous"]) == ("Year two", 2, first)
    carried = api(world.alice).get(assessment_url(world, response.data["uuid"], "side-answers/")).data
    assert {r["agreed"]["carried_from"] for r in carried["rows"]} == {"largely"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bank": "no-such-bank"}, "bank"),
        ({"bank": "annex-b", "version": 99}, "bank"),
        ({"bank": "annex-b", "previous": "00000000-0000-0000-0000-000000000000"}, "previous"),
    ],
    ids=["unknown bank", "unknown version", "unknown previous cycle"],
)
def test_starting_refuses_what_does_not_exist(world, body, field):
    response = api(world.alice).post(assessments_url(world), body, format="json")

    assert response.status_code == 400
    assert field in response.data
    assert not Assessment.objects.exists()


def test_an_unrevealed_cycle_cannot_be_carried_over(world):
    first = start(world, "annex-b")

    response = api(world.alice).post(assessments_url(world), {"bank": "annex-b", "previous": first}, format="json")

    # Refused: while this year's cycle is still collecting, no second one starts (issue 15, finding 11),
    # whether it would carry over the unrevealed answers or not.
    assert response.status_code == 400
    assert "previous" in response.data or "still collecting" in str(response.data.get("bank"))


# -- answers: all or nothing --------------------------------------------------------------------


def test_an_answer_put_saves_everything_or_nothing_and_names_each_refused_question(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example"])

    response = api(world.carol).put(
        assessment_url(world, uuid, "my-answers/"),
        [
            {"question_id": "B1", "perspective": "self", "value": "fully"},
            {"question_id": "B2", "perspective": "self", "value": "maybe"},
            {"question_id": "Z9", "value": "fully"},
        ],
        format="json",
    )

    assert response.status_code == 400
    assert [(a["question_id"], a["perspective"]) for a in response.data["answers"]] == [("B2", "self"), ("Z9", "self")]
    assert "B2 (self)" in response.data["detail"] and "Z9 (self)" in response.data["detail"]
    assert response.data["answers"][0]["errors"] == {"value": ["‘maybe’ is not an answer on this question's scale."]}
    assert not Answer.objects.exists()
    assert api(world.carol).get(assessment_url(world, uuid, "my-answers/")).data["answers"] == []


def test_a_valid_answer_put_saves_and_echoes_only_your_own_answers(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example", "alice@northshire.example"])
    api(world.alice).put(
        assessment_url(world, uuid, "my-answers/"), [{"question_id": "B1", "value": "partly"}], format="json"
    )

    response = api(world.carol).patch(
        assessment_url(world, uuid, "my-answers/"),
        [{"question_id": "B1", "perspective": "other", "value": "fully", "comment": " kept ", "evidence": "minutes"}],
        format="json",
    )

    assert response.status_code == 200
    assert [(a["question_id"], a["perspective"], a["value"], a["comment"]) for a in response.data["answers"]] == [
        ("B1", "other", "fully", "kept")
    ]
    assert response.data["respondent"]["name"] == "Carol Chen" and response.data["locked"] is False


def test_the_same_question_twice_in_one_put_is_refused(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example"])

    response = api(world.carol).put(
        assessment_url(world, uuid, "my-answers/"),
        [{"question_id": "B1", "value": "fully"}, {"question_id": "B1", "value": "partly"}],
        format="json",
    )

    assert response.status_code == 400
    assert response.data["answers"] == [] and "listed twice" in response.data["detail"]
    assert not Answer.objects.exists()


def test_malformed_answers_get_the_documented_answers_rejected_body(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example"])

    response = api(world.carol).put(
        assessment_url(world, uuid, "my-answers/"),
        [{"question_id": "B1", "value": "fully"}, {"question_id": "B2", "perspective": "sideways"}, "B3"],
        format="json",
    )

    assert response.status_code == 400
    assert [(a["index"], a["question_id"], a["perspective"]) for a in response.data["answers"]] == [
        (1, "B2", None),
        (2, None, None),
    ]
    assert list(response.data["answers"][0]["errors"]) == ["perspective"]
    assert list(response.data["answers"][1]["errors"]) == ["non_field_errors"]
    assert "Nothing was saved" in response.data["detail"]
    assert not Answer.objects.exists()


def test_a_body_that_is_not_a_list_of_answers_gets_the_documented_body_too(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example"])

    response = api(world.carol).put(assessment_url(world, uuid, "my-answers/"), {"question_id": "B1"}, format="json")

    assert response.status_code == 400
    assert response.data["answers"] == [] and response.data["detail"].startswith("Nothing was saved: Expected a list")


def test_a_member_who_was_not_invited_cannot_answer_and_reads_no_answers(world):
    uuid = start(world, "annex-b")

    put = api(world.carol).put(assessment_url(world, uuid, "my-answers/"), [{"question_id": "B1"}], format="json")
    get = api(world.carol).get(assessment_url(world, uuid, "my-answers/"))

    assert put.status_code == 403
    assert get.status_code == 200 and get.data == {"respondent": None, "locked": True, "answers": []}


def test_submitting_with_questions_unanswered_lists_them(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example"])
    answers = [a for a in every_answer("largely") if (a["question_id"], a["perspective"]) != ("B3", "other")]
    api(world.carol).put(assessment_url(world, uuid, "my-answers/"), answers, format="json")

    response = api(world.carol).post(assessment_url(world, uuid, "my-answers/submit/"))

    assert response.status_code == 400
    assert response.data["unanswered"] == [{"question_id": "B3", "perspective": "other"}]
    assert "B3" in response.data["non_field_errors"][0]


def test_after_submitting_answers_can_no_longer_change(world):
    uuid = start(world, "annex-b")
    invite(world, uuid, emails=["carol@northshire.example"])
    answer_and_submit(world, uuid, world.carol, "largely")

    response = api(world.carol).put(
        assessment_url(world, uuid, "my-answers/"), [{"question_id": "B1", "value": "fully"}], format="json"
    )

    assert response.status_code == 400
    assert set(Answer.objects.values_list("value", flat=True)) == {"largely"}
    assert api(world.carol).get(assessment_url(world, uuid, "my-answers/")).data["locked"] is True


def test_the_side_submission_lists_unanswered_agreed_answers(world):
    uuid = start(world, "annex-b")
    agree_and_submit(world, uuid, world.alice, "largely", submit=False)
    api(world.alice).put(
        assessment_url(world, uuid, "side-answers/"), [{"question_id": "B9", "value": ""}], format="json"
    )

    response = api(world.alice).post(assessment_url(world, uuid, "side-answers/submit/"))

    assert response.status_code == 400
    assert response.data["unanswered"] == [{"question_id": "B9", "perspective": "self"}]


def test_side_answers_are_all_or_nothing_too(world):
    uuid = start(world, "annex-b")

    response = api(world.bob).put(
        assessment_url(world, uuid, "side-answers/"),
        [{"question_id": "B1", "value": "fully"}, {"question_id": "B2", "perspective": "other", "value": "yes"}],
        format="json",
    )

    assert response.status_code == 400
    assert [a["question_id"] for a in response.data["answers"]] == ["B2"]
    assert not Answer.objects.exists()


def test_an_action_needs_the_reveal_and_a_question_of_the_bank(world):
    uuid = start(world, "annex-b")
    client = api(world.alice)

    early = client.post(assessment_url(world, uuid, "questions/B1/actions/"), {"title": "Too soon"}, format="json")
    unknown = client.post(assessment_url(world, uuid, "questions/Q77/actions/"), {"title": "No such"}, format="json")

    assert early.status_code == 400
    assert unknown.status_code == 404
    assert not Action.objects.exists()


# -- question banks ---------------------------------------------------------------------------

NORTHSHIRE_BANK = """\
format: partnering.bank/1
key: northshire-check
version: 1
title: Northshire quarterly check
source: Northshire County Council
scale: yes_partly_no_unknown
verdict_rule: attention
stages: [in_service]
sections:
  - title: Quarterly
    guide_section: Local
    questions:
      - id: N1
        text: Are the service reviews held on time?
"""

BROKEN_BANK = """\
format: partnering.bank/1
key: Not A Key
version: 1
title: Broken
source: Nowhere
scale: thumbs
verdict_rule: attention
stages: [in_service]
sections:
  - title: Only
    guide_section: Local
    questions:
      - id: N1
        text: A question
"""


def test_the_bank_list_shows_the_guides_banks_and_your_organisations_own(world):
    uploaded = api(world.alice).post(f"{API}/banks/", {"yaml": NORTHSHIRE_BANK}, format="json")

    mine = api(world.carol).get(f"{API}/banks/", {"limit": 100}).data["results"]
    theirs = api(world.bob).get(f"{API}/banks/", {"limit": 100}).data["results"]

    assert uploaded.status_code == 201, uploaded.data
    assert {b["key"] for b in mine} == {b["key"] for b in theirs} | {"northshire-check"}
    assert {"annex-a", "annex-b", "gate-0"} <= {b["key"] for b in theirs}
    ours = next(b for b in mine if b["key"] == "northshire-check")
    assert (ours["is_builtin"], ours["organisation"]["name"], ours["question_count"]) == (
        False,
        "Northshire County Council",
        1,
    )


def test_a_bank_version_shows_its_scale_and_questions(world):
    response = api(world.charlie).get(f"{API}/banks/annex-b/v1/")

    assert response.status_code == 200
    assert [o["value"] for o in response.data["scale"]["options"]] == ["fully", "largely", "partly", "not_at_all"]
    assert response.data["perspectives"] == ["self", "other"]
    assert response.data["sections"][0]["questions"][0]["question_id"] == "B1"


def test_another_organisations_bank_is_readable_only_once_used_in_your_arrangement(world):
    api(world.alice).post(f"{API}/banks/", {"yaml": NORTHSHIRE_BANK}, format="json")
    url = f"{API}/banks/northshire-check/v1/"
    assert api(world.bob).get(url).status_code == 404

    start(world, "northshire-check")

    assert api(world.bob).get(url).status_code == 200
    assert api(world.charlie).get(url).status_code == 404


def test_an_invalid_bank_lists_every_problem_with_its_line_and_saves_nothing(world):
    before = QuestionBank.objects.count()

    response = api(world.alice).post(f"{API}/banks/", {"yaml": BROKEN_BANK}, format="json")

    assert response.status_code == 400
    assert response.data["detail"] == "The bank has 2 problems. Nothing was saved."
    assert [(e["line"], e["field"]) for e in response.data["errors"]] == [(2, "key"), (6, "scale")]
    assert "does not match" in response.data["errors"][0]["message"]
    assert QuestionBank.objects.count() == before


def test_not_yaml_at_all_is_reported_with_its_line(world):
    response = api(world.alice).post(f"{API}/banks/", {"yaml": "key: [unclosed\n"}, format="json")

    assert response.status_code == 400
    assert response.data["errors"][0]["line"] is not None
    assert response.data["errors"][0]["message"].startswith("not valid YAML")


def test_a_built_in_banks_key_cannot_be_taken(world):
    text = NORTHSHIRE_BANK.replace("key: northshire-check", "key: annex-b")

    response = api(world.alice).post(f"{API}/banks/", {"yaml": text}, format="json")

    assert response.status_code == 400
    assert response.data["errors"][0]["field"] == "yaml" and response.data["errors"][0]["line"] is None
    assert "built-in" in response.data["errors"][0]["message"]
    assert "Nothing was saved" in response.data["detail"]


def test_an_upload_without_yaml_gets_the_documented_bank_rejected_body(world):
    response = api(world.alice).post(f"{API}/banks/", {}, format="json")

    assert response.status_code == 400
    assert response.data["errors"] == [{"line": None, "field": "yaml", "message": "This field is required."}]
    assert "Nothing was saved" in response.data["detail"]


def test_uploading_a_changed_bank_makes_the_next_version_current(world):
    client = api(world.alice)
    client.post(f"{API}/banks/", {"yaml": NORTHSHIRE_BANK}, format="json")

    response = client.post(
        f"{API}/banks/", {"yaml": NORTHSHIRE_BANK.replace("on time?", "on time, every time?")}, format="json"
    )

    assert response.status_code == 201
    assert (response.data["version"], response.data["is_current"]) == (2, True)
    assert [b["version"] for b in client.get(f"{API}/banks/").data["results"] if b["key"] == "northshire-check"] == [2]


def test_uploading_a_bank_needs_an_organisation_and_a_sign_in(world):
    loner = UserFactory(email="loner@example.org", organisation=None)

    assert APIClient().post(f"{API}/banks/", {"yaml": NORTHSHIRE_BANK}, format="json").status_code == 401
    assert api(loner).post(f"{API}/banks/", {"yaml": NORTHSHIRE_BANK}, format="json").status_code == 403
    assert APIClient().get(f"{API}/banks/").status_code == 401


def test_a_read_only_token_cannot_upload_a_bank(world):
    _, raw = token_create(user=world.alice, name="Read", scope=TokenScope.READ)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client.get(f"{API}/banks/").status_code == 200
    assert client.post(f"{API}/banks/", {"yaml": NORTHSHIRE_BANK}, format="json").status_code == 403


# -- the access matrix ------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # formatted with the refs below
    body: Any = None
    alice: int = 200  # what the customer SRO gets
    bob: int = 200  # what the provider SRIE gets
    dave: int | None = None  # what the observer gets, if not the usual 200 to read / 403 to write

    @property
    def is_write(self) -> bool:
        return self.method not in ("get", "head", "options")

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


A = "/api/v1/arrangements/{slug}/assessments/"
C = A + "{collecting}/"
R = A + "{revealed}/"
ONE_ANSWER = [{"question_id": "B1", "perspective": "self", "value": "fully"}]

ENDPOINTS = [
    Endpoint("get", A),
    Endpoint("get", C),
    Endpoint("get", C + "my-answers/"),
    Endpoint("get", C + "side-answers/", dave=403),  # the side lead's page: the spread of the side's answers
    Endpoint("get", C + "results/"),
    Endpoint("get", R + "results/"),
    Endpoint("post", A, {"bank": "annex-a"}, alice=201, bob=201),
    Endpoint("post", C + "respondents/", {"emails": ["carol@northshire.example"]}),
    Endpoint("post", C + "remind/"),
    Endpoint("put", C + "my-answers/", ONE_ANSWER),
    Endpoint("patch", C + "my-answers/", ONE_ANSWER),
    Endpoint("post", C + "my-answers/submit/", alice=400, bob=400),  # questions left unanswered
    Endpoint("put", C + "side-answers/", ONE_ANSWER),
    Endpoint("patch", C + "side-answers/", ONE_ANSWER),
    Endpoint("post", C + "side-answers/submit/", alice=400, bob=400),  # questions left unanswered
    Endpoint("post", R + "questions/A1/actions/", {"title": "Talk it through"}, alice=201, bob=201),
]
WRITES = [e for e in ENDPOINTS if e.is_write]
READS = [e for e in ENDPOINTS if not e.is_write]


@pytest.fixture
def refs(world) -> dict[str, str]:
    """An Annex B still collecting, everyone who answers invited; an Annex A already revealed."""
    collecting = start(world, "annex-b")
    invite(world, collecting, sides=["customer", "provider"])
    revealed = start(world, "annex-a")
    # Revealed as demo.py backdates its cycles: the answers themselves do not matter to who gets in.
    now = timezone.now()
    Assessment.objects.filter(uuid=revealed).update(
        status=AssessmentStatus.REVEALED, customer_submitted_at=now, provider_submitted_at=now, revealed_at=now
    )
    return {"slug": world.arrangement.slug, "collecting": collecting, "revealed": revealed}


def call(client: APIClient, endpoint: Endpoint, refs: dict[str, str]) -> Any:
    return getattr(client, endpoint.method)(endpoint.path.format(**refs), endpoint.body, format="json")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_gets_401(endpoint, refs):
    response = call(APIClient(), endpoint, refs)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_outsider_gets_404_for_every_assessment_endpoint(endpoint, refs, charlie):
    assert call(api(charlie), endpoint, refs).status_code == 404


@pytest.mark.parametrize("endpoint", READS, ids=str)
def test_observer_can_read(endpoint, refs, dave):
    response = call(api(dave), endpoint, refs)

    assert response.status_code == (endpoint.dave or 200), response.data


@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_observer_gets_403_for_every_write(endpoint, refs, dave):
    response = call(api(dave), endpoint, refs)

    assert response.status_code == 403, response.data


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_customer_sro_gets_what_her_role_allows(endpoint, refs, alice):
    response = call(api(alice), endpoint, refs)

    assert response.status_code == endpoint.alice, response.data


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_provider_srie_gets_what_his_role_allows(endpoint, refs, bob):
    response = call(api(bob), endpoint, refs)

    assert response.status_code == endpoint.bob, response.data


@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_a_read_only_token_gets_403_for_every_write(endpoint, refs, alice):
    _, raw = token_create(user=alice, name="Read", scope=TokenScope.READ)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = call(client, endpoint, refs)

    assert response.status_code == 403, response.data
    assert "read-only" in str(response.data["detail"])


@pytest.mark.parametrize("endpoint", READS, ids=str)
def test_a_read_only_token_can_read(endpoint, refs, alice):
    _, raw = token_create(user=alice, name="Read", scope=TokenScope.READ)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert call(client, endpoint, refs).status_code == 200


def test_a_member_who_is_not_a_side_lead_cannot_read_or_submit_the_sides_answers(world, refs):
    client = api(world.carol)

    assert client.get(C.format(**refs) + "side-answers/").status_code == 403
    assert client.post(C.format(**refs) + "side-answers/submit/").status_code == 403


def test_the_facilitator_reads_results_only_when_both_sides_are_visible_to_them(world, refs):
    client = api(world.fran)

    assert client.get(C.format(**refs) + "results/").status_code == 403
    assert client.get(R.format(**refs) + "results/").status_code == 200
    assert client.get(C.format(**refs) + "side-answers/").status_code == 403


def test_an_unknown_assessment_and_another_arrangements_look_the_same(world):
    theirs = services.assessment_start(
        access=world.access(world.charlie, world.other_arrangement),
        bank=QuestionBank.objects.get(key="annex-b", is_current=True),
    )
    client = api(world.alice)

    missing = client.get(assessment_url(world, "00000000-0000-0000-0000-000000000000"))
    elsewhere = client.get(assessment_url(world, str(theirs.uuid)))

    assert missing.status_code == elsewhere.status_code == 404
    assert missing.data == elsewhere.data


# -- query counts -----------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.data
    return len(ctx.captured_queries)


def test_the_assessment_list_takes_the_same_queries_for_2_or_10_assessments(world):
    bank = QuestionBank.objects.get(key="annex-a", is_current=True)
    access = world.access(world.alice)
    for _ in range(2):
        a = services.assessment_start(access=access, bank=bank)
        services.respondents_invite(access=access, assessment=a, users=[world.carol, world.peter])
    client = api(world.bob)
    with_two = _queries(client, assessments_url(world))
    for _ in range(8):
        a = services.assessment_start(access=access, bank=bank)
        services.respondents_invite(access=access, assessment=a, users=[world.carol, world.peter])

    with_ten = _queries(client, assessments_url(world))

    # session, user, membership, its roles, the count, the page
    assert with_two == with_ten == 6


def test_the_bank_list_takes_the_same_queries_however_many_banks(world):
    client = api(world.alice)
    before = _queries(client, f"{API}/banks/")
    for n in range(5):
        client.post(f"{API}/banks/", {"yaml": NORTHSHIRE_BANK.replace("northshire-check", f"local-{n}")}, format="json")

    # session, user, the count, the page (organisations joined)
    assert before == _queries(client, f"{API}/banks/") == 4


def _assessment_with_respondents(world, count: int) -> Assessment:
    access = world.access(world.alice)
    assessment = services.assessment_start(
        access=access, bank=QuestionBank.objects.get(key="annex-b", is_current=True), ask_other_view=True
    )
    people = []
    for n in range(count):
        side = Side.CUSTOMER if n % 2 == 0 else Side.PROVIDER
        person = UserFactory(organisation=world.customer if side == Side.CUSTOMER else world.provider)
        add_member(world.arrangement, person, side, Role.BOARD_MEMBER)
        people.append(person)
    services.respondents_invite(access=access, assessment=assessment, users=people)
    for person in people:
        api(person).put(
            assessment_url(world, str(assessment.uuid), "my-answers/"), every_answer("largely"), format="json"
        )
    agree_and_submit(world, str(assessment.uuid), world.alice, "partly")
    agree_and_submit(world, str(assessment.uuid), world.bob, "fully")
    action = api(world.alice).post(
        assessment_url(world, str(assessment.uuid), "questions/B1/actions/"), {"title": "Follow up"}, format="json"
    )
    assert action.status_code == 201
    return assessment


def test_the_results_take_the_same_queries_for_2_or_8_respondents(world):
    client = api(world.bob)
    two = _assessment_with_respondents(world, 2)
    eight = _assessment_with_respondents(world, 8)

    with_two = _queries(client, assessment_url(world, str(two.uuid), "results/"))
    with_eight = _queries(client, assessment_url(world, str(eight.uuid), "results/"))

    # session, user, membership, its roles, the assessment (with bank, arrangement, previous),
    # the answers, the respondents, the actions (with owners)
    assert with_two == with_eight == 8


def test_the_side_answers_and_detail_take_the_same_queries_for_2_or_8_respondents(world):
    client = api(world.alice)
    two = _assessment_with_respondents(world, 2)
    eight = _assessment_with_respondents(world, 8)

    for tail in ("", "side-answers/", "my-answers/"):
        with_two = _queries(client, assessment_url(world, str(two.uuid), tail))
        with_eight = _queries(client, assessment_url(world, str(eight.uuid), tail))
        assert with_two == with_eight, tail


def test_another_organisations_bank_looks_like_no_bank_at_all(world):
    api(world.charlie).post(f"{API}/banks/", {"yaml": NORTHSHIRE_BANK}, format="json")
    client = api(world.alice)

    theirs = client.post(assessments_url(world), {"bank": "northshire-check", "version": 1}, format="json")
    missing = client.post(assessments_url(world), {"bank": "nowhere-check", "version": 1}, format="json")

    assert theirs.status_code == missing.status_code == 400
    assert theirs.data == missing.data


def test_each_bank_states_its_addressee_and_the_providers_own_wording(world):
    banks = {b["key"]: b for b in api(world.bob).get(f"{API}/banks/").data["results"]}
    first_year = api(world.bob).get(f"{API}/banks/first-year/v{banks['first-year']['version']}/").data

    assert {k: (b["addressee"], b["also_ask"]) for k, b in banks.items()} == {
        "partner-suitability-sro": ("sro", ""),
        "partner-suitability-srie": ("srie", ""),
        "gate-0": ("sro", ""),
        "gate-1": ("sro", ""),
        "gate-2": ("sro", ""),
        "gate-3": ("sro", ""),
        "first-year": ("sro", "srie"),
        "annual-health-check": ("sro", "srie"),
        "annex-a": ("both", ""),
        "annex-b": ("both", ""),
    }
    fy1 = first_year["sections"][0]["questions"][0]
    assert fy1["text"].startswith("Have you and the provider established")
    assert fy1["provider_text"].startswith("Have you and the customer established")


def test_starting_asks_the_addressee_and_the_other_lead_only_where_the_guide_allows(world):
    alone = start(world, "first-year")
    both = start(world, "annual-health-check", also_ask_other_lead=True)
    refused = api(world.alice).post(
        assessments_url(world), {"bank": "gate-1", "also_ask_other_lead": True}, format="json"
    )

    assert api(world.alice).get(assessment_url(world, alone)).data["participation"] == "customer"
    assert api(world.alice).get(assessment_url(world, both)).data["participation"] == "both"
    assert refused.status_code == 400 and "also_ask_other_lead" in refused.data
