from django.apps import AppConfig


class ArrangementsConfig(AppConfig):
    name = "partnering.arrangements"
    label = "arrangements"
    default_auto_field = "django.db.models.BigAutoField"
