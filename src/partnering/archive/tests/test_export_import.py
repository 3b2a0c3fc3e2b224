import io
import json
import zipfile

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from partnering.accounts.models import Organisation, User
from partnering.archive.export import archive_zip, collect
from partnering.archive.graph import archive_nodes
from partnering.archive.importer import ArchiveError, archive_import
from partnering.arrangements.models import Arrangement
from partnering.assessments.models import QuestionBank


def _canonical(data):
    """The archive without what legitimately differs between installations."""
    out = {k: v for k, v in data.items() if k not in ("exported_at", "question_banks")}
    out["question_banks"] = [(b["key"], b["version"], b["spec"]) for b in data["question_banks"]]
    return out


def _wipe():
    """An empty installation, as far as arrangements and people go (history tables too)."""
    Arrangement.objects.all().delete()
    for node in archive_nodes():
        if node.history_model is not None:
            node.history_model.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()


def _records(data, label):
    return next(m for m in data["models"] if m["model"] == label)


@pytest.mark.django_db
def test_it_round_trips_an_arrangement_exactly(populated):
    arrangement = populated.world.arrangement
    before = collect(arrangement)
    created_at = arrangement.created_at
    content = archive_zip(arrangement)

    _wipe()
    result = archive_import(content)

    after = collect(result.arrangement)
    assert _canonical(after) == _canonical(before)
    assert result.arrangement.created_at == created_at
    assert result.arrangement.slug == arrangement.slug
    assert result.history > 0
    assert not User.objects.get(email="alice@northshire.example").has_usable_password()


@pytest.mark.django_db
def test_the_archive_names_records_never_by_database_id(populated):
    data = collect(populated.world.arrangement)

    risks = _records(data, "risks.risk")
    action = _records(data, "actions.action")["records"][0]["fields"]
    assert {r["key"] for r in risks["records"]} == {str(populated.shared.uuid), str(populated.private.uuid)}
    assert action["owner"] == "alice@northshire.example"
    assert action["source_type"] == "assessments.assessment"
    assert action["source_id"] == str(populated.revealed.uuid)
    # The deleted risk is still in the history, with its deletion.
    assert any(h["fields"]["title"] == "Deleted risk" and h["fields"]["history_type"] == "-" for h in risks["history"])
    assert "password" not in json.dumps(data["users"])


@pytest.mark.django_db
def test_the_zip_holds_the_archive_a_readme_and_the_registers(populated):
    content = archive_zip(populated.world.arrangement)

    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        assert set(zf.namelist()) == {"archive.json", "README.txt", "registers.xlsx"}
        assert "partnering-archive" in zf.read("README.txt").decode()
        workbook = load_workbook(io.BytesIO(zf.read("registers.xlsx")))
    assert {"Risks", "Actions", "Memberships", "Shared outcomes"} <= set(workbook.sheetnames)
    comments = [c.value for row in workbook["Risk comments"].iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in comments  # formula-safe
    answers = workbook["Answers"]
    assert answers.max_row == 1 + 4  # the agreed answers only, not the respondent's own


@pytest.mark.django_db
def test_a_members_export_leaves_out_the_other_sides_private_and_blind_records(populated):
    world = populated.world
    data = collect(world.arrangement, access=world.access(world.alice))

    risk_keys = {r["key"] for r in _records(data, "risks.risk")["records"]}
    assert risk_keys == {str(populated.shared.uuid)}
    comments = _records(data, "risks.riskcomment")
    assert [c["fields"]["text"] for c in comments["records"]] == ['=HYPERLINK("http://x")']
    assert all(h["fields"]["text"] != "Only for us" for h in comments["history"])
    assert all(h["key"] != str(populated.private.uuid) for h in _records(data, "risks.risk")["history"])
    answers = _records(data, "assessments.answer")
    seen = {(a["fields"]["assessment"], a["fields"]["side"], a["fields"]["respondent"]) for a in answers["records"]}
    assert seen == {
        (str(populated.revealed.uuid), "customer", None),
        (str(populated.revealed.uuid), "provider", None),
        (str(populated.blind.uuid), "customer", None),
    }
    assert {(h["fields"]["assessment"], h["fields"]["side"]) for h in answers["history"]} == {
        (a, s) for a, s, _r in seen
    }


@pytest.mark.django_db
def test_import_refuses_an_arrangement_already_here_and_writes_nothing(populated):
    content = archive_zip(populated.world.arrangement)
    users = User.objects.count()

    with pytest.raises(ArchiveError, match="already in this installation"):
        archive_import(content)

    assert User.objects.count() == users


@pytest.mark.django_db
def test_a_bad_record_stops_the_import_naming_it_and_nothing_is_written(populated):
    data = collect(populated.world.arrangement)
    risk = _records(data, "risks.risk")["records"][0]
    risk["fields"]["likelihood"] = "very"
    _wipe()

    with pytest.raises(ArchiveError, match=f"risks.risk {risk['key']}"):
        archive_import(json.dumps(data).encode())

    assert not Arrangement.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_reference_outside_the_archive_is_refused(populated):
    data = collect(populated.world.arrangement)
    _records(data, "actions.action")["records"][0]["fields"]["owner"] = "nobody@example.org"
    _wipe()

    with pytest.raises(ArchiveError, match="nobody@example.org"):
        archive_import(json.dumps(data).encode())
    assert not Arrangement.objects.exists()


@pytest.mark.django_db
def test_import_keeps_question_banks_it_already_has(populated):
    data = collect(populated.world.arrangement)
    banks = QuestionBank.objects.count()
    _wipe()

    archive_import(json.dumps(data).encode())

    assert QuestionBank.objects.count() == banks


@pytest.mark.django_db
def test_the_commands_export_and_import(populated, tmp_path):
    from django.core.management import call_command

    target = tmp_path / "a.zip"
    call_command("export", populated.world.arrangement.slug, "--all", "-o", str(target))
    _wipe()
    call_command("import", str(target))

    assert Arrangement.objects.filter(slug=populated.world.arrangement.slug).exists()


class TestTheExportPage:
    def test_it_downloads_the_sros_view(self, client, populated):
        world = populated.world
        client.force_login(world.alice)

        response = client.get(f"/arrangements/{world.arrangement.slug}/export/archive.zip")

        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("archive.json"))
        assert data["scope"] == {"everything": False, "side": "customer", "exported_by": "alice@northshire.example"}

    @pytest.mark.parametrize("user", ["dave", "fran", "carol"])
    def test_it_is_only_for_the_sro_and_srie(self, client, world, user):
        client.force_login(getattr(world, user))

        assert client.get(f"/arrangements/{world.arrangement.slug}/export/").status_code == 403

    def test_it_is_not_found_for_outsiders(self, client, world):
        client.force_login(world.charlie)

        assert client.get(f"/arrangements/{world.arrangement.slug}/export/archive.zip").status_code == 404


