"""`partnering demo`: a realistic arrangement with every role held, safe to run twice.

The demo takes seconds to build, so these tests share one build: it is made once for the module
inside a transaction that is rolled back at the end, and each test runs in its own savepoint.
The tests of its e-mail, which must really commit, are in test_demo_email.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from partnering.arrangements.demo import TITLE
from partnering.arrangements.models import Arrangement, Membership, RoleAssignment, SharedOutcome
from partnering.core.choices import Role, Side
from partnering.testing import shared_for_the_module


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (get_user_model(), Arrangement, Membership, RoleAssignment, SharedOutcome)
    }


@dataclass(frozen=True)
class Demo:
    output: str
    counts: dict[str, int]


@pytest.fixture(scope="module")
def _module_demo(django_db_setup, django_db_blocker):
    with shared_for_the_module(django_db_blocker):
        out = StringIO()
        call_command("demo", stdout=out)
        yield Demo(output=out.getvalue(), counts=_counts())


@pytest.fixture
def demo(_module_demo, db) -> Demo:
    return _module_demo


def test_demo_is_idempotent(demo):
    call_command("demo", stdout=StringIO())

    assert _counts() == demo.counts


def test_demo_has_someone_in_every_role(demo):
    arrangement = Arrangement.objects.get(title=TITLE)

    held = set(
        RoleAssignment.objects.filter(arrangement=arrangement, ended_at__isnull=True).values_list("role", flat=True)
    )

    assert held == set(Role)


def test_demo_people_are_on_every_side_and_can_sign_in(demo, client):
    arrangement = Arrangement.objects.get(title=TITLE)

    sides = set(Membership.objects.filter(arrangement=arrangement).values_list("side", flat=True))

    assert sides == set(Side)
    assert "helen.carter@northshire.example" in demo.output
    # Through the sign-in page, as a person would: with the password alone (no second factor).
    response = client.post(
        "/accounts/sign-in/", {"username": "helen.carter@northshire.example", "password": "partnering-demo"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_demo_has_an_outsider_in_another_arrangement(demo):
    outsider = get_user_model().objects.get(email="sam.reed@eastbridge.example")

    assert not Membership.objects.filter(arrangement__title=TITLE, user=outsider).exists()
    assert Membership.objects.filter(user=outsider).exists()
