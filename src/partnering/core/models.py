"""The base every model of arrangement data stands on."""

from __future__ import annotations

import uuid

from django.db import models


class TimeStampedModel(models.Model):
    """A public UUID (never a sequential id in a URL) and creation/update times."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Optimistic locking: a save names the version it was edited from.

    Two people editing the same record must never silently overwrite each
    other; `core.concurrency.save_versioned` refuses the second save.
    """

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class HistoryActor(models.Model):
    """Extra columns on every history table.

    The actor's e-mail and name are copied at the time of the change so that a
    record stays attributed after the person's account is deleted.
    """

    history_actor = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        abstract = True