def test_timestamps_survive(populated):
    arrangement = populated.world.arrangement
    risk_created = populated.shared.created_at
    content = archive_zip(arrangement)
    _wipe()
    archive_import(content)
    from partnering.risks.models import Risk

    assert Risk.objects.get(uuid=populated.shared.uuid).created_at == risk_created
    assert timezone.is_aware(risk_created)


@pytest.mark.django_db
def test_a_members_export_holds_no_single_pulse_response_of_either_side_nor_its_links(populated):
    from partnering.assessments.models import PulseInvitation, PulseResponse, PulseSurvey, QuestionBank

    world = populated.world
    bank = QuestionBank.objects.get(key="annex-b", is_current=True)
    survey = PulseSurvey.objects.create(arrangement=world.arrangement, bank=bank, title="Pulse", teams=["Service desk"])
    PulseInvitation.objects.create(survey=survey, token_hash="0" * 64, side="provider", team="Service desk", used=True)
    PulseResponse.objects.create(survey=survey, side="provider", team="Service desk", answers={"B1": "not_at_all"})

    data = collect(world.arrangement, access=world.access(world.alice))

    assert _records(data, "assessments.pulseresponse")["records"] == []
    assert _records(data, "assessments.pulseinvitation")["records"] == []
    everything = collect(world.arrangement)
    assert len(_records(everything, "assessments.pulseresponse")["records"]) == 1
    assert len(_records(everything, "assessments.pulseinvitation")["records"]) == 1


@pytest.mark.django_db
def test_an_archive_from_before_single_use_pulse_links_still_imports(populated):
    """The survey's shared link and the response's day are no longer kept: an older archive's are dropped."""
    from partnering.assessments.models import PulseResponse, PulseSurvey

    world = populated.world
    bank = QuestionBank.objects.get(key="annex-b", is_current=True)
    survey = PulseSurvey.objects.create(arrangement=world.arrangement, bank=bank, title="Pulse", is_open=False)
    PulseResponse.objects.create(survey=survey, side="provider", team="", answers={"B1": "largely"})
    data = collect(world.arrangement)
    _records(data, "assessments.pulsesurvey")["records"][0]["fields"]["token"] = "an-old-shared-link"
    for h in _records(data, "assessments.pulsesurvey")["history"]:
        h["fields"]["token"] = "an-old-shared-link"
    _records(data, "assessments.pulseresponse")["records"][0]["fields"]["submitted_on"] = "2025-01-01"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("archive.json", json.dumps(data))
    _wipe()

    archive_import(buffer.getvalue())

    assert PulseResponse.objects.get().answers == {"B1": "largely"}
    assert PulseSurvey.objects.get().title == "Pulse"
