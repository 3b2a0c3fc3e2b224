from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "partnering.kpis"
    label = "kpis"
    verbose_name = "Collaborative performance management"
    default_auto_field = "django.db.models.BigAutoField"
