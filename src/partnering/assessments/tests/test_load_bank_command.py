"""`partnering load_bank FILE [--organisation NAME]`: check the whole file, then store it or nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from partnering.assessments.models import QuestionBank

CUSTOM_BANK = """\
format: partnering.bank/1
key: northshire-supplier-day
version: 1
title: "Northshire supplier day check"
source: "Northshire County Council, own questions"
scale: fully_largely_partly_not
verdict_rule: annex_b
stages: [in_service]
recurrence: none
perspectives: [self]
sections:
  - title: "Supplier day"
    guide_section: "Annex B: Assessing the ongoing relationship"
    questions:
      - id: N1
        text: "How well did the supplier day go?"
      - id: N2
        text: "How useful were the joint workshops?"
"""

# Three problems: a scale that does not exist, a duplicate question id and an unknown field.
BROKEN_BANK = (
    CUSTOM_BANK.replace("scale: fully_largely_partly_not", "scale: out_of_ten")
    .replace("id: N2", "id: N1")
    .replace(
        '        text: "How well did the supplier day go?"\n',
        '        text: "How well did the supplier day go?"\n        weight: 3\n',
    )
)


def _load(tmp_path, text: str | bytes, *args: str):
    path = tmp_path / "bank.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    out, err = io.StringIO(), io.StringIO()
    call_command("load_bank", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_valid_bank_is_stored_for_the_organisation_and_its_key_and_version_printed(world, tmp_path):
    out, _err = _load(tmp_path, CUSTOM_BANK, "--organisation", "Northshire County Council")

    bank = QuestionBank.objects.get(key="northshire-supplier-day")
    assert out.strip() == "northshire-supplier-day version 1"
    assert bank.organisation == world.customer
    assert bank.source_text == CUSTOM_BANK
    assert bank.bank.question_ids == ("N1", "N2")


def test_every_problem_is_printed_with_its_line_and_field_and_nothing_is_saved(world, tmp_path):
    before = QuestionBank.objects.count()

    with pytest.raises(CommandError, match="3 problems"):
        _load(tmp_path, BROKEN_BANK, "--organisation", "Northshire County Council")

    assert QuestionBank.objects.count() == before


def test_the_errors_go_to_stderr_one_per_line(world, tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(BROKEN_BANK)
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("load_bank", str(path), "--organisation", "Northshire County Council", stderr=err)

    lines = err.getvalue().strip().splitlines()
    assert lines == [
        "line 6, scale: unknown value 'out_of_ten'; expected one of: yes_partly_no_unknown, yes_no, "
        "fully_largely_partly_not",
        "line 17, sections[0].questions[0].weight: unknown field (expected: id, text, narrative, provider_text)",
        "line 18, sections[0].questions[1].id: duplicate id 'N1' (first used on line 15)",
    ]


@pytest.mark.parametrize(
    "text",
    [b"key: [unclosed\n", b"\xff\xfe not utf-8", b""],
    ids=["not YAML", "not UTF-8", "empty"],
)
def test_a_file_that_is_not_a_bank_at_all_is_refused(world, tmp_path, text):
    before = QuestionBank.objects.count()
    err = io.StringIO()
    path = tmp_path / "bank.yaml"
    path.write_bytes(text)

    with pytest.raises(CommandError):
        call_command("load_bank", str(path), stderr=err)

    assert err.getvalue().startswith("line ")
    assert QuestionBank.objects.count() == before


def test_a_changed_bank_becomes_version_2(world, tmp_path):
    _load(tmp_path, CUSTOM_BANK, "--organisation", "Northshire County Council")

    out, _err = _load(
        tmp_path, CUSTOM_BANK.replace("How useful", "How valuable"), "--organisation", "Northshire County Council"
    )

    assert out.strip() == "northshire-supplier-day version 2"
    assert list(QuestionBank.objects.filter(key="northshire-supplier-day").values_list("version", "is_current")) == [
        (2, True),
        (1, False),
    ]


def test_loading_the_same_bank_again_changes_nothing(world, tmp_path):
    _load(tmp_path, CUSTOM_BANK, "--organisation", "Northshire County Council")

    out, _err = _load(tmp_path, CUSTOM_BANK, "--organisation", "Northshire County Council")

    assert out.strip() == "northshire-supplier-day version 1"
    assert QuestionBank.objects.filter(key="northshire-supplier-day").count() == 1


def test_an_organisation_cannot_take_the_key_of_a_built_in_bank(world, tmp_path):
    err = io.StringIO()
    path = tmp_path / "bank.yaml"
    path.write_text(CUSTOM_BANK.replace("key: northshire-supplier-day", "key: annex-b"))

    with pytest.raises(CommandError):
        call_command("load_bank", str(path), "--organisation", "Northshire County Council", stderr=err)

    assert "built-in" in err.getvalue()
    assert not QuestionBank.objects.filter(key="annex-b", organisation__isnull=False).exists()


def test_two_organisations_each_keep_their_own_bank_under_the_same_key(world, tmp_path):
    _load(tmp_path, CUSTOM_BANK, "--organisation", "Northshire County Council")

    out, _err = _load(
        tmp_path, CUSTOM_BANK.replace("How useful", "How valuable"), "--organisation", "Brightwave Digital"
    )

    assert out.strip() == "northshire-supplier-day version 1"
    banks = QuestionBank.objects.filter(key="northshire-supplier-day").order_by("organisation__name")
    assert [(b.organisation, b.version, b.is_current) for b in banks] == [
        (world.provider, 1, True),
        (world.customer, 1, True),
    ]


def test_a_built_in_bank_cannot_take_a_key_an_organisation_uses(world, tmp_path):
    _load(tmp_path, CUSTOM_BANK, "--organisation", "Northshire County Council")

    with pytest.raises(CommandError):
        _load(tmp_path, CUSTOM_BANK)

    assert not QuestionBank.objects.filter(key="northshire-supplier-day", organisation__isnull=True).exists()


def test_an_unknown_organisation_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="No organisation"):
        _load(tmp_path, CUSTOM_BANK, "--organisation", "Nowhere Ltd")

    assert not QuestionBank.objects.filter(key="northshire-supplier-day").exists()


def test_a_missing_file_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_bank", str(tmp_path / "missing.yaml"))
