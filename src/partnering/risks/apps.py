from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "partnering.risks"
    label = "risks"
    verbose_name = "Shared risk register"
    default_auto_field = "django.db.models.BigAutoField"
