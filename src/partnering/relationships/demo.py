"""Demo peers and a key-person handover for the demo arrangement (idempotent).

Three one-on-one relationships are recorded; the service delivery managers are
left unpaired so that the peer map shows people with no recorded peer. The
SRIE hands his board seat to a newcomer, with a handover note.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from partnering.arrangements import people as arrangement_people
from partnering.arrangements.models import Membership
from partnering.core.choices import Role, Side
from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for
from partnering.relationships import services
from partnering.relationships.models import PeerPair

User = get_user_model()

SRO = "helen.carter@northshire.example"
SRIE = "james.whitfield@brightwave.example"
PAIRS = [
    (SRO, SRIE, "SRO–SRIE"),
    (
        "daniel.okafor@northshire.example",
        "sophie.turner@brightwave.example",
        "relationship manager–relationship manager",
    ),
    ("priya.shah@northshire.example", "ravi.patel@brightwave.example", "contract manager–contract manager"),
]
NEWCOMER = ("nadia.brooks@brightwave.example", "Nadia Brooks")
HANDOVER_NOTE = (
    "The board's open items: the hosting cost baseline (concern at the joint board), the release 2 "
    "acceptance dispute, and the annual partnering health check in March. Margaret Ellis chairs the "
    "finance sub-group; talk to her before each board."
)


@demo_hook
def demo_relationships(arrangement) -> None:  # noqa: ANN001
    if PeerPair.objects.filter(arrangement=arrangement).exists():
        return
    members = {
        m.user.email: m
        for m in Membership.objects.filter(arrangement=arrangement, is_active=True).select_related("user")
    }
    if SRO not in members or SRIE not in members:
        return
    access = access_for(user=members[SRO].user, arrangement_slug=arrangement.slug)
    for customer, provider, label in PAIRS:
        if customer in members and provider in members:
            services.peer_pair_create(
                access=access, customer_member=members[customer], provider_member=members[provider], label=label
            )
    srie = access_for(user=members[SRIE].user, arrangement_slug=arrangement.slug)
    if NEWCOMER[0] not in members:
        newcomer = arrangement_people.member_invite(
            access=srie, email=NEWCOMER[0], full_name=NEWCOMER[1], side=Side.PROVIDER, roles=[Role.OBSERVER]
        )
        services.role_hand_over(
            access=srie,
            role=Role.BOARD_MEMBER,
            from_member=members[SRIE],
            to_member=newcomer,
            handover_note=HANDOVER_NOTE,
        )
