from django.apps import AppConfig


class CharterConfig(AppConfig):
    name = "partnering.charter"
    label = "charter"
    verbose_name = "Partnering charter"
    default_auto_field = "django.db.models.BigAutoField"
