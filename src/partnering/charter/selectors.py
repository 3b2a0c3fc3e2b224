"""Reads of the partnering charter, always through the access policy.

The charter is shared by both sides: every member of the arrangement reads
every version, its signatures and its discussion; nobody else learns it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from partnering.charter.models import Charter, CharterComment, CharterVersion, VersionStatus, Workshop
from partnering.core.policy import Access


def charter_of(*, access: Access) -> Charter | None:
    return Charter.objects.filter(arrangement=access.arrangement).first()


def versions(*, access: Access) -> QuerySet[CharterVersion]:
    """Every version, newest first, with who signed it and how many comments it has."""
    return (
        CharterVersion.objects.filter(arrangement=access.arrangement)
        .select_related("sro_signed_by", "srie_signed_by", "created_by")
        .annotate(comment_count=Count("comments"))
        .order_by("-number")
    )


@dataclass
class CharterState:
    charter: Charter | None
    versions: list[CharterVersion]

    @property
    def latest(self) -> CharterVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def agreed(self) -> CharterVersion | None:
        """The version in force: the latest agreed one."""
        return next((v for v in self.versions if v.status == VersionStatus.AGREED), None)

    @property
    def draft(self) -> CharterVersion | None:
        latest = self.latest
        return latest if latest is not None and latest.status == VersionStatus.DRAFT else None


def charter_state(*, access: Access) -> CharterState:
    """The charter and all its versions: two queries."""
    return CharterState(charter=charter_of(access=access), versions=list(versions(access=access)))


def version_get(*, access: Access, version_uuid: Any) -> CharterVersion:
    """One version of this arrangement's charter; otherwise 404, as if it did not exist."""
    return get_object_or_404(
        CharterVersion.objects.select_related("sro_signed_by", "srie_signed_by", "created_by", "charter"),
        arrangement=access.arrangement,
        uuid=version_uuid,
    )


def version_by_number(*, access: Access, number: Any) -> CharterVersion | None:
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    return CharterVersion.objects.filter(arrangement=access.arrangement, number=number).first()


def comments(*, version: CharterVersion) -> QuerySet[CharterComment]:
    return version.comments.select_related("author").order_by("created_at", "id")


def workshops(*, access: Access) -> QuerySet[Workshop]:
    """Workshops, newest first, with their attendees (one prefetch query)."""
    return (
        Workshop.objects.filter(arrangement=access.arrangement)
        .prefetch_related("attendees__memberships")
        .order_by("-held_on", "-id")
    )


def workshop_get(*, access: Access, workshop_uuid: Any) -> Workshop:
    return get_object_or_404(Workshop.objects.filter(arrangement=access.arrangement), uuid=workshop_uuid)


def attendees_by_side(*, access: Access, workshop: Workshop) -> dict[str, list[Any]]:
    """A workshop's attendees grouped by their side in this arrangement."""
    out: dict[str, list[Any]] = {}
    for user in workshop.attendees.all():
        side = next((m.side for m in user.memberships.all() if m.arrangement_id == access.arrangement.pk), "")
        out.setdefault(side, []).append(user)
    return out


@dataclass
class VersionChange:
    when: Any
    actor: str
    action: str


def version_history(*, version: CharterVersion) -> list[VersionChange]:
    """Who created, edited and signed a version, newest first, from the audit trail (one query)."""
    rows = list(version.history.order_by("history_date", "history_id"))  # type: ignore[attr-defined]
    out = []
    before = None
    for row in rows:
        if before is None:
            action = "Created"
        elif row.sro_signed_at and not before.sro_signed_at:
            action = "Signed by the SRO"
        elif row.srie_signed_at and not before.srie_signed_at:
            action = "Signed by the SRIE"
        elif row.status != before.status:
            action = f"Marked {row.get_status_display().lower()}"
        else:
            action = "Text changed" + (" (signatures cleared)" if before.sro_signed_at or before.srie_signed_at else "")
        if row.status == VersionStatus.AGREED and before is not None and before.status != VersionStatus.AGREED:
            action += "; agreed by both"
        out.append(VersionChange(when=row.history_date, actor=row.history_actor or "System", action=action))
        before = row
    out.reverse()
    return out
