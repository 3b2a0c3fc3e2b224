"""Writes for relationship roles, peer pairs, key-person handovers and action discussions.

Peer pairs are recorded by those who manage members (SRO, SRIE, relationship
managers): the guide asks both parties to create relationship management roles
whose job is "to keep the relationship open and constructive".
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from partnering.actions.models import Action
from partnering.arrangements import people as arrangement_people
from partnering.arrangements.models import Membership
from partnering.core.choices import Role, Side
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm
from partnering.relationships.models import ActionComment, PeerPair


def _stamp(record: Any, access: Access) -> None:
    record._history_user = access.user


def _check_members(access: Access, customer_member: Membership, provider_member: Membership) -> None:
    for member in (customer_member, provider_member):
        if member.arrangement_id != access.arrangement.pk or not member.is_active:
            raise ValidationError("Both people must be current members of this arrangement.")
    if customer_member.side != Side.CUSTOMER:
        raise ValidationError({"customer_member": "Choose someone on the customer side."})
    if provider_member.side != Side.PROVIDER:
        raise ValidationError({"provider_member": "Choose someone on the provider side."})


@transaction.atomic
def peer_pair_create(
    *, access: Access, customer_member: Membership, provider_member: Membership, label: str
) -> PeerPair:
    """Pair a customer member with their provider peer (the guide: "peer-to-peer")."""
    access.require(Perm.MANAGE_MEMBERS)
    _check_members(access, customer_member, provider_member)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": "Name the relationship, for example “SRO–SRIE”."})
    pair = PeerPair(
        arrangement=access.arrangement,
        customer_member=customer_member,
        provider_member=provider_member,
        label=label,
        created_by=access.user,
    )
    pair.full_clean(validate_constraints=False)
    _stamp(pair, access)
    try:
        with transaction.atomic():
            pair.save()
    except IntegrityError as exc:
        raise ValidationError("These two people are already paired.") from exc
    return pair


def peer_pair_update(*, access: Access, pair: PeerPair, expected_version: int, label: str) -> PeerPair:
    """Rename the relationship; a save based on an old version is refused (EditConflict)."""
    access.require(Perm.MANAGE_MEMBERS)
    if pair.arrangement_id != access.arrangement.pk:
        raise Http404
    pair.label = (label or "").strip()
    if not pair.label:
        raise ValidationError({"label": "Name the relationship."})
    _stamp(pair, access)
    return save_versioned(pair, expected_version=expected_version, fields=["label"])


@transaction.atomic
def peer_pair_remove(*, access: Access, pair: PeerPair) -> None:
    access.require(Perm.MANAGE_MEMBERS)
    if pair.arrangement_id != access.arrangement.pk:
        raise Http404
    _stamp(pair, access)
    pair.delete()


@transaction.atomic
def role_hand_over(
    *,
    access: Access,
    role: str,
    from_member: Membership,
    to_member: Membership,
    handover_note: str,
    leaves: bool = False,
) -> Membership:
    """Hand a role from one person to another on the same side, with a handover note.

    "Continuity of staff can preserve corporate memory": the ended assignment
    keeps the note, and when the outgoing person leaves the arrangement their
    peer pairs pass to the successor so that no one-on-one relationship lapses.
    Roles change through `arrangements.people.member_set_roles` (and
    `member_remove` for a leaver), so the usual rules hold: one SRO and one
    SRIE, roles only on their side, only managers of that side may do it.
    """
    note = (handover_note or "").strip()
    if not note:
        raise ValidationError({"handover_note": "Write a handover note for the successor."})
    for member in (from_member, to_member):
        if member.arrangement_id != access.arrangement.pk or not member.is_active:
            raise ValidationError("Both people must be current members of this arrangement.")
    if from_member.pk == to_member.pk:
        raise ValidationError({"to_member": "Choose someone else to take over the role."})
    if from_member.side != to_member.side:
        raise ValidationError({"to_member": "The successor must be on the same side."})
    if not access.can_manage_side(from_member.side):
        raise PermissionDenied("You cannot change the roles of that side's members.")
    outgoing = set(from_member.role_assignments.filter(ended_at__isnull=True).values_list("role", flat=True))
    if role not in outgoing:
        raise ValidationError({"role": f"{from_member.user} does not hold that role."})
    remaining = sorted(outgoing - {role})
    if leaves:
        arrangement_people.member_remove(access=access, membership=from_member, handover_note=note)
    elif not remaining:
        raise ValidationError(
            {"leaves": f"{from_member.user} holds no other role: tick that they leave the arrangement."}
        )
    else:
        arrangement_people.member_set_roles(access=access, membership=from_member, roles=remaining, handover_note=note)
    incoming = set(to_member.role_assignments.filter(ended_at__isnull=True).values_list("role", flat=True))
    incoming.discard(Role.OBSERVER)  # an observer taking on a role is no longer read-only
    arrangement_people.member_set_roles(access=access, membership=to_member, roles=sorted(incoming | {role}))
    if leaves:
        _move_pairs(access, from_member, to_member)
    return to_member


def _move_pairs(access: Access, old: Membership, new: Membership) -> None:
    field = "customer_member" if old.side == Side.CUSTOMER else "provider_member"
    other = "provider_member" if field == "customer_member" else "customer_member"
    taken = set(PeerPair.objects.filter(**{field: new}).values_list(f"{other}_id", flat=True))
    for pair in PeerPair.objects.filter(arrangement=access.arrangement, **{field: old}):
        _stamp(pair, access)
        if getattr(pair, f"{other}_id") in taken:
            pair.delete()
            continue
        setattr(pair, field, new)
        pair.version += 1
        pair.save()


@transaction.atomic
def action_comment_add(*, access: Access, action: Action, text: str) -> ActionComment:
    """A comment in an action's discussion, from either side; kept in the audit trail."""
    access.require(Perm.CONTRIBUTE)
    if action.arrangement_id != access.arrangement.pk or not access.can_see(action.visibility):
        raise PermissionDenied
    comment = ActionComment(action=action, author=access.user, text=(text or "").strip())
    comment.full_clean()
    _stamp(comment, access)
    comment.save()
    return comment
