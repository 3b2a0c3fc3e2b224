"""Writes to the partnering charter, for the pages, the API and the demo.

The agreement rules:

- The charter is drafted jointly: any member who may contribute edits the
  working draft (optimistic locking: a stale save is refused with what changed).
- A version is agreed when both the SRO and the SRIE have signed it. Who signed
  and when is recorded on the version and in the audit trail.
- A signature is of a text: editing a draft that one leader has signed clears
  that signature, and editing an agreed version makes a new draft version that
  needs both signatures again. The agreed version stays in force until then.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partnering.arrangements.models import Arrangement, Membership
from partnering.charter.models import SECTION_FIELDS, Charter, CharterComment, CharterVersion, VersionStatus, Workshop
from partnering.core.choices import Role, Side
from partnering.core.concurrency import EditConflict, FieldChange, save_versioned
from partnering.core.policy import Access, Perm, require_two_parties

#: Fields of a version that an edit may change.
TEXT_FIELDS = (*SECTION_FIELDS, "extra_sections")

WORKSHOP_FIELDS = ("kind", "title", "held_on", "facilitator", "other_attendees", "outputs")


def _stamp(record: Any, access: Access) -> None:
    """Name the person in the audit trail even outside a browser request (API tokens, the demo)."""
    record._history_user = access.user


def clean_sections(sections: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """Free sections as stored: both parts trimmed; a section with neither is dropped."""
    out = []
    for section in sections or []:
        heading = str(section.get("heading", "")).strip()
        text = str(section.get("text", "")).strip()
        if not heading and not text:
            continue
        if not heading:
            raise ValidationError({"extra_sections": "Give every added section a heading."})
        out.append({"heading": heading[:200], "text": text})
    return out


def _latest(charter: Charter, *, lock: bool = False) -> CharterVersion | None:
    qs = CharterVersion.objects.filter(charter=charter)
    if lock:
        qs = qs.select_for_update()
    return qs.order_by("-number").first()


def _changes(version: CharterVersion, values: dict[str, Any]) -> dict[str, Any]:
    """Only the fields whose value differs from the version's."""
    return {name: value for name, value in values.items() if getattr(version, name) != value}


def _conflict(current: CharterVersion, values: dict[str, Any], *, based_on: int) -> EditConflict:
    """What changed since the editor opened the charter, in the shape pages already show."""
    changes = []
    for name in TEXT_FIELDS:
        theirs = getattr(current, name)
        if name in values and values[name] != theirs:
            label = str(CharterVersion._meta.get_field(name).verbose_name).capitalize()
            changes.append(FieldChange(field=name, label=label, theirs=theirs, yours=values[name]))
    if current.number != based_on:
        changes.insert(
            0,
            FieldChange(
                field="number", label="Version", theirs=f"Version {current.number}", yours=f"Version {based_on}"
            ),
        )
    return EditConflict(current, changes)


@transaction.atomic
def charter_edit(
    *, access: Access, expected_number: int, expected_version: int, values: dict[str, Any]
) -> CharterVersion:
    """Save the charter's text: into the working draft, or as a new draft after agreement.

    `expected_number` and `expected_version` name the version the editor opened
    (0 and 0 for a charter not yet started). A save based on anything but the
    latest version, as it was, raises EditConflict.
    """
    access.require(Perm.CONTRIBUTE)
    values = {name: values[name] for name in TEXT_FIELDS if name in values}
    for name in SECTION_FIELDS:
        if name in values:
            values[name] = str(values[name] or "").strip()
    if "extra_sections" in values:
        values["extra_sections"] = clean_sections(values["extra_sections"])
    # Lock the arrangement so that two first drafts, or two new drafts after
    # agreement, cannot both be made.
    Arrangement.objects.select_for_update().filter(pk=access.arrangement.pk).first()
    charter, _created = Charter.objects.get_or_create(arrangement=access.arrangement)
    latest = _latest(charter, lock=True)
    if latest is None:
        if expected_number:
            raise PermissionDenied
        version = CharterVersion(
            arrangement=access.arrangement, charter=charter, number=1, created_by=access.user, **values
        )
        version.full_clean()
        _stamp(version, access)
        version.save()
        return version
    if latest.number != expected_number or latest.version != expected_version:
        raise _conflict(latest, values, based_on=expected_number)
    changes = _changes(latest, values)
    if not changes:
        return latest
    if latest.status == VersionStatus.DRAFT:
        for name, value in changes.items():
            setattr(latest, name, value)
        # A signature is of the text signed: a changed draft must be signed again.
        latest.sro_signed_by = latest.srie_signed_by = None
        latest.sro_signed_at = latest.srie_signed_at = None
        _stamp(latest, access)
        return save_versioned(latest, expected_version=expected_version, fields=list(TEXT_FIELDS))
    # Agreed: the edit becomes a new draft; the agreed text stays in force until it is agreed.
    version = CharterVersion(
        arrangement=access.arrangement,
        charter=charter,
        number=latest.number + 1,
        created_by=access.user,
        **{name: getattr(latest, name) for name in TEXT_FIELDS} | changes,
    )
    version.full_clean()
    _stamp(version, access)
    version.save()
    return version


