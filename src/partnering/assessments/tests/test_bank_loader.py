"""The built-in banks match the guide, and the loader refuses bad banks, naming line and field."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from partnering.assessments import bank_loader
from partnering.assessments.bank_loader import (
    BUILTIN_BANK_KEYS,
    MAX_DOCUMENT_BYTES,
    SCALES,
    BankError,
    BankSpec,
    BankValidationError,
    builtin_bank,
    builtin_banks,
    load_bank_file,
    load_bank_text,
)

# key: (title, question count, scale, verdict rule, stages, recurrence, perspectives)
EXPECTED = {
    "partner-suitability-sro": (
        "Partner suitability: the SRO’s perspective (questions about a potential provider)",
        5,
        "yes_partly_no_unknown",
        "attention",
        ("procurement_strategy", "investment_decision"),
        "none",
        ("self",),
    ),
    "partner-suitability-srie": (
        "Partner suitability: the SRIE’s perspective (reciprocal questions about the customer)",
        5,
        "yes_partly_no_unknown",
        "attention",
        ("procurement_strategy", "investment_decision"),
        "none",
        ("self",),
    ),
    "gate-0": (
        "Before Gate 0: Strategic assessment",
        9,
        "yes_partly_no_unknown",
        "attention",
        ("strategic_assessment",),
        "none",
        ("self",),
    ),
    "gate-1": (
        "Before Gate 1: Business justification",
        9,
        "yes_partly_no_unknown",
        "attention",
        ("business_justification",),
        "none",
        ("self",),
    ),
    "gate-2": (
        "Before Gate 2: Procurement strategy",
        14,
        "yes_partly_no_unknown",
        "attention",
        ("procurement_strategy",),
        "none",
        ("self",),
    ),
    "gate-3": (
        "Before Gate 3: Investment decision",
        7,
        "yes_partly_no_unknown",
        "attention",
        ("investment_decision",),
        "none",
        ("self",),
    ),
    "first-year": (
        "After the contract has been let and during the first year",
        8,
        "yes_partly_no_unknown",
        "attention",
        ("contract_let",),
        "none",
        ("self",),
    ),
    "annual-health-check": (
        "Annual relationship health check",
        5,
        "yes_partly_no_unknown",
        "attention",
        ("in_service",),
        "annual",
        ("self", "other"),
    ),
    "annex-a": (
        "Annex A: Readiness for a partnering arrangement",
        10,
        "yes_no",
        "annex_a",
        ("strategic_assessment", "business_justification"),
        "none",
        ("self",),
    ),
    "annex-b": (
        "Annex B: Assessing the ongoing relationship",
        9,
        "fully_largely_partly_not",
        "annex_b",
        ("contract_let", "in_service"),
        "annual",
        ("self", "other"),
    ),
}


# --- Built-in banks -------------------------------------------------------------------------------


def test_every_builtin_bank_loads_in_the_guides_order():
    assert [bank.key for bank in builtin_banks()] == list(EXPECTED)
    assert list(BUILTIN_BANK_KEYS) == list(EXPECTED)


def test_the_banks_folder_holds_exactly_the_builtin_banks():
    folder = Path(bank_loader.__file__).parent / "banks"
    assert sorted(path.stem for path in folder.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_builtin_bank_has_the_guides_question_count_and_metadata(key):
    title, count, scale, rule, stages, recurrence, perspectives = EXPECTED[key]
    bank = builtin_bank(key)
    assert bank.title == title
    assert len(bank.questions) == count
    assert bank.scale is SCALES[scale]
    assert bank.verdict_rule == rule
    assert bank.stages == stages
    assert bank.recurrence == recurrence
    assert bank.perspectives == perspectives
    assert bank.version >= 1
    assert bank.source.startswith("Effective partnering (OGC, 2003)")
    assert [question.order for question in bank.questions] == list(range(1, count + 1))


def test_there_are_81_builtin_questions_with_ids_unique_across_all_banks():
    ids = [question.id for bank in builtin_banks() for question in bank.questions]
    assert len(ids) == 81
    assert len(set(ids)) == len(ids)


def test_every_builtin_question_names_its_guide_section_and_section():
    for bank in builtin_banks():
        for section in bank.sections:
            for question in section.questions:
                assert question.guide_section == section.guide_section != ""
                assert question.section == section.title
                assert question.text.strip() == question.text != ""


def test_annex_a_keeps_its_two_sections_and_the_new_ways_of_working_lead_in():
    bank = builtin_bank("annex-a")
    assert [(s.title, len(s.questions)) for s in bank.sections] == [
        ("New ways of working", 4),
        ("Current attitudes and behaviours", 6),
    ]
    assert bank.sections[0].intro == ("How confident are you that your team members would be able to work in this way:")


def test_gate_0_counts_the_unbulleted_lines_as_questions_of_their_own():
    texts = [question.text for question in builtin_bank("gate-0").questions]
    assert texts[1] == "Is our organisation ready to work with a provider on a partnering basis?"
    assert texts[3] == "What is our track record in building partnering relationships (if any)?"


def test_open_questions_ask_for_a_narrative():
    gate_0 = builtin_bank("gate-0")
    assert gate_0.question("G0.1").narrative  # "If so, then why?"
    assert not gate_0.question("G0.2").narrative
    assert not any(question.narrative for question in builtin_bank("annex-b").questions)


def test_builtin_banks_are_parsed_once_and_shared():
    assert builtin_bank("annex-b") is builtin_bank("annex-b")
    assert builtin_banks() == builtin_banks()


def test_an_unknown_builtin_bank_is_a_key_error():
    with pytest.raises(KeyError):
        builtin_bank("gate-9")


@pytest.mark.parametrize("key", list(EXPECTED))
def test_as_dict_round_trips_through_json(key):
    bank = builtin_bank(key)
    stored = json.loads(json.dumps(bank.as_dict()))
    assert BankSpec.from_dict(stored) == bank


def test_from_dict_keeps_the_scale_the_answers_were_given_on():
    stored = builtin_bank("annex-b").as_dict()
    stored["scale"]["options"][0]["label"] = "Completely"
    bank = BankSpec.from_dict(stored)
    assert bank.scale.option("fully").label == "Completely"
    assert SCALES["fully_largely_partly_not"].option("fully").label == "Fully"


def test_from_dict_validates_a_stored_bank_too():
    stored = builtin_bank("annex-b").as_dict()
    stored["sections"][0]["questions"][1]["id"] = "B1"
    stored["colour"] = "red"
    with pytest.raises(BankValidationError) as caught:
        BankSpec.from_dict(stored)
    assert {(e.line, e.field) for e in caught.value.errors} == {
        (None, "colour"),
        (None, "sections[0].questions[1].id"),
    }


def test_the_not_yet_known_answer_has_no_score_but_the_others_are_ordered():
    scale = SCALES["yes_partly_no_unknown"]
    assert [scale.score(v) for v in scale.values] == [3, 2, 1, None]
    assert scale.top.value == "yes"
    assert SCALES["yes_no"].top.value == "yes"
    assert SCALES["fully_largely_partly_not"].top.value == "fully"


# --- Against the guide itself ---------------------------------------------------------------------


def _repo_root() -> Path:
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").exists():
            return folder
    raise AssertionError("no pyproject.toml above the tests")


GUIDE = _repo_root() / ".." / "shared" / "guide" / "effective-partnering.txt"
needs_guide = pytest.mark.skipif(not GUIDE.exists(), reason=f"the guide is not at {GUIDE}")


def _normalise(text: str) -> str:
    text = text.replace("*", "")  # the guide's text marks emphasis with asterisks
    text = re.sub(r"[‘’‛′`]", "'", text)
    text = re.sub(r"[“”„″]", '"', text)
    text = re.sub(r"[‐‑‒–—―]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def _guide_block(lines: list[str], guide_section: str) -> list[str]:
    """The questions under a heading path like "Annex A: … › New ways of working".

    Each heading is found after the previous one (skipping contents entries, which carry a tab);
    questions are bullets plus unbulleted lines ending in "?", up to the first other line after
    them. This is the guide's own layout, independent of how the loader reads banks.
    """
    position = 0
    for heading in guide_section.split(" › "):
        wanted = _normalise(heading)
        for i in range(position, len(lines)):
            if "\t" not in lines[i] and _normalise(lines[i]).startswith(wanted):
                position = i + 1
                break
        else:
            raise AssertionError(f"heading {heading!r} is not in the guide")
    questions: list[str] = []
    for line in lines[position:]:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("- "):
            questions.append(stripped[2:])
        elif stripped.endswith("?") and not stripped.startswith("("):
            questions.append(stripped)
        elif questions:
            break
    return questions


@needs_guide
def test_every_builtin_question_is_worded_and_counted_as_in_the_guide():
    guide_text = GUIDE.read_text(encoding="utf-8")
    lines = guide_text.splitlines()
    whole_guide = _normalise(guide_text)
    for bank in builtin_banks():
        for section in bank.sections:
            in_guide = [_normalise(text) for text in _guide_block(lines, section.guide_section)]
            ours = [_normalise(question.text) for question in section.questions]
            assert ours == in_guide, f"{bank.key}: {section.title}"
            for text in ours:
                assert text in whole_guide
            if section.intro:
                assert _normalise(section.intro) in whole_guide


# --- Refusing bad banks ---------------------------------------------------------------------------

VALID = """\
format: partnering.bank/1
key: sample
version: 1
title: "Sample bank"
source: "Effective partnering (OGC, 2003)"
scale: fully_largely_partly_not
verdict_rule: annex_b
stages: [in_service]
sections:
  - title: "First"
    guide_section: "Annex B: Assessing the ongoing relationship"
    questions:
      - id: B1
        text: "How successful are communications seen to be?"
      - id: B2
        text: "How effectively are conflicts being avoided or resolved?"
        narrative: true
