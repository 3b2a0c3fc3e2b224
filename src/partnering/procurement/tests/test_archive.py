"""The arrangement's archive holds the Procurement Act records, and a provider's export no draft."""

from __future__ import annotations

from datetime import date

from partnering.archive.export import collect
from partnering.procurement import services


def _records(data, label):
    return next(m for m in data["models"] if m["model"] == label)


def test_a_providers_export_holds_no_draft_rating_and_no_untold_breach(world, draft):
    services.issue_add(
        access=world.access(world.alice), kind="breach_damages", description="Not told.", occurred_on=date(2026, 1, 5)
    )

    theirs = collect(world.arrangement, access=world.access(world.bob))
    ours = collect(world.arrangement, access=world.access(world.alice))

    for label in ("procurement.performanceassessment", "procurement.kpirating", "procurement.performanceissue"):
        assert _records(theirs, label)["records"] == [] and _records(theirs, label)["history"] == [], label
        assert _records(ours, label)["records"], label
    assert len(_records(theirs, "procurement.publishedkpi")["records"]) == 3
    assert _records(theirs, "procurement.contractfacts")["records"][0]["fields"]["estimated_value"] == "12000000.00"
