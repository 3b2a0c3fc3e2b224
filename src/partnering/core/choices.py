"""Vocabulary shared by every feature: sides, roles, record visibility, lifecycle stages."""

from django.db import models


class Side(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PROVIDER = "provider", "Provider"
    NEUTRAL = "neutral", "Neutral (partnering facilitator)"


class Role(models.TextChoices):
    SRO = "sro", "Senior Responsible Owner (SRO)"
    SRIE = "srie", "Senior Responsible Industry Executive (SRIE)"
    RELATIONSHIP_MANAGER = "relationship_manager", "Relationship manager"
    CONTRACT_MANAGER = "contract_manager", "Contract manager"
    SERVICE_DELIVERY_MANAGER = "service_delivery_manager", "Service delivery manager"
    BOARD_MEMBER = "board_member", "Board member"
    FACILITATOR = "facilitator", "Partnering facilitator"
    OBSERVER = "observer", "Observer (read only)"


# Which side may hold which role. The guide's SRO leads the customer and the
# SRIE mirrors the role in the provider; a facilitator stands between them.
ROLE_SIDES: dict[str, frozenset[str]] = {
    Role.SRO: frozenset({Side.CUSTOMER}),
    Role.SRIE: frozenset({Side.PROVIDER}),
    Role.RELATIONSHIP_MANAGER: frozenset({Side.CUSTOMER, Side.PROVIDER}),
    Role.CONTRACT_MANAGER: frozenset({Side.CUSTOMER, Side.PROVIDER}),
    Role.SERVICE_DELIVERY_MANAGER: frozenset({Side.CUSTOMER, Side.PROVIDER}),
    Role.BOARD_MEMBER: frozenset({Side.CUSTOMER, Side.PROVIDER}),
    Role.FACILITATOR: frozenset({Side.NEUTRAL}),
    Role.OBSERVER: frozenset({Side.CUSTOMER, Side.PROVIDER, Side.NEUTRAL}),
}

# Roles only one person may hold at a time in an arrangement.
SINGLE_HOLDER_ROLES = frozenset({Role.SRO, Role.SRIE})


class Visibility(models.TextChoices):
    SHARED = "shared", "Shared with both sides"
    CUSTOMER_ONLY = "customer", "Customer only"
    PROVIDER_ONLY = "provider", "Provider only"


class Stage(models.TextChoices):
    STRATEGIC_ASSESSMENT = "strategic_assessment", "Strategic assessment (before Gate 0)"
    BUSINESS_JUSTIFICATION = "business_justification", "Business justification (before Gate 1)"
    PROCUREMENT_STRATEGY = "procurement_strategy", "Procurement strategy (before Gate 2)"
    INVESTMENT_DECISION = "investment_decision", "Investment decision (before Gate 3)"
    CONTRACT_LET = "contract_let", "Contract let and first year"
    IN_SERVICE = "in_service", "In service"
    EXIT = "exit", "Exit and recompetition"


#: Stages from contract award on: the contract is let and the customer has a partner. Before them
#: (Gates 0 to 3) the arrangement is the customer's alone.
AFTER_AWARD = frozenset({Stage.CONTRACT_LET, Stage.IN_SERVICE, Stage.EXIT})


class OpenBook(models.TextChoices):
    NONE = "none", "None"
    PROVIDER_ONLY = "provider", "Provider's book open to the customer"
    CUSTOMER_ONLY = "customer", "Customer's book open to the provider"
    BOTH = "both", "Both sides' books open"
