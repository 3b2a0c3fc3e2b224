from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "partnering.procurement"
    label = "procurement"
    verbose_name = "Procurement Act 2023: published KPIs and contract performance notices"
    default_auto_field = "django.db.models.BigAutoField"