def signing_role(access: Access) -> str | None:
    """Which signature this member gives: the SRO for the customer, the SRIE for the provider,
    each only for their own organisation (core.policy rule 5)."""
    side = access.lead_side()
    if side == Side.CUSTOMER:
        return Role.SRO
    if side == Side.PROVIDER:
        return Role.SRIE
    return None


@transaction.atomic
def charter_sign(*, access: Access, version: CharterVersion, expected_version: int) -> CharterVersion:
    """The SRO or the SRIE signs the text they read; the second signature agrees the version.

    Signing names the lock version the signer read, so that a text changed
    while they read it is never signed unseen (EditConflict).
    """
    access.require(Perm.CONTRIBUTE)
    role = signing_role(access)
    if role is None:
        raise PermissionDenied("Only the SRO and the SRIE sign the charter.")
    if version.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    current = CharterVersion.objects.select_for_update().get(pk=version.pk)
    if current.version != expected_version:
        raise EditConflict(current, [])
    if current.status != VersionStatus.DRAFT:
        raise ValidationError("This version is no longer a draft: only the latest draft can be signed.")
    now = timezone.now()
    if role == Role.SRO:
        if current.sro_signed_at is not None:
            return current
        current.sro_signed_by, current.sro_signed_at = access.user, now
    else:
        if current.srie_signed_at is not None:
            return current
        current.srie_signed_by, current.srie_signed_at = access.user, now
    current.version += 1
    if current.sro_signed_at and current.srie_signed_at:
        require_two_parties(
            access.arrangement, customer_half=current.sro_signed_by, provider_half=current.srie_signed_by
        )
        current.status = VersionStatus.AGREED
        current.agreed_at = now
        for older in CharterVersion.objects.filter(charter_id=current.charter_id, status=VersionStatus.AGREED).exclude(
            pk=current.pk
        ):
            older.status = VersionStatus.SUPERSEDED
            _stamp(older, access)
            older.save(update_fields=["status", "updated_at"])
    _stamp(current, access)
    current.save()
    return current


def charter_set_review_date(
    *, access: Access, charter: Charter, expected_version: int, review_date: date | None
) -> Charter:
    """Set when the charter is next reviewed (EditConflict on a stale save)."""
    access.require(Perm.CONTRIBUTE)
    if charter.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    charter.review_date = review_date
    _stamp(charter, access)
    return save_versioned(charter, expected_version=expected_version, fields=["review_date"])


@transaction.atomic
def charter_comment_add(*, access: Access, version: CharterVersion, text: str) -> CharterComment:
    """A comment in a version's discussion, from either side."""
    access.require(Perm.CONTRIBUTE)
    if version.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    comment = CharterComment(version=version, author=access.user, text=text.strip())
    comment.full_clean()
    _stamp(comment, access)
    comment.save()
    return comment


# -- workshops -----------------------------------------------------------------------


def _check_attendees(access: Access, attendees: list[Any]) -> None:
    """Attendees are members; the workshop is joint, so both sides are there."""
    ids = [u.pk for u in attendees]
    sides = dict(
        Membership.objects.filter(arrangement=access.arrangement, user_id__in=ids, is_active=True).values_list(
            "user_id", "side"
        )
    )
    if len(sides) != len(set(ids)):
        raise ValidationError({"attendees": "Every attendee must be a member of this arrangement."})
    if not {Side.CUSTOMER, Side.PROVIDER} <= set(sides.values()):
        raise ValidationError({"attendees": "Choose attendees from both the customer and the provider side."})


@transaction.atomic
def workshop_create(
    *,
    access: Access,
    title: str,
    held_on: date,
    attendees: list[Any],
    kind: str = "charter_workshop",
    facilitator: str = "",
    other_attendees: str = "",
    outputs: str = "",
) -> Workshop:
    """Record a charter workshop or a follow-up meeting, with who came from each side."""
    access.require(Perm.CONTRIBUTE)
    _check_attendees(access, attendees)
    workshop = Workshop(
        arrangement=access.arrangement,
        kind=kind,
        title=title.strip(),
        held_on=held_on,
        facilitator=facilitator.strip(),
        other_attendees=other_attendees.strip(),
        outputs=outputs.strip(),
        created_by=access.user,
    )
    workshop.full_clean()
    _stamp(workshop, access)
    workshop.save()
    workshop.attendees.set(attendees)
    return workshop


@transaction.atomic
def workshop_update(*, access: Access, workshop: Workshop, expected_version: int, changes: dict[str, Any]) -> Workshop:
    """Edit a workshop's record; a save based on an old version is refused (EditConflict)."""
    access.require(Perm.CONTRIBUTE)
    if workshop.arrangement_id != access.arrangement.pk:
        raise PermissionDenied
    attendees = changes.pop("attendees", None)
    for name, value in changes.items():
        if name not in WORKSHOP_FIELDS:
            raise ValidationError(f"Cannot change {name}.")
        setattr(workshop, name, value.strip() if isinstance(value, str) else value)
    if attendees is not None:
        _check_attendees(access, list(attendees))
    _stamp(workshop, access)
    save_versioned(workshop, expected_version=expected_version, fields=list(WORKSHOP_FIELDS))
    if attendees is not None:
        workshop.attendees.set(attendees)
    return workshop
