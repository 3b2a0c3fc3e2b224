from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "partnering.archive"
    label = "archive"
    verbose_name = "Export, Gateway packs and reminders"
    default_auto_field = "django.db.models.BigAutoField"
