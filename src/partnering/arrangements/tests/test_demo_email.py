"""`partnering demo` and e-mail: it needs no mail server, and sends only when asked.

These commit for real (the invitations are sent on commit), so they cannot share the module-wide
demo of test_demo.py.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from partnering.arrangements.demo import TITLE
from partnering.arrangements.models import Arrangement


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
