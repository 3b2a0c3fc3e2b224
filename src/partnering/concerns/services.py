"""Writes to the concern log, for the pages and the API.

Visibility of potential problems (the guide's "How open should the
relationship be?" question, `OpennessProfile.problems_visible`):

- When problems are visible, a concern is shared with both sides from the
  moment it is raised.
- When they are not, a concern raised by the customer or the provider is
  visible only to the raising side (`visibility` = that side) until it is
  escalated to the SRO and SRIE level or above, or the side shares it
  explicitly; then it is shared, and stays shared (de-escalating does not
  hide it again: the other side has already read it).
- The neutral partnering facilitator has no side to keep a concern for: what
  they raise is shared.

A concern's statements, escalation steps and comments are seen by whoever sees
the concern. The stored `visibility` is what every page, the API, the history
page and `access.visible_q()` filter on. Changing the openness later does not
rewrite it: concerns raised while problems were private stay private until
shared or escalated.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnering.arrangements.models import Arrangement
from partnering.concerns.models import (
    SHARED_FROM_LEVEL,
    Concern,
    ConcernComment,
    ConcernStatement,
    ConcernStatus,
    EscalationEvent,
    Level,
)
from partnering.core import references
from partnering.core.choices import Side, Visibility
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm

#: Fields a member may change on an open concern (level, status and visibility change through their own steps).
EDITABLE_FIELDS = ("title", "description", "impact", "other_side_view")


#: Concerns are numbered C-001 (shared), CC-001 (customer only), CP-001 (provider only): see core.references.
LETTER = "C"


def format_reference(number: int, visibility: str = Visibility.SHARED) -> str:
    return references.format_reference(LETTER, visibility, number)


def _share(concern: Concern, when: Any) -> None:
    """A private concern becoming shared takes the next number of the shared sequence (arrangement
    locked): the other side reads a gapless sequence and never the concern's private number."""
    Arrangement.objects.select_for_update().filter(pk=concern.arrangement_id).first()
    number = references.next_number(Concern, LETTER, concern.arrangement_id, Visibility.SHARED)
    concern.visibility, concern.shared_at = Visibility.SHARED, when
    concern.number, concern.reference = number, format_reference(number)


def initial_visibility(access: Access) -> str:
    """Shared when the openness makes problems visible, or the raiser is the neutral facilitator."""
    if access.sees_other_side_problems() or access.side not in (Side.CUSTOMER, Side.PROVIDER):
        return Visibility.SHARED
    return access.side


def _stamp(record: Any, access: Access) -> None:
    """Name the person in the audit trail even outside a browser request (API tokens)."""
    record._history_user = access.user


def _require_visible(access: Access, concern: Concern) -> None:
    access.require(Perm.CONTRIBUTE)
    if concern.arrangement_id != access.arrangement.pk or not access.can_see(concern.visibility):
        raise PermissionDenied


def _require_open(concern: Concern) -> None:
    if concern.status != ConcernStatus.OPEN:
        raise ValidationError("This concern is resolved.")


def _clean_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def concern_raise(
    *,
    access: Access,
    title: str,
    description: str,
    impact: str,
    other_side_view: str,
    level: int = Level.WORKING,
) -> Concern:
    """Raise a concern early. The statement of how the other party sees it is required
    (the guide: "each party could be required to explain the issues from the perspective
    of the other party")."""
    access.require(Perm.CONTRIBUTE)
    if level not in Level.values:
        raise ValidationError({"level": "Choose a level of the escalation ladder."})
    other_side_view = _clean_text(
        other_side_view, "other_side_view", "Explain how the other party sees the issue, in their terms."
    )
    # Lock the arrangement so that two people raising concerns get different numbers.
    Arrangement.objects.select_for_update().filter(pk=access.arrangement.pk).first()
    now = timezone.now()
    visibility = initial_visibility(access)
    if level >= SHARED_FROM_LEVEL:
        visibility = Visibility.SHARED
    number = references.next_number(Concern, LETTER, access.arrangement.pk, visibility)
    concern = Concern(
        arrangement=access.arrangement,
        reference=format_reference(number, visibility),
        number=number,
        title=(title or "").strip(),
        description=(description or "").strip(),
        impact=(impact or "").strip(),
        other_side_view=other_side_view,
        raised_by=access.user,
        raised_by_side=access.side,
        level=level,
        level_since=now,
        visibility=visibility,
        shared_at=now if visibility == Visibility.SHARED else None,
    )
    concern.full_clean()
    _stamp(concern, access)
    concern.save()
    event = EscalationEvent(concern=concern, from_level=None, to_level=level, reason="Raised.", by=access.user)
    _stamp(event, access)
    event.save()
    return concern


