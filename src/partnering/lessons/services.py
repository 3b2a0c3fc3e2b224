"""Writes to lessons learned, for the pages, the API and the demo.

"Organisational learning and sharing knowledge: it is important to ensure that
lessons learned stay learned, and are passed on to others ... there should also
be the means for embedding learning from the arrangement into future working
practices." A lesson records what happened, the lesson and the recommendation,
in no-blame words; an organisation may publish it to its future arrangements.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from partnering.core.choices import Visibility
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm
from partnering.lessons import search
from partnering.lessons.models import Lesson, Source
from partnering.lessons.selectors import publishable_organisation

EDITABLE_FIELDS = ("title", "what_happened", "lesson", "recommendation", "tags", "stage")
MAX_TAGS = 12


def normalise_tags(value: str | list[str]) -> str:
    """ "Data, handover ,DATA" → "data, handover": lower case, no duplicates."""
    parts = value if isinstance(value, list) else str(value or "").split(",")
    tags: list[str] = []
    for part in parts:
        tag = search.normalise(str(part)).replace(",", " ").strip()[:60]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": f"Use at most {MAX_TAGS} tags."})
    return ", ".join(tags)


def _index(lesson: Lesson) -> None:
    lesson.search_text = search.search_text(
        [lesson.title, lesson.what_happened, lesson.lesson, lesson.recommendation, lesson.tags, lesson.source_label]
    )


def _stamp(record: Any, access: Access) -> None:
    record._history_user = access.user


def _require_editable(access: Access, lesson: Lesson) -> None:
    access.require(Perm.CONTRIBUTE)
    if lesson.arrangement_id != access.arrangement.pk or not access.can_see(lesson.visibility):
        raise PermissionDenied


def check_visibility(access: Access, visibility: str, source: models.Model | None) -> None:
    """A lesson is shared, or private to the writer's side; never more open than its source."""
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": "Choose who can see this lesson."})
    if visibility != Visibility.SHARED and visibility != access.side:
        raise ValidationError({"visibility": "A private lesson can only be private to your own side."})
    source_visibility = getattr(source, "visibility", Visibility.SHARED)
    if source_visibility != Visibility.SHARED and visibility != source_visibility:
        raise ValidationError(
            {"visibility": "The source is private to one side, so the lesson must stay private to that side."}
        )


def source_kind(source: models.Model | None) -> str:
    if source is None:
        return Source.DIRECT
    label = source._meta.label_lower
    return {
        "concerns.concern": Source.CONCERN,
        "assessments.assessment": Source.ASSESSMENT,
        "board.meeting": Source.BOARD_MEETING,
    }.get(label, "")


def _check_source(access: Access, source: models.Model | None) -> None:
    if source is None:
        return
    if not source_kind(source):
        raise ValidationError("A lesson comes from a concern, an assessment or a board meeting.")
    if getattr(source, "arrangement_id", None) != access.arrangement.pk:
        raise PermissionDenied
    if source_kind(source) == Source.CONCERN and getattr(source, "status", "") != "resolved":
        raise ValidationError("Capture a lesson from a concern once it is resolved.")


@transaction.atomic
def lesson_create(
    *,
    access: Access,
    title: str,
    what_happened: str,
    lesson: str,
    recommendation: str = "",
    tags: str | list[str] = "",
    stage: str = "",
    visibility: str = Visibility.SHARED,
    source: models.Model | None = None,
) -> Lesson:
    """Record a lesson, directly or captured from a resolved concern, an assessment or a board meeting."""
    access.require(Perm.CONTRIBUTE)
    _check_source(access, source)
    check_visibility(access, visibility, source)
    record = Lesson(
        arrangement=access.arrangement,
        title=title.strip(),
        what_happened=what_happened.strip(),
        lesson=lesson.strip(),
        recommendation=recommendation.strip(),
        tags=normalise_tags(tags),
        stage=stage or access.arrangement.stage,
        source=source_kind(source),
        source_label=str(source)[:300] if source is not None else "",
        visibility=visibility,
        created_by=access.user,
    )
    if source is not None:
        record.source_type = ContentType.objects.get_for_model(source)
        record.source_id = source.pk
    _index(record)
    record.full_clean()
    _stamp(record, access)
    record.save()
    return record


