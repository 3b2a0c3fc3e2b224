"""`partnering demo`: a realistic arrangement with every role held, safe to run twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from partnering.arrangements.demo import TITLE
from partnering.arrangements.models import Arrangement, Membership, RoleAssignment, SharedOutcome
from partnering.core.choices import Role, Side


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (get_user_model(), Arrangement, Membership, RoleAssignment, SharedOutcome)
    }


@pytest.mark.django_db
def test_demo_is_idempotent():
    call_command("demo", stdout=StringIO())
    first = _counts()

    call_command("demo", stdout=StringIO())

    assert _counts() == first


@pytest.mark.django_db
def test_demo_has_someone_in_every_role():
    call_command("demo", stdout=StringIO())
    arrangement = Arrangement.objects.get(title=TITLE)

    held = set(
        RoleAssignment.objects.filter(arrangement=arrangement, ended_at__isnull=True).values_list("role", flat=True)
    )

    assert held == set(Role)


@pytest.mark.django_db
def test_demo_people_are_on_every_side_and_can_sign_in(client):
    out = StringIO()
    call_command("demo", stdout=out)
    arrangement = Arrangement.objects.get(title=TITLE)

    sides = set(Membership.objects.filter(arrangement=arrangement).values_list("side", flat=True))

    assert sides == set(Side)
    assert "helen.carter@northshire.example" in out.getvalue()
    # Through the sign-in page, as a person would: with the password alone (no second factor).
    response = client.post(
        "/accounts/sign-in/", {"username": "helen.carter@northshire.example", "password": "partnering-demo"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_demo_has_an_outsider_in_another_arrangement():
    call_command("demo", stdout=StringIO())

    outsider = get_user_model().objects.get(email="sam.reed@eastbridge.example")

    assert not Membership.objects.filter(arrangement__title=TITLE, user=outsider).exists()
    assert Membership.objects.filter(user=outsider).exists()


# Committed for real: the invitations are sent on commit.
@pytest.mark.django_db(transaction=True)
def test_demo_needs_no_mail_server(settings):
    # As with DEBUG off and no EMAIL_BACKEND: SMTP, here to a port where nothing listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1

    call_command("demo", stdout=StringIO())

    assert Arrangement.objects.filter(title=TITLE).exists()


# Committed for real: the invitations are sent on commit.
@pytest.mark.django_db(transaction=True)
def test_demo_keeps_its_emails_in_memory_by_default(settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

    call_command("demo", stdout=StringIO())

    assert mailoutbox, "the demo's invitations are kept by its own in-memory backend"


# Committed for real: the invitations are sent on commit.
@pytest.mark.django_db(transaction=True)
def test_demo_sends_its_emails_through_the_configured_backend_when_asked(settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

    call_command("demo", "--send-email", stdout=StringIO())

    assert mailoutbox == []
