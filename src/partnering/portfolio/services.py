"""Writes of the portfolio app: only the activity counter (see models.Activity)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from partnering.arrangements.models import Arrangement
from partnering.portfolio.models import Activity


def activity_record(*, arrangement_slug: str) -> None:
    """Count one write to the arrangement (nothing if there is no such arrangement)."""
    arrangement_id = Arrangement.objects.filter(slug=arrangement_slug).values_list("pk", flat=True).first()
    if arrangement_id is not None:
        activity_record_for(arrangement_id)


def activity_record_for(arrangement_id: int) -> None:
    """Count one write to the arrangement with this id: what a bulk job calls after its writes."""
    if Activity.objects.filter(arrangement_id=arrangement_id).update(writes=F("writes") + 1):
        return
    try:
        with transaction.atomic():
            Activity.objects.create(arrangement_id=arrangement_id, writes=1)
    except IntegrityError:  # created meanwhile by another request
        Activity.objects.filter(arrangement_id=arrangement_id).update(writes=F("writes") + 1)
