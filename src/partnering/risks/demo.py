"""Demo risks: a realistic shared register for the demo arrangement (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for
from partnering.risks import services
from partnering.risks.models import Risk

User = get_user_model()

CUSTOMER = "helen.carter@northshire.example"
PROVIDER = "james.whitfield@brightwave.example"
OWNERS = {
    "customer": [
        "helen.carter@northshire.example",
        "daniel.okafor@northshire.example",
        "priya.shah@northshire.example",
        "tom.reilly@northshire.example",
    ],
    "provider": [
        "james.whitfield@brightwave.example",
        "sophie.turner@brightwave.example",
        "ravi.patel@brightwave.example",
        "aisha.khan@brightwave.example",
    ],
}

# (title, category, owning side, likelihood, impact, response, why best placed)
RISKS = [
    (
        "Legacy revenues system data fails migration checks",
        "implementation",
        "provider",
        4,
        4,
        "reduce",
        "The provider runs the migration tooling and the test environments.",
    ),
    (
        "Council staff unavailable for user research",
        "implementation",
        "customer",
        3,
        3,
        "reduce",
        "Only the council can release its staff from casework.",
    ),
    (
        "Identity verification supplier changes its pricing",
        "commercial",
        "provider",
        2,
        4,
        "transfer",
        "The provider holds the sub-contract.",
    ),
    (
        "Residents without internet access left behind",
        "service_delivery",
        "joint",
        3,
        5,
        "reduce",
        "Assisted digital needs the council's contact centre and the provider's design together.",
    ),
    (
        "Key provider architect leaves mid-programme",
        "implementation",
        "provider",
        2,
        4,
        "reduce",
        "Staffing is the provider's to manage.",
    ),
    (
        "Budget cut in next year's settlement",
        "commercial",
        "customer",
        3,
        4,
        "accept",
        "The council sets its own budget.",
    ),
    (
        "Unplanned outage of the payments service",
        "service_delivery",
        "provider",
        2,
        5,
        "reduce",
        "The provider operates the hosting.",
    ),
    (
        "Change requests pile up without decisions",
        "relationship",
        "joint",
        4,
        3,
        "reduce",
        "The joint board owns the decision process.",
    ),
    (
        "Trust erodes after a missed milestone",
        "relationship",
        "joint",
        3,
        4,
        "reduce",
        "Both SRO and SRIE set the tone of the relationship.",
    ),
    (
        "Accessibility audit finds failures late",
        "implementation",
        "provider",
        3,
        3,
        "avoid",
        "The provider builds the services and can test as it goes.",
    ),
    (
        "Open-book cost data disputed",
        "commercial",
        "joint",
        2,
        3,
        "share",
        "Both sides' accountants need to agree the baselines.",
    ),
    (
        "Council policy changes for council tax discounts",
        "service_delivery",
        "customer",
        3,
        2,
        "accept",
        "Policy is the council's.",
    ),
    (
        "Cyber attack on resident accounts",
        "service_delivery",
        "joint",
        2,
        5,
        "reduce",
        "Security is shared: the provider runs controls, the council owns the data.",
    ),
    (
        "Provider's subcontractor goes into administration",
        "commercial",
        "provider",
        1,
        4,
        "transfer",
        "The provider manages its supply chain.",
    ),
    (
        "Benefits baseline figures unreliable",
        "implementation",
        "customer",
        4,
        3,
        "reduce",
        "The council holds the historical figures.",
    ),
    (
        "Handover of knowledge at staff rotation",
        "relationship",
        "joint",
        3,
        2,
        "reduce",
        "Continuity of staff matters on both sides.",
    ),
    (
        "Service desk volumes double at go-live",
        "service_delivery",
        "provider",
        4,
        3,
        "reduce",
        "The provider staffs the service desk.",
    ),
    (
        "Procurement rules delay the analytics contract",
        "commercial",
        "customer",
        2,
        2,
        "accept",
        "Procurement is run by the council.",
    ),
    (
        "Hosting region capacity constraints",
        "service_delivery",
        "provider",
        1,
        3,
        "accept",
        "The provider chooses the hosting.",
    ),
    (
        "Elected members question the value for money",
        "relationship",
        "customer",
        3,
        3,
        "reduce",
        "The SRO answers to members.",
    ),
    (
        "Test data contains personal data",
        "implementation",
        "joint",
        2,
        4,
        "avoid",
        "The council owns the data; the provider handles it.",
    ),
    (
        "Inflation above the indexation cap",
        "commercial",
        "provider",
        3,
        3,
        "share",
        "Indexation was agreed jointly but the provider bears cost first.",
    ),
    (
        "Contact centre scripts out of step with online forms",
        "service_delivery",
        "customer",
        3,
        2,
        "reduce",
        "The council runs the contact centre.",
    ),
    (
        "Dispute over acceptance criteria for release 2",
        "relationship",
        "joint",
        2,
        3,
        "reduce",
        "Acceptance is a joint decision.",
    ),
    (
        "Payment provider certificate expires unnoticed",
        "service_delivery",
        "provider",
        2,
        4,
        "avoid",
        "The provider monitors the integrations.",
    ),
    (
        "Recompetition planning started too late",
        "other",
        "customer",
        2,
        4,
        "avoid",
        "The council decides the exit strategy.",
    ),
    (
        "Low take-up of the new online forms",
        "service_delivery",
        "joint",
        3,
        3,
        "reduce",
        "Promotion is the council's; design is the provider's.",
    ),
    (
        "Shared KPIs measured differently by each side",
        "relationship",
        "joint",
        3,
        2,
        "reduce",
        "Both must agree the measures.",
    ),
    (
        "Single sign-on integration slips",
        "implementation",
        "provider",
        3,
        2,
        "reduce",
        "The provider builds the integration.",
    ),
    (
        "Savings not realised in back office",
        "commercial",
        "customer",
        3,
        4,
        "reduce",
        "Back-office change is the council's.",
    ),
]


@demo_hook
def demo_risks(arrangement) -> None:  # noqa: ANN001
    if Risk.objects.filter(arrangement=arrangement).exists():
        return
    people = {u.email: u for u in User.objects.filter(email__in=OWNERS["customer"] + OWNERS["provider"])}
    if CUSTOMER not in people or PROVIDER not in people:
        return
    access = {
        side: access_for(user=people[email], arrangement_slug=arrangement.slug)
        for side, email in (("customer", CUSTOMER), ("provider", PROVIDER))
    }
    today = timezone.localdate()
    private = services.may_keep_private_risks(access["customer"])
    for i, (title, category, side, likelihood, impact, response, why) in enumerate(RISKS):
        author = "provider" if side == "provider" or (side == "joint" and i % 2) else "customer"
        owner_side = author if side == "joint" else side
        owner = people[OWNERS[owner_side][i % 4]]
        # A few reviews fall overdue, so that the register shows them.
        review = today + timedelta(days=(i * 11) % 90 - (20 if i % 7 == 0 else 0))
        risk = services.risk_create(
            access=access[author],
            title=title,
            category=category,
            owning_side=side,
            owner=owner,
            owner_rationale=why,
            likelihood=likelihood,
            impact=impact,
            response=response,
            proximity=["imminent", "soon", "this_year", "later"][i % 4],
            next_review_date=review,
            description=f"{title}. Raised at the joint board; see the mitigation actions.",
            visibility=author if (private and i % 10 == 3) else "shared",
        )
        if i % 3 == 0:
            services.risk_action_add(
                access=access[author],
                risk=risk,
                title=f"Mitigate: {title.lower()}",
                owner=owner,
                due_date=today + timedelta(days=14 + i),
            )
        if i % 5 == 0 and risk.visibility == "shared":
            other = "provider" if author == "customer" else "customer"
            services.risk_comment_add(
                access=access[other], risk=risk, text="We agree the rating; let's review it at the next board."
            )
