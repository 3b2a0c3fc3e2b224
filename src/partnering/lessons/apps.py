from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "partnering.lessons"
    label = "lessons"
    verbose_name = "Lessons learned"
    default_auto_field = "django.db.models.BigAutoField"