def lesson_update(*, access: Access, lesson: Lesson, expected_version: int, changes: dict[str, Any]) -> Lesson:
    """Edit a lesson; a save based on an old version is refused (EditConflict)."""
    _require_editable(access, lesson)
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        if name == "tags":
            value = normalise_tags(value)
        setattr(lesson, name, value.strip() if isinstance(value, str) else value)
    _index(lesson)
    _stamp(lesson, access)
    return save_versioned(lesson, expected_version=expected_version, fields=list(EDITABLE_FIELDS))


@transaction.atomic
def lesson_publish(*, access: Access, lesson: Lesson, publish: bool = True) -> Lesson:
    """Publish a lesson to all the future arrangements of the member's own organisation, or withdraw it.

    Only the arrangement's managers publish (EDIT_ARRANGEMENT), and only to their
    own side's organisation: a side cannot publish in the other's name.
    """
    _require_editable(access, lesson)
    access.require(Perm.EDIT_ARRANGEMENT)
    organisation = publishable_organisation(access)
    if organisation is None:
        raise PermissionDenied("Only the customer or the provider publishes lessons to its arrangements.")
    if publish:
        if lesson.published_to_organisation_id not in (None, organisation.pk):
            raise ValidationError("The other side has published this lesson already.")
        lesson.published_to_organisation = organisation
        lesson.published_at = timezone.now()
        lesson.published_by = access.user
    else:
        if lesson.published_to_organisation_id not in (None, organisation.pk):
            raise PermissionDenied("Only the side that published a lesson withdraws it.")
        lesson.published_to_organisation = None
        lesson.published_at = None
        lesson.published_by = None
    lesson.version += 1
    _stamp(lesson, access)
    lesson.save(update_fields=["published_to_organisation", "published_at", "published_by", "version", "updated_at"])
    return lesson


# -- capture from another feature ------------------------------------------------------

#: `?from=<kind>:<uuid>` → (app label, the selector that fetches it through the policy).
CAPTURE_SOURCES: dict[str, tuple[str, str, str]] = {
    "concern": ("concerns", "partnering.concerns.selectors", "concern_get"),
    "assessment": ("assessments", "partnering.assessments.selectors", "assessment_get"),
    "meeting": ("board", "partnering.board.selectors", "meeting_get"),
}


def capture_source(*, access: Access, ref: str) -> models.Model | None:
    """The record named by `concern:<uuid>`, `assessment:<uuid>` or `meeting:<uuid>`, if the member may see it.

    The source apps are optional: when one is not installed its kind is ignored.
    Fetched through that app's own selector, so its visibility rules apply (404 otherwise).
    """
    import importlib
    import uuid

    kind, _, value = (ref or "").partition(":")
    found = CAPTURE_SOURCES.get(kind)
    if found is None or not apps.is_installed(f"partnering.{found[0]}"):
        return None
    try:
        key = uuid.UUID(value)
    except ValueError:
        return None
    module = importlib.import_module(found[1])
    return getattr(module, found[2])(access=access, **{f"{kind}_uuid": key})


def prefill(source: models.Model | None) -> dict[str, Any]:
    """The lesson form's starting values, from what it was learned from."""
    if source is None:
        return {}
    kind = source_kind(source)
    if kind == Source.CONCERN:
        return {
            "title": f"Lesson from {source}",
            "what_happened": getattr(source, "description", ""),
            "lesson": getattr(source, "lesson_text", "") or getattr(source, "resolution_summary", ""),
            "visibility": getattr(source, "visibility", Visibility.SHARED),
        }
    if kind == Source.ASSESSMENT:
        return {"title": f"Lesson from {getattr(source, 'title', source)}", "tags": "assessment"}
    if kind == Source.BOARD_MEETING:
        held_on = getattr(source, "held_on", None)
        when = f" on {held_on:%d %B %Y}" if held_on else ""
        return {
            "title": f"Lesson from the board meeting {source}",
            "what_happened": f"Discussed at the board meeting{when}.",
            "tags": "board",
        }
    return {}
