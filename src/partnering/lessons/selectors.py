"""Reads of lessons learned, always through the access policy.

Who may read a lesson (`lessons_readable_q`), in one WHERE clause of EXISTS
subqueries, never a list of ids:

1. a member of the lesson's arrangement, when the lesson is shared or private
   to the member's side (the policy's rule 3); or
2. once the lesson is published, a member of any arrangement where the
   organisation of one of its author sides (the customer's, the provider's, or
   both for a joint lesson) is the customer or the provider; a lesson private
   to a side reaches only that organisation's own side there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404

from partnering.arrangements.models import Membership
from partnering.core.choices import Side, Stage, Visibility
from partnering.core.policy import Access
from partnering.lessons import search
from partnering.lessons.models import Authorship, Lesson, Source

SUGGESTION_LIMIT = 5


def _member_of_lesson_arrangement(user: Any) -> Q:
    member = Membership.objects.filter(arrangement=OuterRef("arrangement_id"), user=user, is_active=True)
    same_side = member.filter(side=OuterRef("visibility"))
    return (Q(visibility=Visibility.SHARED) & Exists(member)) | Exists(same_side)


def _reaches_library_of(user: Any, org: OuterRef) -> Q:
    """The person works in an arrangement of `org` (a private lesson: on that organisation's side)."""
    mine = Membership.objects.filter(user=user, is_active=True)
    anyone = mine.filter(Q(arrangement__customer_id=org) | Q(arrangement__provider_id=org))
    own_side = mine.filter(
        Q(arrangement__customer_id=org, side=Side.CUSTOMER) | Q(arrangement__provider_id=org, side=Side.PROVIDER)
    )
    return (Q(visibility=Visibility.SHARED) & Exists(anyone)) | (~Q(visibility=Visibility.SHARED) & Exists(own_side))


def _reached_by_publication(user: Any) -> Q:
    """Published lessons reach the libraries of their authors' organisations, and only those."""
    by_customer = Q(author_side__in=[Authorship.CUSTOMER, Authorship.JOINT]) & _reaches_library_of(
        user, OuterRef("arrangement__customer_id")
    )
    by_provider = Q(author_side__in=[Authorship.PROVIDER, Authorship.JOINT]) & _reaches_library_of(
        user, OuterRef("arrangement__provider_id")
    )
    return Q(published_at__isnull=False) & (by_customer | by_provider)


def lessons_readable_q(user: Any) -> Q:
    return _member_of_lesson_arrangement(user) | _reached_by_publication(user)


def lessons_readable(*, user: Any) -> QuerySet[Lesson]:
    """Every lesson the person may read, in any arrangement."""
    if user is None or not user.is_authenticated:
        return Lesson.objects.none()
    return Lesson.objects.filter(lessons_readable_q(user))


def lessons_visible(*, access: Access) -> QuerySet[Lesson]:
    """The lessons of this arrangement the member's side may see."""
    return Lesson.objects.filter(arrangement=access.arrangement).filter(access.visible_q())


@dataclass
class LessonFilters:
    q: str = ""
    stage: str = ""
    source: str = ""
    tag: str = ""
    published: bool = False

    @classmethod
    def from_query(cls, query: QueryDict | dict[str, str]) -> LessonFilters:
        def pick(name: str, allowed: Iterable[str]) -> str:
            value = (query.get(name) or "").strip()
            return value if value in allowed else ""

        tag = search.normalise(query.get("tag") or "").replace(",", " ")[:60].strip()
        return cls(
            q=(query.get("q") or "").strip()[:200],
            stage=pick("stage", Stage.values),
            source=pick("source", Source.values),
            tag=tag,
            published=(query.get("published") or "") in {"1", "on", "yes", "true"},
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.stage or self.source or self.tag or self.published)

    def as_query(self, **override: Any) -> str:
        values = {
            "q": self.q,
            "stage": self.stage,
            "source": self.source,
            "tag": self.tag,
            "published": "1" if self.published else "",
        } | override
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if value:
                query[key] = value
        return query.urlencode()


def tag_q(tag: str) -> Q:
    """One tag of the normalised "a, b, c" list, matched whole."""
    return Q(tags=tag) | Q(tags__startswith=f"{tag}, ") | Q(tags__endswith=f", {tag}") | Q(tags__contains=f", {tag}, ")


def _filtered(qs: QuerySet[Lesson], filters: LessonFilters) -> QuerySet[Lesson]:
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.tag:
        qs = qs.filter(tag_q(filters.tag))
    if filters.published:
        qs = qs.filter(published_at__isnull=False)
    qs, ranked = search.apply(qs, filters.q)
    qs = qs.select_related("arrangement", "arrangement__customer", "arrangement__provider", "created_by")
    return qs if ranked else qs.order_by("-created_at", "-id")


def lessons_search(*, user: Any, query: str = "", filters: LessonFilters | None = None) -> QuerySet[Lesson]:
    """Search every lesson the person may read, across arrangements.

    One query for a page of results (two with the paginator's count) whatever
    the number of arrangements or lessons.
    """
    filters = filters or LessonFilters()
    if query:
        filters = LessonFilters(**{**filters.__dict__, "q": query})
    return _filtered(lessons_readable(user=user), filters)


def lessons_of_arrangement(*, access: Access, filters: LessonFilters | None = None) -> QuerySet[Lesson]:
    return _filtered(lessons_visible(access=access), filters or LessonFilters())


def lessons_suggested(
    *, access: Access, stages: Iterable[str] | None = None, limit: int = SUGGESTION_LIMIT
) -> list[Lesson]:
    """Lessons from the person's other arrangements for the stage this one has
    reached (or, when an assessment starts, for the stages of its bank).

    "Lessons learned stay learned, and are passed on to others": what was
    learned at this stage elsewhere is offered at the moment it applies. One query.
    """
    wanted = list(stages) if stages is not None else [access.arrangement.stage]
    if not wanted:
        return []
    qs = (
        lessons_readable(user=access.user)
        .exclude(arrangement=access.arrangement)
        .filter(stage__in=wanted)
        .select_related("arrangement", "arrangement__customer", "arrangement__provider")
        .order_by("-published_at", "-created_at", "-id")
    )
    return list(qs[:limit])


def lessons_suggested_for_bank(*, access: Access, bank: Any) -> list[Lesson]:
    """When an assessment starts: lessons for the stages its question bank covers."""
    stages = (getattr(bank, "spec", None) or {}).get("stages") or [access.arrangement.stage]
    return lessons_suggested(access=access, stages=stages)


def lesson_get(*, access: Access, lesson_uuid: Any) -> Lesson:
    """A lesson of this arrangement the member may see; otherwise 404."""
    return get_object_or_404(
        lessons_visible(access=access).select_related("created_by", "arrangement__customer", "arrangement__provider"),
        uuid=lesson_uuid,
    )


def lesson_read(*, user: Any, lesson_uuid: Any) -> Lesson:
    """Any lesson the person may read (their arrangements', or published to them); otherwise 404."""
    return get_object_or_404(
        lessons_readable(user=user).select_related(
            "arrangement", "created_by", "arrangement__customer", "arrangement__provider"
        ),
        uuid=lesson_uuid,
    )
