"""The notice's content against the JSON Schema we ship (our reading of the OCDS mapping)."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest

from partnering.procurement import notice, services


def _validator():
    schema = notice.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_an_approved_notice_meets_the_schema(world, approved):
    services.issue_tell_provider(
        access=world.access(world.alice),
        issue=services.issue_add(
            access=world.access(world.alice),
            kind="breach_settlement",
            description="Outage of March settled.",
            occurred_on=date(2026, 3, 2),
        ),
    )
    built = notice.build(access=world.access(world.alice), assessment=approved)

    errors = sorted(e.message for e in _validator().iter_errors(built.release))

    assert errors == []
    assert built.problems == []
    release = built.release
    assert release["ocid"] == "ocds-h6vhtk-0a1b2c"
    assert [p["roles"] for p in release["parties"]] == [["buyer"], ["supplier"]]
    assert release["parties"][1]["identifier"] == {
        "scheme": "GB-COH",
        "id": "09876543",
        "legalName": "Brightwave Digital",
    }
    contract = release["contracts"][0]
    assert contract["value"] == {"amount": 12000000.0, "currency": "GBP"}
    performance = contract["implementation"]["contractPerformance"]
    assert performance["noticeType"] == "UK9"
    assert performance["period"] == {"startDate": "2025-04-01", "endDate": "2026-03-31"}
    assert {r["kpi"]: r["rating"] for r in performance["ratings"]} == {
        "Calls answered in 60 seconds": "good",
        "First-time fix": "good",
        "Forms completed unaided": "good",
    }
    calls = next(m for m in contract["implementation"]["metrics"] if m["title"] == "Calls answered in 60 seconds")
    assert [o["measure"] for o in calls["observations"]] == [85.0, 88.0, 91.0, 92.0]
    json.dumps(release)  # serialisable as it is


def test_a_draft_without_ratings_fails_the_schema_and_says_why(world, draft):
    built = notice.build(access=world.access(world.alice), assessment=draft)

    errors = list(_validator().iter_errors(built.release))

    assert any(list(e.path)[-1:] == ["rating"] for e in errors)
    assert "Not yet rated: Calls answered in 60 seconds, First-time fix, Forms completed unaided." in built.problems


def test_a_notice_without_identifiers_fails_the_schema(world, approved):
    facts = world.arrangement.contract_facts
    services.contract_facts_save(
        access=world.access(world.alice),
        expected_version=facts.version,
        values={"ocid": "", "supplier_identifier": ""},
    )

    built = notice.build(access=world.access(world.alice), assessment=approved)
    failed = {tuple(e.path) for e in _validator().iter_errors(built.release)}

    assert ("ocid",) in failed and ("parties", 1, "identifier", "id") in failed
    assert any("No OCID" in p for p in built.problems)


@pytest.mark.parametrize("who", ["bob", "fran"])
def test_the_provider_and_facilitator_export_never_holds_an_untold_breach(world, approved, who):
    services.issue_add(
        access=world.access(world.alice),
        kind="breach_damages",
        description="Not told yet.",
        occurred_on=date(2026, 3, 2),
        assessment=None,
    )
    from partnering.procurement.models import PerformanceIssue

    PerformanceIssue.objects.update(assessment=approved)

    built = notice.build(access=world.access(getattr(world, who)), assessment=approved)

    assert built.release["contracts"][0]["implementation"]["contractPerformance"]["breaches"] == []
