"""The board pack: red risks, actions due, concerns, verdicts, each as the reader may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partnering.arrangements.models import OpennessProfile
from partnering.board import pack, services
from partnering.risks.tests.factories import make_risk


@pytest.fixture
def meeting(world):
    return services.meeting_create(
        access=world.access(world.alice), title="Quarter 3", held_on=timezone.localdate(), agenda="1. Red risks"
    )


def test_the_pack_lists_open_red_risks_and_actions_due(world, meeting):
    access = world.access(world.alice)
    make_risk(access, title="Big one", likelihood=5, impact=5)
    make_risk(access, title="Small one", likelihood=1, impact=1)
    services.meeting_action_add(
        access=access, meeting=meeting, title="Due soon", due_date=timezone.localdate() + timedelta(days=3)
    )
    services.meeting_action_add(
        access=access, meeting=meeting, title="Due later", due_date=timezone.localdate() + timedelta(days=90)
    )

    html = pack.pack_html(pack.build(access=access, meeting=meeting))

    assert "Big one" in html and "Small one" not in html
    assert "Due soon" in html and "Due later" not in html
    assert "1. Red risks" in html


def test_a_sides_private_red_risk_reaches_only_that_sides_pack(world, meeting):
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(single_risk_register=False)
    make_risk(
        world.access(world.bob),
        title="Provider secret",
        likelihood=5,
        impact=5,
        owning_side="provider",
        visibility="provider",
    )

    assert "Provider secret" in pack.pack_html(pack.build(access=world.access(world.bob), meeting=meeting))
    assert "Provider secret" not in pack.pack_html(pack.build(access=world.access(world.alice), meeting=meeting))


def test_without_the_concerns_app_the_pack_says_the_log_is_not_in_use(world, meeting, settings):
    from django.apps import apps

    original = apps.is_installed
    try:
        apps.is_installed = lambda name: False if name == "partnering.concerns" else original(name)
        html = pack.pack_html(pack.build(access=world.access(world.alice), meeting=meeting))
    finally:
        apps.is_installed = original

    assert "Concerns log not in use" in html


def test_the_pack_has_no_verdicts_before_any_reveal(world, meeting):
    from partnering.assessments.models import QuestionBank
    from partnering.assessments.services import assessment_start, banks_ensure_builtin

    banks_ensure_builtin()
    assessment_start(access=world.access(world.alice), bank=QuestionBank.objects.filter(is_current=True).first())

    html = pack.pack_html(pack.build(access=world.access(world.alice), meeting=meeting))

    assert "No assessment has been revealed yet." in html


def test_the_pack_shows_the_latest_revealed_verdict(world, meeting):
    from partnering.assessments.models import Assessment, QuestionBank
    from partnering.assessments.services import assessment_start, banks_ensure_builtin

    banks_ensure_builtin()
    bank = (
        QuestionBank.objects.filter(is_current=True, key__icontains="annex_b").first()
        or QuestionBank.objects.filter(is_current=True).first()
    )
    assessment = assessment_start(access=world.access(world.alice), bank=bank)
    Assessment.objects.filter(pk=assessment.pk).update(revealed_at=timezone.now(), status="revealed")

    html = pack.pack_html(pack.build(access=world.access(world.bob), meeting=meeting))

    assert bank.title in html and "Joint:" in html


def test_the_pack_downloads_as_a_pdf(client, world, meeting):
    client.force_login(world.bob)

    response = client.get(f"/arrangements/{world.arrangement.slug}/board/meetings/{meeting.uuid}/pack.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "no-store" in response["Cache-Control"]
