"""A line break in a title no longer breaks the e-mails about it, and a write is always counted."""

from __future__ import annotations

import pytest
from django.core import mail
from django.http import HttpResponse, HttpResponseServerError
from django.test import RequestFactory
from django.urls import resolve

from partnering.arrangements import people as arrangement_people
from partnering.arrangements.forms import ArrangementForm
from partnering.arrangements.models import Arrangement
from partnering.assessments import services as assessment_services
from partnering.assessments.models import Assessment, QuestionBank
from partnering.core.choices import Role, Side
from partnering.core.mail import subject_line
from partnering.core.text import single_line
from partnering.portfolio.middleware import ActivityMiddleware
from partnering.portfolio.models import Activity


def test_a_subject_line_is_one_line_whatever_the_title_holds():
    assert subject_line("You have been added to Digital\r\nservices\x07 \t partnership") == (
        "You have been added to Digital services partnership"
    )
    assert len(subject_line("x" * 500)) == 200


def test_a_title_typed_with_line_breaks_becomes_one_line():
    form = ArrangementForm({"title": "  Digital\nservices\r\n partnership "})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Digital services partnership"


def test_a_title_with_another_control_character_is_refused_with_a_clear_error():
    form = ArrangementForm({"title": "Digital\x07services"})

    assert not form.is_valid()
    assert form.errors["title"] == ["Enter text without control characters."]


def test_the_api_stores_a_title_on_one_line_and_refuses_control_characters(client, world):
    client.force_login(world.alice)
    url = "/api/v1/arrangements/"
    body = {"title": "Managed\ndesktop", "provider": world.provider.slug}

    created = client.post(url, body, content_type="application/json")
    refused = client.post(url, body | {"title": "Managed\x1bdesktop"}, content_type="application/json")

    assert created.status_code == 201, created.content
    assert Arrangement.objects.get(slug=created.json()["slug"]).title == "Managed desktop"
    assert refused.status_code == 400 and "control characters" in refused.content.decode()


def test_an_assessment_started_with_a_line_break_in_its_title_has_it_on_one_line(world):
    bank = QuestionBank.objects.get(key="annex-a", is_current=True)

    assessment = assessment_services.assessment_start(
        access=world.access(world.alice), bank=bank, title="Readiness\n2026"
    )

    assert assessment.title == "Readiness 2026"


def test_an_invitation_to_an_arrangement_stored_with_a_line_break_is_sent(world, django_capture_on_commit_callbacks):
    Arrangement.objects.filter(pk=world.arrangement.pk).update(title="Digital\nservices")

    with django_capture_on_commit_callbacks(execute=True):
        arrangement_people.member_invite(
            access=world.access(world.alice),
            email="nina@northshire.example",
            full_name="Nina North",
            side=Side.CUSTOMER,
            roles=[Role.CONTRACT_MANAGER],
        )

    # The invitee's message and the note to the provider's lead (sovereign sides), both on one line.
    assert [m.subject for m in mail.outbox] == [
        "You have been added to Digital services",
        "People changed in Digital services",
    ]


def test_a_reminder_about_an_assessment_stored_with_a_line_break_is_sent(world, django_capture_on_commit_callbacks):
    bank = QuestionBank.objects.get(key="annex-a", is_current=True)
    access = world.access(world.alice)
    assessment = assessment_services.assessment_start(access=access, bank=bank)
    Assessment.objects.filter(pk=assessment.pk).update(title="Readiness\r\n2026")
    assessment.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.respondents_invite(access=access, assessment=assessment, users=[world.carol])
        assessment_services.respondents_remind(access=access, assessment=assessment)

    assert [m.subject for m in mail.outbox] == [
        "Please answer ‘Readiness 2026’",
        "Reminder: Please answer ‘Readiness 2026’",
    ]


@pytest.mark.parametrize(("status", "counted"), [(302, True), (500, True), (400, False), (403, False), (409, False)])
def test_a_write_that_ended_in_a_server_error_is_counted_a_refusal_is_not(world, status, counted):
    """A 500 may come after the view committed (an invitation whose e-mail failed): kept pages
    and portfolio rows must not go on showing the state before that write."""
    url = f"/arrangements/{world.arrangement.slug}/members/"
    request = RequestFactory().post(url)
    request.user = world.alice
    request.resolver_match = resolve(url)
    answer = HttpResponseServerError() if status == 500 else HttpResponse(status=status)

    ActivityMiddleware(lambda request: answer)(request)

    writes = Activity.objects.filter(arrangement=world.arrangement).values_list("writes", flat=True).first()
    assert writes == (1 if counted else None)


def test_single_line_keeps_ordinary_text_as_it_is():
    assert single_line("Annex B – contract year 2") == "Annex B – contract year 2"
