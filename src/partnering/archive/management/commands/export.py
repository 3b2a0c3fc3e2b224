from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnering.accounts.models import User
from partnering.archive.export import archive_zip, filename
from partnering.arrangements.models import Arrangement
from partnering.core.policy import Perm, access_for


class Command(BaseCommand):
    help = (
        "Export an arrangement as a documented ZIP archive (archive.json, README.txt, registers.xlsx). "
        "--all exports everything (operator); --as EMAIL exports what that member's side may see."
    )

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("arrangement", help="The arrangement's slug.")
        parser.add_argument("-o", "--output", help="The file to write (default: <slug>-export-<date>.zip).")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--all", action="store_true", help="Everything, both sides' private records included.")
        who.add_argument("--as", dest="as_email", metavar="EMAIL", help="Only what this SRO or SRIE may see.")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        arrangement = Arrangement.objects.filter(slug=options["arrangement"]).first()
        if arrangement is None:
            raise CommandError(f"No arrangement with the slug {options['arrangement']!r}.")
        access = None
        if options["as_email"]:
            user = User.objects.filter(email=options["as_email"].lower()).first()
            try:
                access = access_for(user=user, arrangement_slug=arrangement.slug, perm=Perm.PROPOSE_OPENNESS)
            except Exception as exc:  # noqa: BLE001 - 404 and 403 alike: say so plainly
                raise CommandError(f"{options['as_email']} may not export this arrangement.") from exc
        content = archive_zip(arrangement, access=access)
        target = Path(options["output"] or filename(arrangement))
        target.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {target} ({len(content):,} bytes)."))
