from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "partnering.tasks"
    label = "tasks"
    verbose_name = "What is waiting for each person"
    default_auto_field = "django.db.models.BigAutoField"
