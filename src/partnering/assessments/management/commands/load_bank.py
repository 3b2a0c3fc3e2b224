"""`partnering load_bank FILE [--organisation NAME]`: add a question bank, or a new version of one.

The whole file is checked before anything is written: if anything is wrong, every problem is
printed on stderr as "line N, field: message" and nothing is saved. Without --organisation the
bank is stored as one of the guide's built-in banks, available to every arrangement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnering.accounts.models import Organisation
from partnering.assessments.bank_loader import BankValidationError, load_bank_file
from partnering.assessments.services import bank_load


class Command(BaseCommand):
    help = "Check a question bank file (YAML) and store it, as a new version if the key exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to the bank file (YAML, format partnering.bank/1).")
        parser.add_argument(
            "--organisation",
            help="Name of the organisation that owns the bank. Leave out for a built-in bank.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation is called ‘{options['organisation']}’.")
        try:
            # load_bank_file reports a file that is not UTF-8 with its line, like any other problem.
            load_bank_file(path)
            bank = bank_load(text=path.read_text(encoding="utf-8"), organisation=organisation)
        except BankValidationError as exc:
            self._fail([str(error) for error in exc.errors])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                self._fail(
                    [f"{name}: {message}" for name, messages in exc.message_dict.items() for message in messages]
                )
            self._fail(exc.messages)
        self.stdout.write(f"{bank.key} version {bank.version}")

    def _fail(self, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        count = len(lines)
        raise CommandError(f"{count} problem{'s' if count != 1 else ''} in the file. Nothing was saved.")
