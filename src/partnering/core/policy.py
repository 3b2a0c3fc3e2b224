"""The one access policy: every read and write of arrangement data passes here.

Pages and the API both call these functions. The rules, in order:

1. Membership. A person who is not an active member of an arrangement gets a
   404 for it and everything in it, exactly as if it did not exist, so that
   nothing leaks its existence.
2. Role. Members may read; what they may change depends on their roles
   (`PERMISSIONS`). Observers only read. A member without the right role
   gets 403.
3. Side and record visibility. Records marked customer-only or provider-only
   are seen only by that side; the partnering facilitator (neutral) sees
   shared records only.
4. Openness. The arrangement's agreed degree of openness decides which
   side's private material the other side may see (`side_sees`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from partnering.core.audit import set_actor
from partnering.core.choices import OpenBook, Role, Side, Visibility
from partnering.core.prepared import Prepared

if TYPE_CHECKING:
    from partnering.arrangements.models import Arrangement, Membership, OpennessProfile


class Perm(StrEnum):
    VIEW = "view"
    CONTRIBUTE = "contribute"  # add and edit shared records: risks, concerns, answers, comments
    EDIT_ARRANGEMENT = "edit_arrangement"
    CHANGE_STAGE = "change_stage"
    MANAGE_MEMBERS = "manage_members"
    PROPOSE_OPENNESS = "propose_openness"
    AGREE_OPENNESS = "agree_openness"
    AGREE_OUTCOMES = "agree_outcomes"
    MANAGE_ASSESSMENTS = "manage_assessments"
    LEAD_SIDE = "lead_side"  # submit a side's agreed answers


_ALL_WRITERS = frozenset(r for r in Role if r != Role.OBSERVER)
_LEADERS = frozenset({Role.SRO, Role.SRIE})
_MANAGERS = _LEADERS | {Role.RELATIONSHIP_MANAGER}

#: Which roles grant each permission. VIEW needs only membership.
PERMISSIONS: dict[Perm, frozenset[str]] = {
    Perm.CONTRIBUTE: _ALL_WRITERS,
    Perm.EDIT_ARRANGEMENT: _MANAGERS | {Role.CONTRACT_MANAGER},
    Perm.CHANGE_STAGE: frozenset({Role.SRO}),
    Perm.MANAGE_MEMBERS: _MANAGERS,
    Perm.PROPOSE_OPENNESS: _LEADERS,
    Perm.AGREE_OPENNESS: _LEADERS,
    Perm.AGREE_OUTCOMES: _LEADERS,
    Perm.MANAGE_ASSESSMENTS: _MANAGERS | {Role.FACILITATOR, Role.CONTRACT_MANAGER},
    Perm.LEAD_SIDE: _LEADERS,
}


def grants(roles: frozenset[str], perm: Perm) -> bool:
    """Rule 2: whether these roles grant `perm` (VIEW needs only membership)."""
    return perm == Perm.VIEW or bool(roles & PERMISSIONS[perm])


@dataclass(frozen=True)
class Access:
    """What one signed-in person may do in one arrangement."""

    user: Any
    arrangement: Arrangement
    membership: Membership
    side: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def has(self, perm: Perm) -> bool:
        # Whoever's access is checked is the one about to act: attribute the
        # audit trail to them (see core.audit.set_actor).
        set_actor(self.user)
        return grants(self.roles, perm)

    def require(self, perm: Perm) -> Access:
        if not self.has(perm):
            raise PermissionDenied(f"Your roles in this arrangement do not allow this ({perm.value}).")
        return self

    @property
    def is_read_only(self) -> bool:
        return not self.has(Perm.CONTRIBUTE)

    @property
    def is_customer(self) -> bool:
        return self.side == Side.CUSTOMER

    @property
    def is_provider(self) -> bool:
        return self.side == Side.PROVIDER

    @property
    def is_neutral(self) -> bool:
        return self.side == Side.NEUTRAL

    @property
    def openness(self) -> OpennessProfile:
        return self.arrangement.openness

    # -- record visibility -------------------------------------------------

    def can_see(self, visibility: str) -> bool:
        """Rule 3: shared records for everyone, private ones for their side only."""
        if visibility == Visibility.SHARED:
            return True
        return visibility == self.side

    def visible_q(self, prefix: str = "") -> Q:
        """The same rule as a filter, for querysets (no ids loaded into Python)."""
        allowed = [Visibility.SHARED]
        if self.side in (Side.CUSTOMER, Side.PROVIDER):
            allowed.append(self.side)
        return Q(**{f"{prefix}visibility__in": allowed})

    def can_manage_side(self, side: str) -> bool:
        """The SRO manages both sides' members (the customer convenes the
        arrangement); everyone else with MANAGE_MEMBERS manages their own side."""
        if not self.has(Perm.MANAGE_MEMBERS):
            return False
        return Role.SRO in self.roles or side == self.side

    # -- openness ----------------------------------------------------------

    def sees_book_of(self, side: str) -> bool:
        """Open-book accounting: whose book this member may read."""
        if side == self.side:
            return True
        if self.is_neutral:
            return False
        open_book = self.openness.open_book
        if open_book == OpenBook.BOTH:
            return True
        # "provider" means the provider's book is open to the customer.
        return open_book == side

    def sees_other_side_problems(self) -> bool:
        return bool(self.openness.problems_visible)


def _memberships_with_roles() -> QuerySet:
    from partnering.arrangements.models import Membership, RoleAssignment

    return Membership.objects.select_related(
        "arrangement", "arrangement__customer", "arrangement__provider", "arrangement__openness", "user"
    ).prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.filter(ended_at__isnull=True).only("id", "membership_id", "role"),
            to_attr="current_roles",
        )
    )


def access_for(*, user: Any, arrangement_slug: str, perm: Perm = Perm.VIEW) -> Access:
    """The gate every view passes: the member's access to an arrangement.

    Raises Http404 for anonymous people, non-members and unknown slugs alike;
    PermissionDenied when the member's roles do not grant `perm`.
    """
    if user is None or not user.is_authenticated:
        raise Http404("No such arrangement.")
    membership = _memberships_with_roles().filter(arrangement__slug=arrangement_slug, user=user, is_active=True).first()
    if membership is None:
        raise Http404("No such arrangement.")
    set_actor(user)
    access = Access(
        user=user,
        arrangement=membership.arrangement,
        membership=membership,
        side=membership.side,
        roles=frozenset(ra.role for ra in membership.current_roles),
    )
    return access.require(perm)


@dataclass(frozen=True)
class Standing:
    """A member's standing in an arrangement, read live, without loading the arrangement.

    What `core.pagecache` needs to decide, on every request, whether a page kept
    for this reader may be served: rules 1 and 2 (active membership, roles), the
    side, the openness in force (rule 4) and the arrangement's write counter. It
    costs two light queries where `access_for` costs two heavy ones (the
    arrangement, both organisations and the openness, built into objects).
    """

    membership_id: int
    arrangement_id: int
    side: str
    roles: frozenset[str]
    openness: tuple[Any, ...]
    writes: int

    def has(self, perm: Perm) -> bool:
        return grants(self.roles, perm)


def _standing_query(stand: Any) -> QuerySet:
    from django.db.models import FilteredRelation, Subquery

    from partnering.arrangements.models import Membership, OpennessProfile
    from partnering.portfolio.models import Activity

    writes = Activity.objects.filter(arrangement=OuterRef("arrangement_id")).values("writes")[:1]
    current = FilteredRelation("role_assignments", condition=Q(role_assignments__ended_at__isnull=True))
    return (
        Membership.objects.filter(arrangement__slug=stand.str("slug"), user_id=stand.int("user"), is_active=True)
        .annotate(writes=Subquery(writes), current=current)
        .order_by()
        .values_list(
            "pk",
            "arrangement_id",
            "side",
            "writes",
            "current__role",
            *(f"arrangement__openness__{name}" for name in OpennessProfile.SETTINGS),
        )
    )


#: Runs on every request for a kept page: compiled once (see core.prepared).
_STANDING = Prepared(_standing_query)


def standing_for(*, user: Any, arrangement_slug: str) -> Standing | None:
    """The person's standing in the arrangement, or None for anyone who is not an active member
    (who must then go through `access_for`, which refuses them). One query, one row per
    current role."""
    if user is None or not user.is_authenticated:
        return None
    rows = _STANDING.rows(slug=arrangement_slug, user=user.pk)
    if not rows:
        return None
    membership_id, arrangement_id, side, counted, _role, *settings = rows[0]
    roles = frozenset(row[4] for row in rows if row[4])
    return Standing(membership_id, arrangement_id, side, roles, tuple(settings), counted or 0)


def member_q(user: Any, prefix: str = "") -> Q:
    """Filter for rows whose arrangement has `user` as an active member.

    An EXISTS subquery on membership, never a list of ids, so it stays one
    query whatever the number of arrangements.
    """
    from partnering.arrangements.models import Membership

    ref = f"{prefix}pk" if prefix else "pk"
    member = Membership.objects.filter(arrangement=OuterRef(ref), user=user, is_active=True)
    return Q(Exists(member))


def arrangements_for(user: Any) -> QuerySet:
    """Every arrangement the person is an active member of."""
    from partnering.arrangements.models import Arrangement

    if user is None or not user.is_authenticated:
        return Arrangement.objects.none()
    return Arrangement.objects.filter(member_q(user))


def can_create_arrangement(user: Any) -> bool:
    """Arrangements are convened by the customer: a member of a customer organisation."""
    org = getattr(user, "organisation", None)
    return bool(user.is_authenticated and org is not None and org.kind == Side.CUSTOMER)