"""


def refusal(text: str) -> list[BankError]:
    with pytest.raises(BankValidationError) as caught:
        load_bank_text(text)
    return caught.value.errors


def located(text: str) -> set[tuple[int | None, str]]:
    return {(error.line, error.field) for error in refusal(text)}


def test_the_sample_bank_is_valid_with_defaults_filled_in():
    bank = load_bank_text(VALID)
    assert bank.question_ids == ("B1", "B2")
    assert bank.intro == ""
    assert bank.recurrence == "none"
    assert bank.perspectives == ("self",)
    assert bank.question("B2").narrative and not bank.question("B1").narrative


def test_it_refuses_an_unknown_scale_on_its_line():
    errors = refusal(VALID.replace("scale: fully_largely_partly_not", "scale: out_of_ten"))
    assert [(e.line, e.field) for e in errors] == [(6, "scale")]
    assert "out_of_ten" in errors[0].message


def test_it_refuses_a_question_without_an_id_at_the_questions_line():
    text = VALID.replace("      - id: B2\n        text:", "      - text:")
    assert located(text) == {(15, "sections[0].questions[1].id")}


def test_it_refuses_a_duplicate_id_and_says_where_it_was_first_used():
    errors = refusal(VALID.replace("id: B2", "id: B1"))
    assert [(e.line, e.field) for e in errors] == [(15, "sections[0].questions[1].id")]
    assert str(errors[0]) == ("line 15, sections[0].questions[1].id: duplicate id 'B1' (first used on line 13)")


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("version: 1\n", "version: 1\ncolour: red\n", 4, "colour"),
        (
            '    guide_section: "A',
            '    colour: red\n    guide_section: "A',
            11,
            "sections[0].colour",
        ),
        ("        narrative: true", "        weight: 2", 17, "sections[0].questions[1].weight"),
    ],
)
def test_it_refuses_unknown_fields_at_every_level(old, new, line, field):
    errors = refusal(VALID.replace(old, new))
    assert [(e.line, e.field) for e in errors] == [(line, field)]
    assert errors[0].message.startswith("unknown field")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("key: [unclosed\ntitle: x\n", 2),
        ("key: value\n  - not: [valid\n", 2),
        ("\tkey: tab\n", 1),
        ("title: ok\n\x07bell\n", 2),
    ],
)
def test_it_refuses_what_is_not_yaml_at_all(text, line):
    errors = refusal(text)
    assert [(e.line, e.field) for e in errors] == [(line, "(document)")]
    assert errors[0].message.startswith("not valid YAML")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Just some prose about partnering.\n", "a bank must be a mapping, not text"),
        ("- a\n- list\n", "a bank must be a mapping, not a list"),
        ("", "the document is empty"),
        ("# only a comment\n", "the document is empty"),
    ],
)
def test_it_refuses_a_document_that_is_not_a_mapping(text, message):
    errors = refusal(text)
    assert [(e.line, e.field, e.message) for e in errors] == [(1, "(document)", message)]


BILLION_LAUGHS = """\
format: partnering.bank/1
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_it_refuses_a_billion_laughs_alias_bomb_at_once():
    started = time.perf_counter()
    errors = refusal(BILLION_LAUGHS)
    assert time.perf_counter() - started < 1
    assert [(e.line, e.field, e.message) for e in errors] == [
        (2, "(document)", "YAML anchors are not allowed in a question bank")
    ]


