"""Objects that URL kwargs point at, for the route × user access matrix.

Every URL kwarg of the project, other than the arrangement's `slug`, needs a
factory here. The matrix test fails on a kwarg it does not know, so that a
new route cannot slip through unchecked: register one with `@route_object`.

A factory receives the standard test world (`partnering.testing.World`) and
returns the value to put in the URL. Objects belong to `world.arrangement`,
the arrangement alice, bob, dave and fran are members of and charlie is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partnering.testing import World

#: Kwargs that name the arrangement itself: a route with one is arrangement-scoped.
ARRANGEMENT_KWARGS = frozenset({"slug", "arrangement_slug"})


@dataclass(frozen=True)
class RouteObject:
    make: Callable[[World], Any]
    #: Users (by world attribute) whose GET may answer 404 because the object
    #: is not theirs to see, for example a token of another person. None: all members see it.
    hidden_from: frozenset[str] = frozenset()


REGISTRY: dict[str, RouteObject] = {}


def route_object(kwarg: str, *, hidden_from: tuple[str, ...] = ()) -> Callable:
    def register(make: Callable[[World], Any]) -> Callable[[World], Any]:
        REGISTRY[kwarg] = RouteObject(make, frozenset(hidden_from))
        return make

    return register


@route_object("slug")
@route_object("arrangement_slug")
def _arrangement_slug(world: World) -> str:
    return world.arrangement.slug


@route_object("membership_uuid")
def _membership(world: World) -> str:
    # Carol's membership: a customer-side member who is neither SRO nor observer.
    return str(world.arrangement.memberships.get(user=world.carol).uuid)


@route_object("outcome_uuid")
def _outcome(world: World) -> str:
    from partnering.arrangements.models import SharedOutcome

    outcome = SharedOutcome.objects.create(arrangement=world.arrangement, text="Residents served first time")
    return str(outcome.uuid)


@route_object("proposal_uuid")
def _openness_proposal(world: World) -> str:
    from partnering.arrangements import services

    settings = world.arrangement.openness.as_dict() | {"single_project_budget": True}
    proposal = services.openness_propose(access=world.access(world.bob), settings=settings)
    return str(proposal.uuid)


@route_object("action_uuid")
def _action(world: World) -> str:
    from partnering.actions.models import Action

    action = Action.objects.create(
        arrangement=world.arrangement, title="Agree the exit plan", owner=world.alice, created_by=world.alice
    )
    return str(action.uuid)


@route_object("token_uuid", hidden_from=("bob", "charlie", "dave", "fran"))
def _api_token(world: World) -> str:
    from partnering.accounts.services import token_create

    token, _raw = token_create(user=world.alice, name="Matrix")
    return str(token.uuid)


@route_object("uidb64")
def _password_reset_uid(world: World) -> str:
    return urlsafe_base64_encode(force_bytes(world.alice.pk))


@route_object("token")
def _password_reset_token(world: World) -> str:
    return default_token_generator.make_token(world.alice)


@route_object("format")
def _api_format(world: World) -> str:
    # DRF's format-suffix routes (for example /api/v1/.json).
    return "json"
