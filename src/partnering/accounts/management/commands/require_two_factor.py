"""`partnering require_two_factor ORGANISATION [--off]`: an organisation's two-factor requirement.

Its people who are signed in are sent to set up an authenticator app (or asked for their code)
at their next page, not at their next sign-in; `--off` lets go of those still waiting to set one up.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnering.accounts.models import Organisation
from partnering.accounts.two_factor import organisation_require_two_factor


class Command(BaseCommand):
    help = "Require two-factor sign-in of an organisation's people (or, with --off, stop requiring it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="The organisation's name or slug.")
        parser.add_argument("--off", action="store_true", help="Stop requiring it.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = _organisation(options["organisation"].strip())
        change = organisation_require_two_factor(organisation=organisation, required=not options["off"])
        if change.required:
            self.stdout.write(
                f"{organisation.name} now requires two-factor sign-in. "
                f"{_sessions(change.sessions_changed)} signed in with a password alone "
                "will be sent to set up an authenticator app, or asked for a code, at their next page."
            )
        else:
            self.stdout.write(
                f"{organisation.name} no longer requires two-factor sign-in. "
                f"{_sessions(change.sessions_changed)} waiting to set up an app can carry on without one."
            )


def _organisation(wanted: str) -> Organisation:
    """The organisation of that exact name or slug; else of that name in any case, if only one is."""
    exact = Organisation.objects.filter(name=wanted).first() or Organisation.objects.filter(slug=wanted).first()
    if exact is not None:
        return exact
    alike = list(Organisation.objects.filter(name__iexact=wanted)[:5])
    if len(alike) == 1:
        return alike[0]
    if alike:
        names = ", ".join(repr(o.name) for o in alike)
        raise CommandError(f"More than one organisation is called {wanted!r} ({names}): give the exact name or slug.")
    raise CommandError(f"No organisation is called {wanted!r}.")


def _sessions(count: int) -> str:
    return "1 session" if count == 1 else f"{count} sessions"
