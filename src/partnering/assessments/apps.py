from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_builtin_banks(sender, **kwargs):  # noqa: ANN001, ANN003, ANN202
    from partnering.assessments.services import banks_sync_builtin

    banks_sync_builtin()


class AssessmentsConfig(AppConfig):
    name = "partnering.assessments"
    label = "assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # After every migrate, store any new version of the guide's built-in banks.
        post_migrate.connect(_sync_builtin_banks, sender=self)
