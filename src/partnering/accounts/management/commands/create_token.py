"""`partnering create_token EMAIL`: a personal access token for scripts and CI.

The raw token is printed alone on stdout so that it can be captured
(`TOKEN=$(partnering create_token ...)`); everything else goes to stderr.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnering.accounts.models import TokenScope
from partnering.accounts.services import token_create


class Command(BaseCommand):
    help = "Create a personal access token for the API and print it (once) on stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="E-mail address of the person the token acts as.")
        parser.add_argument("--name", default="Command line", help="A name to recognise the token.")
        parser.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.READ,
            help="read (the default) or read_write.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {options['email']}.")
        if not user.is_active:
            raise CommandError(f"The account of {user.email} is not active.")
        token, raw = token_create(user=user, name=options["name"], scope=options["scope"])
        self.stderr.write(
            f"Created token '{token.name}' ({token.get_scope_display().lower()}) for {user.email}. "
            "It is shown only now."
        )
        self.stdout.write(raw)
