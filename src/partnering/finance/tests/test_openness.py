"""Which book each person reads follows the openness profile, on every route:
the pages, the exports, the API and a line's own page. Route × user × setting."""

from __future__ import annotations

import pytest

from partnering.finance.tests.conftest import set_openness

# open_book setting → the books each person reads. Fran (the neutral facilitator)
# keeps no book and reads none; charlie is not a member and gets 404 everywhere.
EXPECTED = {
    "none": {"alice": {"customer"}, "dave": {"customer"}, "bob": {"provider"}, "fran": set()},
    "provider": {
        "alice": {"customer", "provider"},
        "dave": {"customer", "provider"},
        "bob": {"provider"},
        "fran": set(),
    },
    "customer": {"alice": {"customer"}, "dave": {"customer"}, "bob": {"customer", "provider"}, "fran": set()},
    "both": {
        "alice": {"customer", "provider"},
        "dave": {"customer", "provider"},
        "bob": {"customer", "provider"},
        "fran": set(),
    },
}
CASES = [(setting, user) for setting, users in EXPECTED.items() for user in users]
MARK = {"customer": "Assurance team", "provider": "Delivery team"}


def _base(world):
    return f"/arrangements/{world.arrangement.slug}/finance/"


@pytest.mark.parametrize(("setting", "user"), CASES)
def test_the_lines_page_lists_only_the_books_open_to_the_person(client, world, books, setting, user):
    set_openness(world, open_book=setting)
    client.force_login(getattr(world, user))

    html = client.get(_base(world) + "lines/").content.decode()

    assert {side for side, text in MARK.items() if text in html} == EXPECTED[setting][user]


@pytest.mark.parametrize(("setting", "user"), CASES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_only_the_books_open_to_the_person(client, world, books, setting, user, fmt):
    set_openness(world, open_book=setting)
    client.force_login(getattr(world, user))

    response = client.get(_base(world) + f"export.{fmt}")

    assert response.status_code == 200
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
    else:
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        text = "\n".join(",".join(str(c) for c in row) for row in sheet.iter_rows(values_only=True))
    assert {side for side, mark in MARK.items() if mark in text} == EXPECTED[setting][user]


@pytest.mark.parametrize(("setting", "user"), CASES)
def test_the_api_lists_only_the_books_open_to_the_person(client, world, books, setting, user):
    set_openness(world, open_book=setting)
    client.force_login(getattr(world, user))

    response = client.get(f"/api/v1/arrangements/{world.arrangement.slug}/finance/lines/")

    assert response.status_code == 200
    assert {row["side"] for row in response.json()["results"]} == EXPECTED[setting][user]


@pytest.mark.parametrize(("setting", "user"), CASES)
def test_a_line_of_a_closed_book_is_not_found_on_its_page_or_in_the_api(client, world, books, setting, user):
    set_openness(world, open_book=setting)
    client.force_login(getattr(world, user))
    for line in books:
        page = client.get(_base(world) + f"lines/{line.uuid}/")
        api = client.get(f"/api/v1/arrangements/{world.arrangement.slug}/finance/lines/{line.uuid}/")

        expected = 200 if line.side in EXPECTED[setting][user] else 404
        assert (page.status_code, api.status_code) == (expected, expected)


@pytest.mark.parametrize(("setting", "user"), CASES)
def test_the_totals_page_shows_only_the_open_books(client, world, books, setting, user):
    set_openness(world, open_book=setting)
    client.force_login(getattr(world, user))

    html = client.get(_base(world)).content.decode()

    shown = {
        side
        for side, heading in (("customer", "Customer&#x27;s book by"), ("provider", "Provider&#x27;s book by"))
        if heading in html
    }
    assert shown == EXPECTED[setting][user]


def test_an_outsider_gets_not_found_for_every_finance_route(client, world, books):
    client.force_login(world.charlie)
    for url in ("", "lines/", f"lines/{books[0].uuid}/", "export.csv", "incentives/"):
        assert client.get(_base(world) + url).status_code == 404
    assert client.get(f"/api/v1/arrangements/{world.arrangement.slug}/finance/lines/").status_code == 404


def test_a_single_project_budget_shows_the_joint_budget_against_combined_actuals(client, world, books):
    from decimal import Decimal

    from partnering.finance import services

    set_openness(world, open_book="none", single_project_budget=True)
    profile = services.finance_profile_ensure(arrangement=world.arrangement)
    services.finance_profile_update(
        access=world.access(world.alice),
        expected_version=profile.version,
        currency="GBP",
        joint_budget=Decimal("5000.00"),
    )
    client.force_login(world.bob)

    html = client.get(_base(world)).content.decode()

    assert "£5,000.00" in html and "£1,800.00" in html and "£3,200.00" in html
    assert "Assurance team" not in client.get(_base(world) + "lines/").content.decode()


def test_without_a_single_project_budget_there_is_no_joint_budget(client, world, books):
    client.force_login(world.alice)

    assert "Single project budget" not in client.get(_base(world)).content.decode()
