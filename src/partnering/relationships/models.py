"""Relationship roles and peers.

The guide: "at the individual level, each one-on-one relationship should be
peer-to-peer", with the SRO and the SRIE as counterparts, and both parties
should create relationship management roles. A peer pair names two people,
one on each side, who deal with each other; the peer map shows where a role
held on one side has no counterpart on the other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partnering.actions.models import Action
from partnering.arrangements.models import Arrangement, Membership
from partnering.core.audit import audited, register
from partnering.core.models import TimeStampedModel, VersionedModel


class PeerPair(TimeStampedModel, VersionedModel):
    """A one-on-one relationship across the sides: a customer member and their provider peer."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="peer_pairs")
    customer_member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    provider_member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(
        "relationship", max_length=120, help_text="For example “SRO–SRIE” or “contract manager–contract manager”."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = audited()

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "customer_member", "provider_member"], name="one_pair_per_two_people"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ActionComment(TimeStampedModel):
    """The discussion of an action: comments from either side, seen by whoever sees the action.

    Kept here rather than in the actions app so that the one action model stays
    small; the discussion is part of "conversation on the record".
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("comment", max_length=5000)

    history = audited()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


# Peer pairs are shared by both sides: on the arrangement history page. Action
# comments have no visibility of their own, so they stay off it (history kept).
register(PeerPair)