def concern_update(*, access: Access, concern: Concern, expected_version: int, changes: dict[str, Any]) -> Concern:
    """Edit the wording of a concern; a save based on an old version is refused (EditConflict)."""
    _require_visible(access, concern)
    _require_open(concern)
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        setattr(concern, name, value.strip() if isinstance(value, str) else value)
    _clean_text(concern.other_side_view, "other_side_view", "Explain how the other party sees the issue.")
    _stamp(concern, access)
    return save_versioned(concern, expected_version=expected_version, fields=list(EDITABLE_FIELDS))


@transaction.atomic
def concern_escalate(*, access: Access, concern: Concern, to_level: int, reason: str) -> EscalationEvent:
    """Move a concern up or down the ladder, with the reason; the time at each level is kept.

    Reaching the SRO and SRIE level shares a private concern with the other side:
    from there on the leaders of both sides must deal with it together.
    """
    _require_visible(access, concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    _require_open(concern)
    if to_level not in Level.values:
        raise ValidationError({"to_level": "Choose a level of the escalation ladder."})
    if to_level == concern.level:
        raise ValidationError({"to_level": "The concern is already at this level."})
    reason = _clean_text(
        reason, "reason", "Say why the concern is escalated." if to_level > concern.level else "Say why it comes down."
    )
    now = timezone.now()
    event = EscalationEvent(concern=concern, from_level=concern.level, to_level=to_level, reason=reason, by=access.user)
    _stamp(event, access)
    event.save()
    concern.level, concern.level_since = to_level, now
    if to_level >= SHARED_FROM_LEVEL and concern.visibility != Visibility.SHARED:
        _share(concern, now)
    concern.version += 1
    _stamp(concern, access)
    concern.save()
    return event


@transaction.atomic
def concern_share(*, access: Access, concern: Concern) -> Concern:
    """Share a side's private concern with the other side before it is escalated. Cannot be undone."""
    _require_visible(access, concern)
    if concern.visibility == Visibility.SHARED:
        return concern
    _share(concern, timezone.now())
    concern.version += 1
    _stamp(concern, access)
    concern.save(update_fields=["visibility", "reference", "number", "shared_at", "version", "updated_at"])
    return concern


def concern_resolve(
    *,
    access: Access,
    concern: Concern,
    expected_version: int,
    summary: str,
    publishable_as_lesson: bool = False,
    lesson_text: str = "",
) -> Concern:
    """Close a concern with a no-blame summary: what happened and what fixed it, not who was at fault.

    Marked publishable, the lesson text (or the summary) is kept for the lessons
    feature, so "lessons learned stay learned, and are passed on to others".
    """
    _require_visible(access, concern)
    _require_open(concern)
    concern.resolution_summary = _clean_text(
        summary, "summary", "Summarise how the concern was resolved, without blame."
    )
    concern.publishable_as_lesson = bool(publishable_as_lesson)
    concern.lesson_text = (lesson_text or "").strip() or (concern.resolution_summary if publishable_as_lesson else "")
    concern.status = ConcernStatus.RESOLVED
    concern.resolved_at, concern.resolved_by = timezone.now(), access.user
    _stamp(concern, access)
    return save_versioned(
        concern,
        expected_version=expected_version,
        fields=[*EDITABLE_FIELDS, "level", "status", "resolution_summary"],
    )


def statement_sides(concern: Concern) -> list[str]:
    """The sides that may add their own statement: the side or sides that did not raise it."""
    return [s for s in (Side.CUSTOMER, Side.PROVIDER) if s != concern.raised_by_side]


def concern_statement_save(
    *, access: Access, concern: Concern, text: str, expected_version: int | None = None
) -> ConcernStatement:
    """The other side's own statement of the issue; editing it names the version edited (EditConflict)."""
    _require_visible(access, concern)
    _require_open(concern)
    if access.side not in statement_sides(concern):
        raise PermissionDenied("Only the other side adds its own statement; the raising side edits the concern.")
    text = _clean_text(text, "text", "Write your side's statement.")
    existing = ConcernStatement.objects.filter(concern=concern, side=access.side).first()
    if existing is None:
        with transaction.atomic():
            statement = ConcernStatement(concern=concern, side=access.side, text=text, author=access.user)
            statement.full_clean()
            _stamp(statement, access)
            statement.save()
        return statement
    existing.text, existing.author = text, access.user
    _stamp(existing, access)
    return save_versioned(existing, expected_version=expected_version or 0, fields=["text"])


@transaction.atomic
def concern_comment_add(*, access: Access, concern: Concern, text: str) -> ConcernComment:
    """A comment in the concern's discussion, from either side; kept in the audit trail."""
    _require_visible(access, concern)
    comment = ConcernComment(concern=concern, author=access.user, text=(text or "").strip())
    comment.full_clean()
    _stamp(comment, access)
    comment.save()
    return comment
