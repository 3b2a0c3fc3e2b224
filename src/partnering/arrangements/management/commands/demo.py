from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from partnering.arrangements.demo import DEMO_PASSWORD, load_demo

#: Where the demo's e-mails go unless --send-email: kept in memory, so that no mail server is needed.
DEMO_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = "Create the demo organisations, people and arrangement (safe to run again)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument(
            "--send-email",
            action="store_true",
            help="Send the demo's invitations and reminders through EMAIL_BACKEND. By default they are "
            "not sent: the demo people are fictional.",
        )

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        from partnering.core.demo_hooks import run_demo_hooks

        # Demo people are fictional: unless asked, their e-mails (the arrangement's invitations and
        # every feature's hooks) go nowhere, even with DEBUG off, where the default backend is SMTP.
        backend = {} if options["send_email"] else {"EMAIL_BACKEND": DEMO_EMAIL_BACKEND}
        with override_settings(**backend):
            arrangement, people = load_demo()
            run_demo_hooks(arrangement)
        self.stdout.write(self.style.SUCCESS(f"Demo arrangement: {arrangement.title}"))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        for person in people:
            roles = ", ".join(str(r.label if hasattr(r, "label") else r) for r in person.roles)
            self.stdout.write(f"  {person.email:<40} {person.name:<18} {person.side:<9} {roles}")
