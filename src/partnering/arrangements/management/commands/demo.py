from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from partnering.arrangements.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create the demo organisations, people and arrangement (safe to run again)."

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        from partnering.core.demo_hooks import run_demo_hooks

        # Demo people are fictional: send their invitation e-mails nowhere.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            arrangement, people = load_demo()
        run_demo_hooks(arrangement)
        self.stdout.write(self.style.SUCCESS(f"Demo arrangement: {arrangement.title}"))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        for person in people:
            roles = ", ".join(str(r.label if hasattr(r, 'label') else r) for r in person.roles)
            self.stdout.write(f"  {person.email:<40} {person.name:<18} {person.side:<9} {roles}")
