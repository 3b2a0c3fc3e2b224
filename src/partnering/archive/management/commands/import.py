from django.core.management.base import BaseCommand, CommandError

from partnering.archive.importer import ArchiveError, archive_import


class Command(BaseCommand):
    help = "Import an arrangement archive made by `partnering export` (all or nothing)."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("file", help="The ZIP archive (or a bare archive.json).")

    def handle(self, *args, **options):  # noqa: ANN002, ANN003, ANN201
        try:
            result = archive_import(options["file"])
        except (ArchiveError, OSError) as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.arrangement.title} ({result.arrangement.slug}): "
                f"{result.records:,} records, {result.history:,} history rows."
            )
        )
        if result.created_users:
            self.stdout.write(
                f"New accounts (no password yet; they use 'Forgotten your password?'): {len(result.created_users)}"
            )
