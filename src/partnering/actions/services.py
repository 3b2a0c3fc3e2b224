"""Creating and progressing actions, for every feature."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from partnering.actions.models import Action, ActionStatus
from partnering.arrangements.models import Membership
from partnering.core.choices import Visibility
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm


def _check_owner(access: Access, owner: Any, visibility: str) -> None:
    if owner is None:
        return
    membership = Membership.objects.filter(arrangement=access.arrangement, user=owner, is_active=True).first()
    if membership is None:
        raise ValidationError({"owner": "The owner must be a member of this arrangement."})
    if visibility != Visibility.SHARED and membership.side != visibility:
        raise ValidationError({"owner": "A private action must be owned by someone on that side."})


@transaction.atomic
def action_create(
    *,
    access: Access,
    title: str,
    owner: Any = None,
    due_date: date | None = None,
    description: str = "",
    visibility: str = Visibility.SHARED,
    source: models.Model | None = None,
    source_detail: str = "",
) -> Action:
    """Create an action linked to what prompted it (a question, a gap, a risk...)."""
    access.require(Perm.CONTRIBUTE)
    if not access.can_see(visibility):
        raise PermissionDenied("You cannot create an action private to the other side.")
    _check_owner(access, owner, visibility)
    action = Action(
        arrangement=access.arrangement,
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        visibility=visibility,
        created_by=access.user,
        source_detail=source_detail,
    )
    if source is not None:
        action.source_type = ContentType.objects.get_for_model(source)
        action.source_id = source.pk
    action.full_clean()
    action.save()
    return action


def action_update(*, access: Access, action: Action, expected_version: int, changes: dict[str, Any]) -> Action:
    """Edit an action; a save based on an old version is refused (EditConflict)."""
    access.require(Perm.CONTRIBUTE)
    if action.arrangement_id != access.arrangement.pk or not access.can_see(action.visibility):
        raise PermissionDenied
    allowed = {"title", "description", "owner", "due_date", "status"}
    for name, value in changes.items():
        if name not in allowed:
            raise ValidationError(f"Cannot change {name}.")
        setattr(action, name, value)
    _check_owner(access, action.owner, action.visibility)
    if action.status == ActionStatus.DONE and action.completed_at is None:
        action.completed_at = timezone.now()
    elif action.status != ActionStatus.DONE:
        action.completed_at = None
    return save_versioned(action, expected_version=expected_version, fields=sorted(allowed))
