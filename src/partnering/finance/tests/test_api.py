"""The API: amounts as decimal strings, own book only, 409 on a stale version, shares with working."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from partnering.finance import services
from partnering.finance.tests.conftest import make_line


def _base(world):
    return f"/api/v1/arrangements/{world.arrangement.slug}/finance/"


def test_creating_a_line_in_your_own_book(client, world):
    client.force_login(world.bob)

    response = client.post(
        _base(world) + "lines/",
        {
            "period": "2026-04-15",
            "category": "hosting",
            "description": "Cloud",
            "planned": "10.50",
            "margin_pct": "6.00",
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json() | {"uuid": None} == {
        "uuid": None,
        "side": "provider",
        "period": "2026-04-01",
        "category": "hosting",
        "description": "Cloud",
        "planned": "10.50",
        "actual": "0.00",
        "margin_pct": "6.00",
        "version": 1,
    }


def test_the_facilitator_cannot_write_a_book(client, world):
    client.force_login(world.fran)

    response = client.post(
        _base(world) + "lines/",
        {"period": "2026-04-01", "category": "staff", "description": "X", "planned": "1.00"},
        content_type="application/json",
    )

    assert response.status_code == 403


def test_a_stale_version_gives_409(client, world):
    line = make_line(world.access(world.alice))
    client.force_login(world.alice)
    client.patch(
        _base(world) + f"lines/{line.uuid}/", {"actual": "1.00", "version": 1}, content_type="application/json"
    )

    response = client.patch(
        _base(world) + f"lines/{line.uuid}/", {"actual": "2.00", "version": 1}, content_type="application/json"
    )

    assert response.status_code == 409


def test_the_other_side_cannot_edit_an_open_book(client, world):
    line = make_line(world.access(world.alice))
    client.force_login(world.bob)

    response = client.patch(
        _base(world) + f"lines/{line.uuid}/", {"actual": "1.00", "version": 1}, content_type="application/json"
    )

    assert response.status_code == 403


def test_a_mechanism_lists_each_partys_share_with_the_working(client, world, mechanism):
    services.incentive_period_set(
        access=world.access(world.bob), mechanism=mechanism, period=date(2026, 4, 1), outcome=Decimal("9900.00")
    )
    client.force_login(world.dave)

    response = client.get(_base(world) + f"incentives/{mechanism.uuid}/")

    (period,) = response.json()["periods"]
    assert (period["total"], period["customer"], period["provider"]) == ("100.00", "50.00", "50.00")
    assert period["steps"][0]["label"] == "Saving against the cost baseline"
