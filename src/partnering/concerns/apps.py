from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "partnering.concerns"
    label = "concerns"
    verbose_name = "Concerns and escalation"
    default_auto_field = "django.db.models.BigAutoField"
