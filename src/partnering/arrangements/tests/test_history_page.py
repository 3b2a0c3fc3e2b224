"""The history page reads like a record people can follow: GOV.UK dates, labels, filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.arrangements.models import Arrangement, SharedOutcome
from partnering.core.audit import set_actor


def _history(client, world, query=""):
    return client.get(f"/arrangements/{world.arrangement.slug}/history/{query}")


def _outcome(world, text, by, **fields):
    set_actor(by)
    try:
        return SharedOutcome.objects.create(arrangement=world.arrangement, text=text, **fields)
    finally:
        set_actor(None)


def test_dates_and_times_in_changes_read_the_govuk_way(client, world):
    _outcome(
        world, "Fewer failed payments", world.alice, customer_agreed_at=datetime(2026, 12, 4, 15, 0, 49, 230983, UTC)
    )
    arrangement = Arrangement.objects.get(pk=world.arrangement.pk)
    arrangement.contract_start = date(2027, 4, 1)
    arrangement.save()
    client.force_login(world.alice)

    body = _history(client, world).content.decode()

    assert "<strong>Customer agreed at</strong>: 4 December 2026 at 3:00pm" in body
    assert "<strong>Contract start date</strong>: 1 April 2027" in body
    assert "2026-12-04 15:00:49" not in body and "2027-04-01" not in body


def test_it_can_show_one_kind_of_record(client, world):
    _outcome(world, "Fewer failed payments", world.alice)
    client.force_login(world.alice)
    arrangement = Arrangement.objects.get(pk=world.arrangement.pk)
    arrangement.title = "Digital services renewed"
    arrangement.save()

    body = _history(client, world, "?type=arrangements.sharedoutcome").content.decode()

    assert "Fewer failed payments" in body
    assert "Changed arrangement" not in body
    assert "Changed arrangement" in _history(client, world).content.decode()
    assert '<option value="arrangements.sharedoutcome" selected>' in body


def test_it_can_show_one_persons_changes(client, world):
    _outcome(world, "Fewer failed payments", world.alice)
    _outcome(world, "Faster releases", world.bob)
    client.force_login(world.alice)
    bob = f"{world.bob.get_full_name()} <{world.bob.email}>"

    response = client.get(f"/arrangements/{world.arrangement.slug}/history/", {"who": bob})

    body = response.content.decode()
    assert "Faster releases" in body and "Fewer failed payments" not in body
    assert "Changed by" in body and f"selected>{world.bob.get_full_name()}" in body


def test_an_unknown_record_type_shows_everything(client, world):
    _outcome(world, "Fewer failed payments", world.alice)
    client.force_login(world.alice)

    assert "Fewer failed payments" in _history(client, world, "?type=nonsense").content.decode()


def test_the_page_takes_the_same_queries_for_a_few_or_many_changes_and_pages_keep_the_filter(client, world):
    client.force_login(world.alice)
    _outcome(world, "Outcome 0", world.bob)
    with CaptureQueriesContext(connection) as few:
        assert _history(client, world, "?type=arrangements.sharedoutcome").status_code == 200
    for n in range(1, 80):
        _outcome(world, f"Outcome {n}", world.bob)

    with CaptureQueriesContext(connection) as many:
        response = _history(client, world, "?type=arrangements.sharedoutcome")

    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
    body = response.content.decode()
    assert "Page 1 of 2" in body
    assert 'href="?type=arrangements.sharedoutcome&amp;page=2"' in body
