from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "partnering.finance"
    label = "finance"
    verbose_name = "Open-book accounting and incentives"
    default_auto_field = "django.db.models.BigAutoField"