def test_it_refuses_even_a_harmless_alias():
    text = VALID.replace('title: "Sample bank"', "title: &t Sample").replace('title: "First"', "title: *t")
    assert located(text) == {(4, "(document)")}


def test_it_refuses_a_verdict_rule_that_does_not_fit_the_scale():
    errors = refusal(VALID.replace("verdict_rule: annex_b", "verdict_rule: annex_a"))
    assert [(e.line, e.field) for e in errors] == [(7, "verdict_rule")]
    assert errors[0].message == ("verdict rule 'annex_a' needs scale 'yes_no', not 'fully_largely_partly_not'")


def test_the_attention_rule_fits_any_scale():
    assert load_bank_text(VALID.replace("verdict_rule: annex_b", "verdict_rule: attention"))


def test_it_reports_every_error_at_once_in_line_order():
    text = """\
format: partnering.bank/2
key: Not A Key
version: one
title: ""
source: "Effective partnering (OGC, 2003)"
scale: yes_no
verdict_rule: judgement
stages: [in_service, retirement]
recurrence: weekly
perspectives: [other]
sections:
  - title: "First"
    guide_section: "Annex B"
    questions:
      - id: b1
        text: "Lower-case id?"
      - id: B2
        text: 42
        narrative: maybe
  - title: "Empty"
    guide_section: "Annex B"
    questions: []
"""
    errors = refusal(text)
    assert [(e.line, e.field) for e in errors] == [
        (1, "format"),
        (2, "key"),
        (3, "version"),
        (4, "title"),
        (7, "verdict_rule"),
        (8, "stages[1]"),
        (9, "recurrence"),
        (10, "perspectives"),
        (15, "sections[0].questions[0].id"),
        (18, "sections[0].questions[1].text"),
        (19, "sections[0].questions[1].narrative"),
        (22, "sections[1].questions"),
    ]
    message = str(BankValidationError(errors))
    assert "line 8, stages[1]: unknown value 'retirement'" in message
    assert "line 22, sections[1].questions: must not be empty" in message


