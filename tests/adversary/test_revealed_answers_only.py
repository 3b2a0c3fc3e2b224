"""Issue 13, finding 2: only what was revealed leaves.

After the reveal, the arrangement archive (the export page and `partnering export --as`) held the
full edit history of the other side's agreed answers: every draft value, comment and piece of
evidence the side lead typed before submitting. An export, a Gateway pack or a report holds the
other side's answers as revealed (the agreed answers, and their history from the submission on),
never their drafts.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from partnering.archive import gateway
from partnering.archive.export import collect
from partnering.arrangements.models import OpennessProfile
from partnering.assessments import reports, services
from partnering.assessments.models import Answer, QuestionBank
from partnering.assessments.tests.test_services import submit_side

DRAFTS = ("Draft: we are failing the service desk", "https://drafts.example/evidence-1")
FINAL = ("We meet every target", "https://evidence.example/final")


def _agree(world, assessment, lead, value, comment, evidence) -> None:
    spec = assessment.spec
    for q in spec.questions:
        for perspective in spec.perspectives:
            services.agreed_answer_save(
                access=world.access(lead),
                assessment=assessment,
                question_id=q.id,
                perspective=perspective,
                value=value,
                comment=comment,
                evidence=evidence,
            )


@pytest.fixture
def revealed(world):
    """Annex B: each lead first types a draft (answer, comment, evidence), then the final answers,
    submits, and the assessment is revealed."""
    bank = QuestionBank.objects.get(key="annex-b", is_current=True)
    assessment = services.assessment_start(access=world.access(world.alice), bank=bank)
    _agree(world, assessment, world.alice, "not_at_all", "Customer draft: the provider lets us down", "cust-draft")
    _agree(world, assessment, world.bob, "not_at_all", *DRAFTS)
    _agree(world, assessment, world.alice, "largely", "Customer final", "cust-final")
    _agree(world, assessment, world.bob, "fully", *FINAL)
    submit_side(world, assessment, world.alice)
    return submit_side(world, assessment, world.bob)


def _answers(data: dict) -> dict:
    return next(m for m in data["models"] if m["model"] == "assessments.answer")


def _texts(entries: list[dict]) -> str:
    return json.dumps([e["fields"] for e in entries])


@pytest.mark.django_db
def test_the_customers_export_holds_none_of_the_providers_drafts(world, revealed):
    answers = _answers(collect(world.arrangement, access=world.access(world.alice)))

    provider_history = [h for h in answers["history"] if h["fields"]["side"] == "provider"]
    assert provider_history, "the provider's answers as submitted are in the archive"
    for draft in DRAFTS:
        assert draft not in _texts(answers["history"])
        assert draft not in _texts(answers["records"])
    assert "not_at_all" not in {h["fields"]["value"] for h in provider_history}
    # The answer as submitted, one version per question, and nothing the lead tried before.
    assert {(h["fields"]["value"], h["fields"]["comment"], h["fields"]["evidence"]) for h in provider_history} == {
        ("fully", *FINAL)
    }
    submitted = Answer.objects.filter(assessment=revealed, side="provider", respondent__isnull=True).count()
    assert len(provider_history) == submitted


@pytest.mark.django_db
def test_the_providers_export_holds_none_of_the_customers_drafts_but_its_own(world, revealed):
    """A side's own drafts are its own records: they stay in its own export."""
    answers = _answers(collect(world.arrangement, access=world.access(world.bob)))
    history = _texts(answers["history"])

    assert "Customer draft" not in history
    assert "cust-draft" not in history
    assert "Customer final" in history
    assert DRAFTS[0] in history  # the provider's own draft, in the provider's own archive


@pytest.mark.django_db
def test_the_export_page_download_holds_none_of_the_other_sides_drafts(client, world, revealed):
    client.force_login(world.alice)

    response = client.get(f"/arrangements/{world.arrangement.slug}/export/archive.zip")

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        text = zf.read("archive.json").decode()
    assert FINAL[0] in text
    for draft in DRAFTS:
        assert draft not in text


@pytest.mark.django_db
def test_the_export_command_as_a_member_holds_none_of_the_other_sides_drafts(world, revealed, tmp_path):
    target = tmp_path / "export.zip"

    call_command("export", world.arrangement.slug, "--as", world.alice.email, "-o", str(target), stdout=io.StringIO())

    with zipfile.ZipFile(target) as zf:
        text = zf.read("archive.json").decode()
    assert FINAL[0] in text
    for draft in DRAFTS:
        assert draft not in text


@pytest.mark.django_db
def test_a_change_after_the_submission_is_history_from_the_submission_on(world, revealed):
    """Nothing changes an answer once submitted today; if something ever does, it is revealed history."""
    answer = Answer.objects.filter(assessment=revealed, side="provider", respondent__isnull=True).first()
    answer.comment = "Corrected after the reveal"
    answer.save()

    answers = _answers(collect(world.arrangement, access=world.access(world.alice)))
    mine = [h for h in answers["history"] if h["key"] == str(answer.uuid)]

    assert [h["fields"]["comment"] for h in mine] == [FINAL[0], "Corrected after the reveal"]


@pytest.mark.django_db
def test_before_the_providers_submission_its_answers_and_their_history_stay_out(world):
    bank = QuestionBank.objects.get(key="annex-b", is_current=True)
    assessment = services.assessment_start(access=world.access(world.alice), bank=bank)
    _agree(world, assessment, world.bob, "not_at_all", *DRAFTS)
    _agree(world, assessment, world.alice, "largely", "Customer final", "cust-final")
    submit_side(world, assessment, world.alice)

    answers = _answers(collect(world.arrangement, access=world.access(world.alice)))

    assert {a["fields"]["side"] for a in answers["records"] + answers["history"]} == {"customer"}


@pytest.mark.django_db
@pytest.mark.parametrize("sees_blind", [False, True])
def test_the_facilitator_sees_drafts_only_as_far_as_the_openness_allows(world, sees_blind):
    """With `facilitator_sees_blind_answers` the facilitator reads the current (draft) agreed answers,
    as on the pages, but never their earlier versions; without it, nothing before the reveal."""
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(facilitator_sees_blind_answers=sees_blind)
    world.arrangement.openness.refresh_from_db()
    bank = QuestionBank.objects.get(key="annex-b", is_current=True)
    assessment = services.assessment_start(access=world.access(world.alice), bank=bank)
    _agree(world, assessment, world.bob, "not_at_all", *DRAFTS)
    _agree(world, assessment, world.bob, "fully", *FINAL)

    answers = _answers(collect(world.arrangement, access=world.access(world.fran)))

    assert answers["history"] == []
    assert {a["fields"]["comment"] for a in answers["records"]} == ({FINAL[0]} if sees_blind else set())
    assert DRAFTS[0] not in _texts(answers["records"])


@pytest.mark.django_db
def test_the_report_and_the_gateway_pack_hold_only_the_revealed_answers(world, revealed):
    report = reports._report(world.access(world.alice), str(revealed.uuid))
    html = reports.report_html(report)
    pack = gateway.pack_html(gateway.build(world.access(world.alice), 5, number=None))

    assert FINAL[0] in html  # the report shows the agreed comments: the revealed ones
    for text in (html, pack):
        assert DRAFTS[0] not in text
        assert "drafts.example" not in text
