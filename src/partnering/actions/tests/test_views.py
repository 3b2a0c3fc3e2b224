"""Action pages: my actions across arrangements, the arrangement's list, and edits."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from partnering.actions.models import Action
from partnering.core.choices import Visibility


def _action(world, **kwargs):
    fields = {
        "arrangement": world.arrangement,
        "title": "Agree the exit plan",
        "owner": world.bob,
        "created_by": world.alice,
    } | kwargs
    return Action.objects.create(**fields)


def test_my_actions_lists_my_open_actions_only(client, world):
    _action(world, title="Ring the service desk")
    _action(world, title="Write the exit plan", owner=world.alice)
    client.force_login(world.bob)

    body = client.get("/actions/").content.decode()

    assert "Ring the service desk" in body
    assert "Write the exit plan" not in body


def test_my_actions_drops_arrangements_i_left(client, world):
    _action(world, title="Left behind")
    world.arrangement.memberships.filter(user=world.bob).update(is_active=False)
    client.force_login(world.bob)

    body = client.get("/actions/").content.decode()

    assert "Left behind" not in body


def test_overdue_actions_are_flagged(client, world):
    _action(world, title="Late", due_date=timezone.localdate() - timedelta(days=3))
    client.force_login(world.bob)

    body = client.get("/actions/").content.decode()

    assert "Overdue" in body


def test_my_actions_takes_the_same_queries_for_1_or_10_actions(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.bob)
    _action(world)
    with CaptureQueriesContext(connection) as one:
        client.get("/actions/")
    for n in range(9):
        _action(world, title=f"Action {n}")
    with CaptureQueriesContext(connection) as ten:
        client.get("/actions/")

    assert len(ten) == len(one), "\n".join(q["sql"] for q in ten.captured_queries)


def test_the_arrangement_list_hides_the_other_sides_private_actions(client, world):
    _action(world, title="Customer eyes only", visibility=Visibility.CUSTOMER_ONLY, owner=world.alice)
    client.force_login(world.bob)

    body = client.get(f"/arrangements/{world.arrangement.slug}/actions/").content.decode()

    assert "Customer eyes only" not in body


def test_the_other_side_gets_404_for_a_private_action(client, world):
    action = _action(world, visibility=Visibility.CUSTOMER_ONLY, owner=world.alice)
    client.force_login(world.bob)

    response = client.get(f"/arrangements/{world.arrangement.slug}/actions/{action.uuid}/")

    assert response.status_code == 404


def test_adding_an_action_with_an_outsider_as_owner_shows_the_error(client, world):
    client.force_login(world.alice)

    response = client.post(
        f"/arrangements/{world.arrangement.slug}/actions/",
        {"title": "Do it", "owner": world.charlie.pk, "due_date": "2030-01-01"},
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Action.objects.filter(title="Do it").exists()


def test_an_edit_from_an_old_version_shows_the_conflict(client, world):
    action = _action(world)
    url = f"/arrangements/{world.arrangement.slug}/actions/{action.uuid}/"
    form = {"title": "First", "owner": world.bob.pk, "due_date": "2030-01-01", "status": "open", "version": 1}
    client.force_login(world.alice)
    assert client.post(url, form).status_code == 302

    response = client.post(url, form | {"title": "Second"})

    assert response.status_code == 200
    assert "Someone else changed this action" in response.content.decode()
    assert Action.objects.get(pk=action.pk).title == "First"


def _queries_for_arrangement_actions(client, world, count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(count):
        _action(world, title=f"Action {n}")
    client.force_login(world.alice)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/arrangements/{world.arrangement.slug}/actions/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_arrangement_actions_page_costs_the_same_for_more_actions(client, world):
    few = _queries_for_arrangement_actions(client, world, 2)
    Action.objects.all().delete()
    many = _queries_for_arrangement_actions(client, world, 12)

    assert many == few
