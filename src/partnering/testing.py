"""Factories for tests and benchmarks (factory_boy), and the standard test world.

Kept in the package so that tests of every app, the browser tests and the
benchmark data generator build records the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import factory
from django.db import transaction
from django.utils import timezone

from partnering.accounts.models import Organisation, OrganisationKind, User
from partnering.arrangements.models import Arrangement, Membership, OpennessProfile, RoleAssignment, new_slug
from partnering.core.choices import Role, Side, Stage
from partnering.core.policy import Access, access_for

PASSWORD = "correct-horse-battery"  # noqa: S105 - test accounts only
#: Tests hash passwords fast: Argon2 would spend most of a sign-in test in the hasher.
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.CUSTOMER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class ArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrangement
        skip_postgeneration_save = True  # the openness hook saves its own row

    title = factory.Sequence(lambda n: f"Arrangement {n}")
    slug = factory.LazyAttribute(lambda o: new_slug(o.title))
    customer = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.CUSTOMER)
    provider = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.PROVIDER)
    stage = Stage.IN_SERVICE

    @factory.post_generation
    def openness(obj: Arrangement, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            OpennessProfile.objects.create(arrangement=obj, **kwargs)


def add_member(arrangement: Arrangement, user: User, side: str, *roles: str) -> Membership:
    """Make `user` a member with `roles` (no e-mail, no policy: test set-up only)."""
    membership, _ = Membership.objects.get_or_create(arrangement=arrangement, user=user, defaults={"side": side})
    for role in roles:
        RoleAssignment.objects.create(
            arrangement=arrangement, membership=membership, role=role, started_at=timezone.now()
        )
    return membership


@contextmanager
def shared_for_the_module(django_db_blocker: Any) -> Iterator[None]:
    """Records built once for a whole test module, inside a transaction rolled back at its end.

    For set-ups that cost seconds (the route matrix's world, the demo): each test still runs in
    its own savepoint (pytest-django's `db`), so whatever a test writes is undone after it, and
    the shared records are gone after the module. Not for tests that commit (`transaction=True`).
    Passwords are hashed as in every other test (the root conftest's fast hasher), which is not
    in force yet when a module-wide fixture runs.
    """
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=TEST_PASSWORD_HASHERS):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def access(user: User, arrangement: Arrangement) -> Access:
    return access_for(user=user, arrangement_slug=arrangement.slug)


@dataclass
class World:
    arrangement: Arrangement
    other_arrangement: Arrangement
    customer: Organisation
    provider: Organisation
    alice: User  # customer SRO
    bob: User  # provider SRIE
    charlie: User  # outsider
    dave: User  # customer observer
    fran: User  # neutral facilitator
    carol: User  # customer relationship manager
    peter: User  # provider service delivery manager

    def access(self, user: User, arrangement: Arrangement | None = None) -> Access:
        return access(user, arrangement or self.arrangement)


def build_world() -> World:
    customer = OrganisationFactory(name="Northshire County Council", kind=OrganisationKind.CUSTOMER)
    provider = OrganisationFactory(name="Brightwave Digital", kind=OrganisationKind.PROVIDER)
    neutral = OrganisationFactory(name="Meridian Facilitation", kind=OrganisationKind.NEUTRAL)
    elsewhere = OrganisationFactory(name="Eastbridge Borough Council", kind=OrganisationKind.CUSTOMER)
    arrangement = ArrangementFactory(title="Digital services", customer=customer, provider=provider)
    other = ArrangementFactory(title="Eastbridge benefits", customer=elsewhere, provider=provider)
    alice = UserFactory(email="alice@northshire.example", full_name="Alice Adams", organisation=customer)
    carol = UserFactory(email="carol@northshire.example", full_name="Carol Chen", organisation=customer)
    dave = UserFactory(email="dave@northshire.example", full_name="Dave Davies", organisation=customer)
    bob = UserFactory(email="bob@brightwave.example", full_name="Bob Brown", organisation=provider)
    peter = UserFactory(email="peter@brightwave.example", full_name="Peter Price", organisation=provider)
    fran = UserFactory(email="fran@meridian.example", full_name="Fran Fisher", organisation=neutral)
    charlie = UserFactory(email="charlie@eastbridge.example", full_name="Charlie Cole", organisation=elsewhere)
    add_member(arrangement, alice, Side.CUSTOMER, Role.SRO)
    add_member(arrangement, carol, Side.CUSTOMER, Role.RELATIONSHIP_MANAGER)
    add_member(arrangement, dave, Side.CUSTOMER, Role.OBSERVER)
    add_member(arrangement, bob, Side.PROVIDER, Role.SRIE)
    add_member(arrangement, peter, Side.PROVIDER, Role.SERVICE_DELIVERY_MANAGER)
    add_member(arrangement, fran, Side.NEUTRAL, Role.FACILITATOR)
    add_member(other, charlie, Side.CUSTOMER, Role.SRO)
    return World(arrangement, other, customer, provider, alice, bob, charlie, dave, fran, carol, peter)
