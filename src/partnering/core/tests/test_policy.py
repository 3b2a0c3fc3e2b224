"""The one access policy: roles, sides, openness and the membership gate."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from partnering.actions.models import Action
from partnering.core.choices import OpenBook, Role, Side, Visibility
from partnering.core.policy import PERMISSIONS, Access, Perm, access_for, arrangements_for
from partnering.testing import add_member

R = Role
#: The policy as the guide reads, written out by hand so that a change to
#: `PERMISSIONS` has to be made here too, on purpose.
EXPECTED_ROLES: dict[Perm, set[str]] = {
    Perm.CONTRIBUTE: set(Role) - {R.OBSERVER},
    Perm.EDIT_ARRANGEMENT: {R.SRO, R.SRIE, R.RELATIONSHIP_MANAGER, R.CONTRACT_MANAGER},
    Perm.CHANGE_STAGE: {R.SRO},
    Perm.MANAGE_MEMBERS: {R.SRO, R.SRIE, R.RELATIONSHIP_MANAGER},
    Perm.PROPOSE_OPENNESS: {R.SRO, R.SRIE},
    Perm.AGREE_OPENNESS: {R.SRO, R.SRIE},
    Perm.AGREE_OUTCOMES: {R.SRO, R.SRIE},
    Perm.MANAGE_ASSESSMENTS: {R.SRO, R.SRIE, R.RELATIONSHIP_MANAGER, R.FACILITATOR, R.CONTRACT_MANAGER},
    Perm.LEAD_SIDE: {R.SRO, R.SRIE},
}


CUSTOMER_ORG, PROVIDER_ORG, NEUTRAL_ORG = 1, 2, 3
SIDE_ORG = {Side.CUSTOMER: CUSTOMER_ORG, Side.PROVIDER: PROVIDER_ORG, Side.NEUTRAL: NEUTRAL_ORG}


def _access(
    side: str = Side.CUSTOMER, *roles: str, open_book: str = OpenBook.BOTH, organisation: int | None = None
) -> Access:
    arrangement = SimpleNamespace(
        openness=SimpleNamespace(open_book=open_book, problems_visible=True),
        customer_id=CUSTOMER_ORG,
        provider_id=PROVIDER_ORG,
    )
    user = SimpleNamespace(organisation_id=SIDE_ORG[side] if organisation is None else organisation)
    return Access(user=user, arrangement=arrangement, membership=None, side=side, roles=frozenset(roles))


def test_every_permission_is_in_the_table():
    assert set(PERMISSIONS) == set(Perm) - {Perm.VIEW}
    assert set(EXPECTED_ROLES) == set(PERMISSIONS)


@pytest.mark.parametrize("perm", list(Perm))
@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_permissions(role, perm):
    access = _access(Side.NEUTRAL, role)

    expected = perm == Perm.VIEW or role in EXPECTED_ROLES[perm]

    assert access.has(perm) is expected


def test_observers_only_read():
    access = _access(Side.CUSTOMER, Role.OBSERVER)

    assert access.is_read_only
    assert [p for p in Perm if access.has(p)] == [Perm.VIEW]
    with pytest.raises(PermissionDenied):
        access.require(Perm.CONTRIBUTE)


def test_roles_add_up():
    access = _access(Side.CUSTOMER, Role.CONTRACT_MANAGER, Role.BOARD_MEMBER)

    assert access.has(Perm.EDIT_ARRANGEMENT)
    assert not access.has(Perm.MANAGE_MEMBERS)
    assert access.require(Perm.CONTRIBUTE) is access


@pytest.mark.parametrize(
    ("side", "visible"),
    [
        (Side.CUSTOMER, {Visibility.SHARED, Visibility.CUSTOMER_ONLY}),
        (Side.PROVIDER, {Visibility.SHARED, Visibility.PROVIDER_ONLY}),
        (Side.NEUTRAL, {Visibility.SHARED}),
    ],
)
def test_each_side_sees_shared_records_and_its_own(side, visible):
    access = _access(side, Role.OBSERVER)

    assert {v for v in Visibility if access.can_see(v)} == visible


@pytest.mark.parametrize(
    ("user", "titles"),
    [
        ("alice", {"Shared", "Customer only"}),
        ("bob", {"Shared", "Provider only"}),
        ("fran", {"Shared"}),
    ],
)
def test_visible_q_filters_like_can_see(world, user, titles):
    for title, visibility in [
        ("Shared", Visibility.SHARED),
        ("Customer only", Visibility.CUSTOMER_ONLY),
        ("Provider only", Visibility.PROVIDER_ONLY),
    ]:
        Action.objects.create(arrangement=world.arrangement, title=title, visibility=visibility)
    access = world.access(getattr(world, user))

    found = set(Action.objects.filter(access.visible_q()).values_list("title", flat=True))

    assert found == titles
    assert all(
        access.can_see(v) for v in Action.objects.filter(access.visible_q()).values_list("visibility", flat=True)
    )


@pytest.mark.parametrize(
    ("side", "roles", "manages"),
    [
        (Side.CUSTOMER, [Role.SRO], {Side.CUSTOMER}),
        (Side.PROVIDER, [Role.SRIE], {Side.PROVIDER}),
        (Side.CUSTOMER, [Role.RELATIONSHIP_MANAGER], {Side.CUSTOMER}),
        (Side.PROVIDER, [Role.RELATIONSHIP_MANAGER], {Side.PROVIDER}),
        (Side.CUSTOMER, [Role.CONTRACT_MANAGER], set()),
        (Side.NEUTRAL, [Role.FACILITATOR], set()),
        (Side.CUSTOMER, [Role.OBSERVER], set()),
    ],
)
def test_each_side_is_managed_by_its_own_managers_only(side, roles, manages):
    access = _access(side, *roles)

    assert {s for s in Side if access.can_manage_side(s)} == manages


@pytest.mark.parametrize(("side", "role"), [(Side.CUSTOMER, Role.SRO), (Side.PROVIDER, Role.SRIE)])
def test_a_manager_of_another_organisation_manages_no_side(side, role):
    """A stray membership (a person now of the other organisation) acts for no side."""
    other = PROVIDER_ORG if side == Side.CUSTOMER else CUSTOMER_ORG
    access = _access(side, role, Role.RELATIONSHIP_MANAGER, organisation=other)

    assert not any(access.can_manage_side(s) for s in Side)
    assert access.lead_side() is None


@pytest.mark.parametrize(
    ("side", "roles", "leads"),
    [
        (Side.CUSTOMER, [Role.SRO], Side.CUSTOMER),
        (Side.PROVIDER, [Role.SRIE], Side.PROVIDER),
        (Side.CUSTOMER, [Role.RELATIONSHIP_MANAGER], None),
        (Side.PROVIDER, [Role.RELATIONSHIP_MANAGER, Role.BOARD_MEMBER], None),
        (Side.NEUTRAL, [Role.FACILITATOR], None),
    ],
)
def test_only_the_sro_and_the_srie_lead_a_side(side, roles, leads):
    assert _access(side, *roles).lead_side() == leads


@pytest.mark.parametrize(
    ("customer_half", "provider_half", "agreed"),
    [
        (CUSTOMER_ORG, PROVIDER_ORG, True),
        (CUSTOMER_ORG, CUSTOMER_ORG, False),
        (PROVIDER_ORG, PROVIDER_ORG, False),
        (PROVIDER_ORG, CUSTOMER_ORG, False),
        (NEUTRAL_ORG, PROVIDER_ORG, False),
        (CUSTOMER_ORG, None, False),
    ],
)
def test_a_two_party_agreement_needs_both_organisations(customer_half, provider_half, agreed):
    from django.core.exceptions import PermissionDenied

    from partnering.core.policy import require_two_parties

    arrangement = SimpleNamespace(customer_id=CUSTOMER_ORG, provider_id=PROVIDER_ORG)
    halves = {
        "customer_half": SimpleNamespace(organisation_id=customer_half),
        "provider_half": None if provider_half is None else SimpleNamespace(organisation_id=provider_half),
    }
    if agreed:
        require_two_parties(arrangement, **halves)
    else:
        with pytest.raises(PermissionDenied):
            require_two_parties(arrangement, **halves)


# Whose book each side reads, for each open-book setting.
BOOKS = {
    OpenBook.NONE: {Side.CUSTOMER: {Side.CUSTOMER}, Side.PROVIDER: {Side.PROVIDER}},
    OpenBook.PROVIDER_ONLY: {Side.CUSTOMER: {Side.CUSTOMER, Side.PROVIDER}, Side.PROVIDER: {Side.PROVIDER}},
    OpenBook.CUSTOMER_ONLY: {Side.CUSTOMER: {Side.CUSTOMER}, Side.PROVIDER: {Side.CUSTOMER, Side.PROVIDER}},
    OpenBook.BOTH: {Side.CUSTOMER: {Side.CUSTOMER, Side.PROVIDER}, Side.PROVIDER: {Side.CUSTOMER, Side.PROVIDER}},
}


@pytest.mark.parametrize("open_book", list(OpenBook))
@pytest.mark.parametrize("side", [Side.CUSTOMER, Side.PROVIDER])
def test_open_book_setting_decides_whose_book_each_side_reads(open_book, side):
    access = _access(side, Role.OBSERVER, open_book=open_book)

    read = {s for s in (Side.CUSTOMER, Side.PROVIDER) if access.sees_book_of(s)}

    assert read == BOOKS[open_book][side]


@pytest.mark.parametrize("open_book", list(OpenBook))
def test_the_facilitator_reads_neither_book(open_book):
    access = _access(Side.NEUTRAL, Role.FACILITATOR, open_book=open_book)

    assert not access.sees_book_of(Side.CUSTOMER)
    assert not access.sees_book_of(Side.PROVIDER)


# -- access_for: the gate --------------------------------------------------------


def test_access_for_gives_a_member_their_side_and_roles(world):
    access = access_for(user=world.alice, arrangement_slug=world.arrangement.slug)

    assert access.arrangement == world.arrangement
    assert access.side == Side.CUSTOMER
    assert access.roles == {Role.SRO}


def test_access_for_ignores_roles_that_have_ended(world):
    from django.utils import timezone

    world.arrangement.role_assignments.filter(membership__user=world.alice).update(ended_at=timezone.now())

    access = access_for(user=world.alice, arrangement_slug=world.arrangement.slug)

    assert access.roles == frozenset()
    assert access.is_read_only


@pytest.mark.parametrize("who", ["anonymous", "nobody", "charlie"])
def test_access_for_hides_the_arrangement_from_non_members(world, who):
    user = {"anonymous": AnonymousUser(), "nobody": None, "charlie": world.charlie}[who]

    with pytest.raises(Http404):
        access_for(user=user, arrangement_slug=world.arrangement.slug)


def test_access_for_answers_an_unknown_slug_the_same_way(world):
    with pytest.raises(Http404) as unknown:
        access_for(user=world.alice, arrangement_slug="no-such-arrangement")
    with pytest.raises(Http404) as forbidden:
        access_for(user=world.charlie, arrangement_slug=world.arrangement.slug)

    assert str(unknown.value) == str(forbidden.value)


def test_access_for_hides_the_arrangement_from_people_who_left(world):
    world.arrangement.memberships.filter(user=world.carol).update(is_active=False)

    with pytest.raises(Http404):
        access_for(user=world.carol, arrangement_slug=world.arrangement.slug)


def test_access_for_refuses_a_missing_permission(world):
    with pytest.raises(PermissionDenied):
        access_for(user=world.dave, arrangement_slug=world.arrangement.slug, perm=Perm.EDIT_ARRANGEMENT)


def test_access_for_grants_a_permission_the_roles_hold(world):
    access = access_for(user=world.alice, arrangement_slug=world.arrangement.slug, perm=Perm.CHANGE_STAGE)

    assert access.has(Perm.CHANGE_STAGE)


@pytest.mark.parametrize("extra_roles", [0, 3])
def test_access_for_takes_two_queries_whatever_the_roles(world, django_assert_num_queries, extra_roles):
    if extra_roles:
        membership = world.arrangement.memberships.get(user=world.carol)
        from django.utils import timezone

        for role in [Role.CONTRACT_MANAGER, Role.BOARD_MEMBER, Role.SERVICE_DELIVERY_MANAGER][:extra_roles]:
            membership.role_assignments.create(arrangement=world.arrangement, role=role, started_at=timezone.now())

    # 1. the membership with its arrangement, organisations, openness and user
    # 2. the membership's current roles
    with django_assert_num_queries(2):
        access = access_for(user=world.carol, arrangement_slug=world.arrangement.slug)
        assert access.openness.open_book
        assert access.arrangement.customer.name and access.arrangement.provider.name

    assert len(access.roles) == 1 + extra_roles


# -- arrangements_for ------------------------------------------------------------


def test_arrangements_for_lists_only_active_memberships(world):
    assert list(arrangements_for(world.alice)) == [world.arrangement]
    assert list(arrangements_for(world.charlie)) == [world.other_arrangement]
    assert list(arrangements_for(AnonymousUser())) == []

    world.arrangement.memberships.filter(user=world.alice).update(is_active=False)

    assert list(arrangements_for(world.alice)) == []


def test_arrangements_for_takes_one_query_for_many_arrangements(world, django_assert_num_queries):
    from partnering.testing import ArrangementFactory

    for n in range(5):
        add_member(ArrangementFactory(title=f"More {n}"), world.bob, Side.PROVIDER, Role.RELATIONSHIP_MANAGER)

    with django_assert_num_queries(1):
        assert len(list(arrangements_for(world.bob))) == 6
