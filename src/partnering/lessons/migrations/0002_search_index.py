"""The full-text index, on PostgreSQL only (SQLite searches `search_text` by substring).

The expression matches what `lessons.search.apply` asks for, so the planner can use it.
"""

from django.db import migrations

INDEX = "lessons_lesson_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON lessons_lesson "
        "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, '')))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
