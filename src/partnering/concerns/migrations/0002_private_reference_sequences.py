"""Private concerns move to their side's own reference sequence (issue 13: gaps in one shared
sequence told each side how many private records the other kept, and when).

Every concern private to a side is renumbered in creation order in that side's sequence
(CC-001 customer only, CP-001 provider only). Shared concerns keep the references both sides
already use (C-...), and new shared ones continue after the highest of them, so no new gap
appears; gaps left by private concerns before this change stay where they were.
"""

from django.db import migrations


def number_private_concerns(apps, schema_editor):
    from partnering.core.references import renumber_private

    renumber_private(
        apps.get_model("concerns", "Concern"), history_model=apps.get_model("concerns", "HistoricalConcern"), letter="C"
    )


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]

    operations = [migrations.RunPython(number_private_concerns, migrations.RunPython.noop)]
