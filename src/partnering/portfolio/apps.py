from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "partnering.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio and early warnings"
    default_auto_field = "django.db.models.BigAutoField"
