from django.apps import AppConfig


class ExitConfig(AppConfig):
    name = "partnering.exit"
    label = "exit"
    verbose_name = "Exit and recompetition"
    default_auto_field = "django.db.models.BigAutoField"
