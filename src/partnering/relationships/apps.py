from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "partnering.relationships"
    label = "relationships"
    verbose_name = "Relationship roles and peers"
    default_auto_field = "django.db.models.BigAutoField"
