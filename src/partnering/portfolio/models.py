"""What the portfolio keeps of its own: a counter of each arrangement's writes.

A portfolio manager's page reads every arrangement of the organisation, and
working out each one's early warnings costs a dozen aggregate queries and the
guide's verdicts in Python: seconds for a department. The result of one
arrangement only changes when something in it is written (or a day passes, for
what falls overdue), so it is cached under a key that holds this counter and
the date. The counter lives in its own table, not on `Arrangement`, so that no
save of an arrangement loaded earlier can write an old value back.
"""

from __future__ import annotations

from django.db import models


class Activity(models.Model):
    arrangement = models.OneToOneField(
        "arrangements.Arrangement", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    writes = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "activity"

    def __str__(self) -> str:
        return f"{self.arrangement_id}: {self.writes} writes"
