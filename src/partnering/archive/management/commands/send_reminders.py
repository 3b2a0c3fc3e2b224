from datetime import date

from django.core.management.base import BaseCommand

from partnering.archive.reminders import send_reminders


class Command(BaseCommand):
    help = "Send each person their daily reminder digest (run from cron; never sends the same reminder twice)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--today", type=date.fromisoformat, help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        people, reminders = send_reminders(today=options["today"])
        self.stdout.write(self.style.SUCCESS(f"Sent {reminders} reminder(s) to {people} person(s)."))
