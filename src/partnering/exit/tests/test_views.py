"""Exit plan pages and API."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.exit import services
from partnering.exit.models import ExitStrategy, HandoverItem


def _url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/exit/{page}"


def test_the_page_warns_when_the_contract_is_let_without_an_agreed_strategy(client, world):
    client.force_login(world.dave)
    body = client.get(_url(world)).content.decode()
    assert "awarded without an exit strategy" in body and "No exit strategy yet" in body


def test_members_write_the_strategy_and_add_handover_items(client, world):
    client.force_login(world.bob)
    response = client.post(_url(world), {"triggers": "End of term", "version": "0"})
    assert response.status_code == 302
    response = client.post(_url(world, "handover/"), {"item-kind": "data", "item-title": "Case records export"})
    assert response.status_code == 302

    assert ExitStrategy.objects.get().triggers == "End of term"
    assert HandoverItem.objects.get().title == "Case records export"


def test_the_page_runs_the_same_queries_for_few_or_many_items(client, world):
    client.force_login(world.alice)
    services.handover_item_add(access=world.access(world.alice), title="One", owner=world.bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(world)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(10):
        services.handover_item_add(access=world.access(world.alice), title=f"Item {n}", owner=world.peter)
    assert count() == few


def test_agreeing_from_the_page(client, world):
    services.exit_strategy_save(
        access=world.access(world.alice),
        expected_version=0,
        values={"triggers": "a", "timeline": "b", "continuity": "c"},
    )
    client.force_login(world.alice)
    client.post(_url(world, "agree/"))
    client.force_login(world.bob)
    client.post(_url(world, "agree/"))

    assert ExitStrategy.objects.get().is_agreed


def test_the_api_reads_and_edits_the_strategy(client, world):
    client.force_login(world.alice)
    api = f"/api/v1/arrangements/{world.arrangement.slug}/exit-strategy/"
    assert client.get(api).json()["status"] == "none"

    response = client.patch(api, {"version": 0, "triggers": "End of term"}, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["triggers"] == "End of term"
