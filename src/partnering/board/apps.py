from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "partnering.board"
    label = "board"
    verbose_name = "Joint project board"
    default_auto_field = "django.db.models.BigAutoField"
