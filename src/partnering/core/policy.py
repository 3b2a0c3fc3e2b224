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
5. Sovereign sides. Each organisation owns its people and its half of every
   agreement: only a side's own managers, people of that side's organisation,
   add, change or remove that side's members (`can_manage_side`); the neutral
   side is added only with both leads' agreement; a "both sides agree" decision
   is complete only when its two halves come from the two leads, each a member
   of the organisation of their side (`lead_side`, `require_two_parties`).
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

    @property
    def of_own_organisation(self) -> bool:
        """Rule 5: whether this member belongs to the organisation of their side.

        Always true of members added through the services; checked again here so
        that no stray membership (a person moved to another organisation, say)
        can act for a side that is not their organisation's."""
        return side_organisation_id(self.arrangement, self.side) == getattr(self.user, "organisation_id", None)

    def can_manage_side(self, side: str) -> bool:
        """Rule 5: a side's members are managed by that side's own managers only.

        Nobody manages the neutral side directly: a facilitator joins with both
        leads' agreement (`arrangements.services.facilitator_propose`)."""
        if not self.has(Perm.MANAGE_MEMBERS):
            return False
        return side == self.side and side in (Side.CUSTOMER, Side.PROVIDER) and self.of_own_organisation

    def lead_side(self) -> str | None:
        """Rule 5: the side this member leads (the SRO the customer's, the SRIE the
        provider's), or None. A lead acts for their side only while they are a
        member of that side's organisation."""
        role = SIDE_LEADS.get(self.side)
        if role is None or role not in self.roles or not self.of_own_organisation:
            return None
        return self.side

    def require_lead(self) -> str:
        side = self.lead_side()
        if side is None:
            raise PermissionDenied("Only the SRO, for the customer, and the SRIE, for the provider, can do this.")
        set_actor(self.user)
        return side

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


#: Who leads each side (the guide's SRO and SRIE).
SIDE_LEADS: dict[str, str] = {Side.CUSTOMER: Role.SRO, Side.PROVIDER: Role.SRIE}


def side_organisation_id(arrangement: Arrangement, side: str) -> int | None:
    """The organisation whose people make up `side` (None for the neutral side)."""
    if side == Side.CUSTOMER:
        return arrangement.customer_id
    if side == Side.PROVIDER:
        return arrangement.provider_id
    return None


def require_two_parties(arrangement: Arrangement, *, customer_half: Any, provider_half: Any) -> None:
    """Rule 5, at the moment a two-party agreement completes: the customer's half was
    given by a person of the customer organisation and the provider's half by a
    person of the provider organisation, two different organisations. A role changed
    between the proposal and the agreement cannot let one organisation give both."""
    customer_org = getattr(customer_half, "organisation_id", None)
    provider_org = getattr(provider_half, "organisation_id", None)
    if (
        customer_org is None
        or provider_org is None
        or customer_org != arrangement.customer_id
        or provider_org != arrangement.provider_id
        or customer_org == provider_org
    ):
        raise PermissionDenied(
            "This agreement needs both organisations: the customer's SRO and the provider's SRIE, "
            "each for their own organisation."
        )


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
