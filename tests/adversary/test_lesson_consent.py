"""Issue 13, finding 4: one side published a lesson the other side wrote to its own organisation,
where it reached that organisation's other arrangements (another customer), and the author
could not withdraw it.

Now a lesson is published only by the side that wrote it, or, for a joint lesson, with both
sides' leads' consent, each given by a member of that side's own organisation; any author
withdrawing takes it out of every library.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from partnering.accounts.models import User
from partnering.core.choices import Role, Side
from partnering.lessons import services
from partnering.lessons.models import Lesson
from partnering.lessons.selectors import lessons_search
from partnering.lessons.tests.factories import make_lesson
from partnering.testing import UserFactory, add_member


def _lessons_url(world, page=""):
    return f"/arrangements/{world.arrangement.slug}/lessons/{page}"


def _api_url(world, lesson):
    return f"/api/v1/arrangements/{world.arrangement.slug}/lessons/{lesson.uuid}/publish/"


def _charlie_reads(world, lesson):
    """Charlie is the customer of another arrangement of the same provider (Brightwave)."""
    return lessons_search(user=world.charlie).filter(pk=lesson.pk).exists()


def test_bob_cannot_publish_the_customers_lesson_to_his_organisation(world):
    lesson = make_lesson(world.access(world.alice), title="The council's lesson")

    with pytest.raises(PermissionDenied):
        services.lesson_publish(access=world.access(world.bob), lesson=lesson)

    lesson.refresh_from_db()
    assert not lesson.is_published and lesson.provider_consent_at is None
    assert not _charlie_reads(world, lesson)


def test_bob_cannot_publish_it_through_the_page_or_the_api(client, world):
    lesson = make_lesson(world.access(world.alice), title="The council's lesson")
    client.force_login(world.bob)

    page = client.post(_lessons_url(world, f"{lesson.uuid}/publish/"), {"publish": "1"})
    api = client.post(_api_url(world, lesson), {"publish": True}, content_type="application/json")

    assert api.status_code == 403
    assert page.status_code == 302  # back to the lesson, with the refusal as its message
    lesson.refresh_from_db()
    assert not lesson.is_published and lesson.version == 1
    assert "Only the side that wrote a lesson" in client.get(_lessons_url(world, f"{lesson.uuid}/")).content.decode()


def test_bob_cannot_rewrite_the_customers_lesson_either(client, world):
    lesson = make_lesson(world.access(world.alice), title="The council's lesson")
    client.force_login(world.bob)

    response = client.patch(
        f"/api/v1/arrangements/{world.arrangement.slug}/lessons/{lesson.uuid}/",
        {"version": 1, "title": "Brightwave's lesson now"},
        content_type="application/json",
    )

    assert response.status_code == 403
    lesson.refresh_from_db()
    assert lesson.title == "The council's lesson"


def test_one_lead_alone_cannot_publish_a_joint_lesson(world):
    lesson = make_lesson(world.access(world.alice), joint=True)

    services.lesson_publish(access=world.access(world.bob), lesson=lesson)

    assert not lesson.is_published and not _charlie_reads(world, lesson)
    services.lesson_publish(access=world.access(world.alice), lesson=lesson)
    assert lesson.is_published and _charlie_reads(world, lesson)


def test_the_author_withdraws_a_joint_lesson_from_every_library(client, world):
    lesson = make_lesson(world.access(world.alice), joint=True)
    services.lesson_publish(access=world.access(world.alice), lesson=lesson)
    services.lesson_publish(access=world.access(world.bob), lesson=lesson)
    assert _charlie_reads(world, lesson)
    client.force_login(world.alice)

    client.post(_lessons_url(world, f"{lesson.uuid}/publish/"), {"publish": "0"})

    lesson.refresh_from_db()
    assert not lesson.is_published and lesson.published_to == []
    assert not _charlie_reads(world, lesson)
    client.force_login(world.charlie)
    assert client.get(f"/lessons/{lesson.uuid}/").status_code == 404


def test_the_author_withdraws_a_one_side_lesson_from_every_library(world):
    lesson = make_lesson(world.access(world.bob), title="Brightwave's lesson")
    services.lesson_publish(access=world.access(world.bob), lesson=lesson)
    assert _charlie_reads(world, lesson)

    services.lesson_publish(access=world.access(world.bob), lesson=lesson, publish=False)

    assert not _charlie_reads(world, lesson)
    assert not Lesson.objects.get(pk=lesson.pk).is_published


def test_consent_for_a_side_is_given_only_by_a_member_of_its_own_organisation(world):
    """The customer's people cannot consent "as the provider", even seated on the provider's side."""
    lesson = make_lesson(world.access(world.bob), title="Brightwave's lesson")
    planted: User = UserFactory(email="planted@northshire.example", organisation=world.customer)
    add_member(world.arrangement, planted, Side.PROVIDER, Role.RELATIONSHIP_MANAGER)

    with pytest.raises(PermissionDenied):
        services.lesson_publish(access=world.access(planted), lesson=lesson)

    assert not Lesson.objects.get(pk=lesson.pk).is_published
