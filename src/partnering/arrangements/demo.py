"""A realistic fictional arrangement for trying the product: `partnering demo`.

Northshire County Council outsources its digital citizen services to
Brightwave Digital Services; Meridian Partnering Associates facilitates.
Every role on both sides is held by a named person. Running it twice changes
nothing: people and arrangements are looked up by e-mail and title first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from partnering.accounts.models import Organisation, OrganisationKind
from partnering.arrangements import people, services
from partnering.arrangements.models import Arrangement, Membership, RoleAssignment
from partnering.core.choices import Role, Side, Stage
from partnering.core.policy import access_for

DEMO_PASSWORD = "partnering-demo"  # noqa: S105 - fictional demo accounts, printed for the user


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    job: str
    side: str
    roles: tuple[str, ...]


CUSTOMER = ("Northshire County Council", OrganisationKind.CUSTOMER)
PROVIDER = ("Brightwave Digital Services Ltd", OrganisationKind.PROVIDER)
FACILITATOR = ("Meridian Partnering Associates", OrganisationKind.NEUTRAL)
OTHER_CUSTOMER = ("Eastbridge Borough Council", OrganisationKind.CUSTOMER)

PEOPLE = [
    Person(
        "helen.carter@northshire.example",
        "Helen Carter",
        "Director of Digital Services",
        Side.CUSTOMER,
        (Role.SRO, Role.BOARD_MEMBER),
    ),
    Person(
        "daniel.okafor@northshire.example",
        "Daniel Okafor",
        "Head of Supplier Relationships",
        Side.CUSTOMER,
        (Role.RELATIONSHIP_MANAGER,),
    ),
    Person(
        "priya.shah@northshire.example",
        "Priya Shah",
        "Commercial Contract Manager",
        Side.CUSTOMER,
        (Role.CONTRACT_MANAGER,),
    ),
    Person(
        "tom.reilly@northshire.example",
        "Tom Reilly",
        "Service Delivery Manager",
        Side.CUSTOMER,
        (Role.SERVICE_DELIVERY_MANAGER,),
    ),
    Person(
        "margaret.ellis@northshire.example",
        "Margaret Ellis",
        "Chief Finance Officer",
        Side.CUSTOMER,
        (Role.BOARD_MEMBER,),
    ),
    Person("audit@northshire.example", "Owen Hughes", "Internal Audit Manager", Side.CUSTOMER, (Role.OBSERVER,)),
    Person(
        "james.whitfield@brightwave.example",
        "James Whitfield",
        "Public Sector Managing Director",
        Side.PROVIDER,
        (Role.SRIE, Role.BOARD_MEMBER),
    ),
    Person(
        "sophie.turner@brightwave.example",
        "Sophie Turner",
        "Client Relationship Director",
        Side.PROVIDER,
        (Role.RELATIONSHIP_MANAGER,),
    ),
    Person(
        "ravi.patel@brightwave.example", "Ravi Patel", "Commercial Manager", Side.PROVIDER, (Role.CONTRACT_MANAGER,)
    ),
    Person(
        "aisha.khan@brightwave.example",
        "Aisha Khan",
        "Service Delivery Lead",
        Side.PROVIDER,
        (Role.SERVICE_DELIVERY_MANAGER,),
    ),
    Person(
        "gareth.lloyd@brightwave.example",
        "Gareth Lloyd",
        "Chief Technology Officer",
        Side.PROVIDER,
        (Role.BOARD_MEMBER,),
    ),
    Person(
        "claire.morgan@meridian.example", "Claire Morgan", "Partnering Facilitator", Side.NEUTRAL, (Role.FACILITATOR,)
    ),
]
OUTSIDER = Person("sam.reed@eastbridge.example", "Sam Reed", "Head of ICT", Side.CUSTOMER, (Role.SRO,))

TITLE = "Northshire digital citizen services partnership"
OUTCOMES = [
    "Residents can complete the council's 40 most-used transactions online, first time, at any hour.",
    "The cost per resident transaction falls by a quarter over the first five years.",
    "Council staff move from processing forms to helping the residents who most need it.",
    "Both organisations learn from each other and can show it at every annual health check.",
]


def _org(name: str, kind: str) -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
    return org


def _user(person: Person, org: Organisation):  # noqa: ANN202
    User = get_user_model()
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User.objects.create_user(
            email=person.email, password=DEMO_PASSWORD, full_name=person.name, job_title=person.job, organisation=org
        )
    return user


@transaction.atomic
def load_demo() -> tuple[Arrangement, list[Person]]:
    """Create (or find) the demo arrangement and its people."""
    orgs = {
        Side.CUSTOMER: _org(*CUSTOMER),
        Side.PROVIDER: _org(*PROVIDER),
        Side.NEUTRAL: _org(*FACILITATOR),
    }
    users = {p.email: _user(p, orgs[p.side]) for p in PEOPLE}
    outsider_org = _org(*OTHER_CUSTOMER)
    outsider = _user(OUTSIDER, outsider_org)

    arrangement = Arrangement.objects.filter(title=TITLE).first()
    if arrangement is None:
        sro = users[PEOPLE[0].email]
        start = date(timezone.localdate().year - 1, 4, 1)
        arrangement = services.arrangement_create(
            user=sro,
            title=TITLE,
            description=(
                "Northshire County Council and Brightwave Digital Services redesign and run the council's "
                "online services for residents, under a seven-year partnering contract with shared outcomes, "
                "open books on both sides and a joint project board."
            ),
            provider=orgs[Side.PROVIDER],
            contract_start=start,
            contract_end=start + timedelta(days=7 * 365),
            stage=Stage.CONTRACT_LET,
            outcomes=OUTCOMES,
            creator_role=Role.SRO,
        )
        # Each side adds its own people (sovereign sides): the SRO her customer colleagues and,
        # once, the provider's lead, who accepts and adds the provider's people; the facilitator
        # joins with both leads' agreement.
        access = access_for(user=sro, arrangement_slug=arrangement.slug)
        for person in (p for p in PEOPLE[1:] if p.side == Side.CUSTOMER):
            people.member_invite(access=access, email=person.email, roles=person.roles, full_name=person.name)
        srie_person = next(p for p in PEOPLE if Role.SRIE in p.roles)
        invitation = people.provider_lead_invite(access=access, email=srie_person.email)
        srie_user = users[srie_person.email]
        people.invitation_accept(user=srie_user, invitation=invitation)
        provider_access = access_for(user=srie_user, arrangement_slug=arrangement.slug)
        others = [r for r in srie_person.roles if r != Role.SRIE]
        if others:
            people.member_set_roles(
                access=provider_access,
                membership=provider_access.membership,
                roles=[Role.SRIE, *others],
            )
        for person in (p for p in PEOPLE if p.side == Side.PROVIDER and p is not srie_person):
            people.member_invite(access=provider_access, email=person.email, roles=person.roles, full_name=person.name)
        for person in (p for p in PEOPLE if p.side == Side.NEUTRAL):
            proposal = people.facilitator_propose(access=access, email=person.email)
            people.facilitator_agree(access=provider_access, invitation=proposal)
        # The SRO also sits on the board.
        sro_membership = Membership.objects.get(arrangement=arrangement, user=sro)
        RoleAssignment.objects.get_or_create(
            arrangement=arrangement,
            membership=sro_membership,
            role=Role.BOARD_MEMBER,
            ended_at=None,
            defaults={"started_at": timezone.now(), "assigned_by": sro},
        )
        services.outcomes_agree(access=access_for(user=sro, arrangement_slug=arrangement.slug))
        srie = users["james.whitfield@brightwave.example"]
        services.outcomes_agree(access=access_for(user=srie, arrangement_slug=arrangement.slug))
        services.arrangement_change_stage(
            access=access_for(user=sro, arrangement_slug=arrangement.slug),
            stage=Stage.IN_SERVICE,
            reason="First year of service complete; Gateway review 5 (operations review) passed.",
        )

    if not Arrangement.objects.filter(title="Eastbridge revenues and benefits service").exists():
        services.arrangement_create(
            user=outsider,
            title="Eastbridge revenues and benefits service",
            provider=orgs[Side.PROVIDER],
            stage=Stage.PROCUREMENT_STRATEGY,
            outcomes=["Benefit claims decided within 10 working days."],
        )
    return arrangement, PEOPLE + [OUTSIDER]
