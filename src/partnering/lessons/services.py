"""Writes to lessons learned, for the pages, the API and the demo.

"Organisational learning and sharing knowledge: it is important to ensure that
lessons learned stay learned, and are passed on to others ... there should also
be the means for embedding learning from the arrangement into future working
practices." A lesson records what happened, the lesson and the recommendation,
in no-blame words; its authors may publish it to their organisations' future
arrangements.

Consent (ours, not the guide's): a lesson is written by one side or by both
jointly. Only its authoring side changes or publishes a one-side lesson; a
joint lesson is published once both sides' leads (SRO and SRIE) have agreed,
each a member of that side's own organisation, and any change to its words
asks both again. An author withdrawing takes the lesson out of every
organisation's library it reached.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from partnering.core.choices import Side, Visibility
from partnering.core.concurrency import save_versioned
from partnering.core.policy import Access, Perm
from partnering.lessons import search
from partnering.lessons.models import Authorship, Lesson, Source

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


def _require_visible(access: Access, lesson: Lesson) -> None:
    if lesson.arrangement_id != access.arrangement.pk or not access.can_see(lesson.visibility):
        raise PermissionDenied


def is_author(access: Access, lesson: Lesson) -> bool:
    """Whether the member writes for the lesson: its own side's lesson, or a joint one."""
    return lesson.author_side == Authorship.JOINT or lesson.author_side == access.side


def _require_editable(access: Access, lesson: Lesson) -> None:
    access.require(Perm.CONTRIBUTE)
    _require_visible(access, lesson)
    if not is_author(access, lesson):
        raise PermissionDenied("Only the side that wrote this lesson changes it.")


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
    joint: bool = False,
) -> Lesson:
    """Record a lesson, directly or captured from a resolved concern, an assessment or a board meeting.

    The writer's side is its author; `joint` records it as written by both sides
    (a lesson the neutral facilitator writes is always joint).
    """
    access.require(Perm.CONTRIBUTE)
    _check_source(access, source)
    check_visibility(access, visibility, source)
    if joint and visibility != Visibility.SHARED:
        raise ValidationError({"joint": "A lesson written jointly is shared with both sides."})
    author_side = access.side if access.side in (Side.CUSTOMER, Side.PROVIDER) and not joint else Authorship.JOINT
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
        author_side=author_side,
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


CONSENT_FIELDS = ("customer_consent_by", "customer_consent_at", "provider_consent_by", "provider_consent_at")


def _clear_consents(lesson: Lesson, sides: tuple[str, ...] = (Side.CUSTOMER, Side.PROVIDER)) -> None:
    for side in sides:
        setattr(lesson, f"{side}_consent_by", None)
        setattr(lesson, f"{side}_consent_at", None)
    lesson.published_at = None


@transaction.atomic
def lesson_update(*, access: Access, lesson: Lesson, expected_version: int, changes: dict[str, Any]) -> Lesson:
    """Edit a lesson; a save based on an old version is refused (EditConflict).

    Only its authors edit it. New words in a joint lesson are not what the other
    side agreed to publish: the consents already given lapse, and it leaves
    every library until both sides agree again.
    """
    _require_editable(access, lesson)
    before = {name: getattr(lesson, name) for name in EDITABLE_FIELDS}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        if name == "tags":
            value = normalise_tags(value)
        setattr(lesson, name, value.strip() if isinstance(value, str) else value)
    fields = list(EDITABLE_FIELDS)
    reworded = any(getattr(lesson, name) != old for name, old in before.items())
    if lesson.is_joint and reworded and (lesson.customer_consent_at or lesson.provider_consent_at):
        _clear_consents(lesson)
        fields += [*CONSENT_FIELDS, "published_at"]
    _index(lesson)
    _stamp(lesson, access)
    return save_versioned(lesson, expected_version=expected_version, fields=fields)


def publishing_refusal(access: Access, lesson: Lesson) -> str | None:
    """Why this member may not give (or withdraw) their side's consent to publish, or None.

    A side consents for itself only, through a member of its own organisation:
    a one-side lesson by that side's managers, a joint lesson by that side's
    lead (SRO or SRIE). Nobody publishes what the other side wrote alone.
    """
    if access.side not in (Side.CUSTOMER, Side.PROVIDER):
        return "Only the customer or the provider publishes lessons to its arrangements."
    if not is_author(access, lesson):
        return "Only the side that wrote a lesson publishes or withdraws it."
    if lesson.is_joint:
        if not access.has(Perm.LEAD_SIDE):
            return "Your side's lead (the SRO or the SRIE) agrees to publish a joint lesson."
    elif not access.has(Perm.EDIT_ARRANGEMENT):
        return "Your roles in this arrangement do not allow publishing lessons."
    arrangement = access.arrangement
    own = arrangement.customer_id if access.side == Side.CUSTOMER else arrangement.provider_id
    if own is None or getattr(access.user, "organisation_id", None) != own:
        return "Only a member of your side's own organisation agrees for it."
    return None


@transaction.atomic
def lesson_publish(*, access: Access, lesson: Lesson, publish: bool = True) -> Lesson:
    """Give the member's side's consent to publish a lesson, or withdraw it.

    A lesson is published to the future arrangements of every author side's
    organisation once each author side has agreed: at once for a one-side
    lesson, when the second lead agrees for a joint one. Withdrawing (any
    author side) takes it out of every library it reached; the other side's
    consent to a joint lesson stands until that side withdraws it too.
    """
    _require_visible(access, lesson)
    refusal = publishing_refusal(access, lesson)
    if refusal:
        raise PermissionDenied(refusal)
    stored = Lesson.objects.select_for_update().get(pk=lesson.pk)
    side = access.side
    now = timezone.now()
    if publish:
        if stored.consent_at(side) is None:
            setattr(stored, f"{side}_consent_by", access.user)
            setattr(stored, f"{side}_consent_at", now)
        if stored.published_at is None and all(stored.consent_at(s) for s in stored.author_sides):
            stored.published_at = now
    else:
        setattr(stored, f"{side}_consent_by", None)
        setattr(stored, f"{side}_consent_at", None)
        stored.published_at = None
    stored.version += 1
    _stamp(stored, access)
    stored.save(update_fields=[*CONSENT_FIELDS, "published_at", "version", "updated_at"])
    for f in Lesson._meta.concrete_fields:
        setattr(lesson, f.attname, getattr(stored, f.attname))
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