def test_it_names_every_missing_required_field():
    errors = refusal("format: partnering.bank/1\nkey: sample\n")
    assert {e.field for e in errors} == {
        "version",
        "title",
        "source",
        "scale",
        "verdict_rule",
        "stages",
        "sections",
    }
    assert {e.line for e in errors} == {1}
    assert {e.message for e in errors} == {"required field is missing"}


def test_it_refuses_a_bank_without_sections():
    assert located(VALID.split("sections:")[0] + "sections: []\n") == {(9, "sections")}


def test_it_refuses_wrong_types():
    text = (
        VALID.replace("version: 1", "version: true")
        .replace("stages: [in_service]", "stages: in_service")
        .replace('title: "First"', "title: [First]")
    )
    assert located(text) == {(3, "version"), (8, "stages"), (10, "sections[0].title")}


def test_it_refuses_question_text_longer_than_1000_characters():
    errors = refusal(VALID.replace("How successful", "Very " * 200 + "how successful"))
    assert [(e.line, e.field) for e in errors] == [(14, "sections[0].questions[0].text")]
    assert "too long" in errors[0].message


def test_it_accepts_question_text_of_exactly_1000_characters():
    text = "x" * 1000
    bank = load_bank_text(VALID.replace("How successful are communications seen to be?", text))
    assert bank.question("B1").text == text


def test_it_refuses_a_duplicate_field_in_one_mapping():
    assert located(VALID.replace("version: 1\n", "version: 1\nversion: 2\n")) == {(4, "version")}


def test_it_constructs_no_python_objects_from_tags():
    text = VALID.replace('title: "Sample bank"', "title: !!python/object/apply:os.system [ls]")
    errors = refusal(text)
    assert [(e.line, e.field) for e in errors] == [(4, "title")]
    assert "unsupported YAML value" in errors[0].message


def test_it_refuses_a_document_larger_than_1_mb_before_parsing_it():
    text = VALID + "# padding\n" * (MAX_DOCUMENT_BYTES // 10)
    errors = refusal(text)
    assert len(errors) == 1
    assert errors[0].field == "(document)"
    assert errors[0].line is not None and errors[0].line > 17
    assert "larger than" in errors[0].message


def test_it_refuses_deeply_nested_documents_without_recursing_into_them():
    errors = refusal("key: " + "[" * 100_000)
    assert [(e.line, e.field, e.message) for e in errors] == [(1, "(document)", "the document is nested too deeply")]


def test_it_refuses_an_unknown_stage_naming_the_item():
    assert located(VALID.replace("[in_service]", "[in_service, exit, afterlife]")) == {(8, "stages[2]")}


def test_it_loads_a_bank_from_a_file(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert load_bank_file(path).key == "sample"


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_bytes(VALID.encode("utf-8") + b"title: \xff\xfe\n")
    with pytest.raises(BankValidationError) as caught:
        load_bank_file(path)
    assert [(e.line, e.field) for e in caught.value.errors] == [(18, "(document)")]


def test_a_bank_error_reads_line_then_field_then_message():
    assert str(BankError(12, "questions[3].id", "duplicate id 'B3'")) == ("line 12, questions[3].id: duplicate id 'B3'")
    assert str(BankError(None, "(document)", "too big")) == "(document): too big"
