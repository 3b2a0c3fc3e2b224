"""Private risks move to their side's own reference sequence (issue 13: gaps in one shared
sequence told each side how many private records the other kept, and when).

Every risk private to a side is renumbered in creation order in that side's sequence
(RC-001 customer only, RP-001 provider only). Shared risks keep the references both sides
already use (R-...), and new shared ones continue after the highest of them, so no new gap
appears; gaps left by private risks before this change stay where they were.
"""

from django.db import migrations


def number_private_risks(apps, schema_editor):
    from partnering.core.references import renumber_private

    renumber_private(
        apps.get_model("risks", "Risk"), history_model=apps.get_model("risks", "HistoricalRisk"), letter="R"
    )


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(number_private_risks, migrations.RunPython.noop)]
