"""Issue 13, finding 5: references were numbered in one sequence across both sides, so the gaps
the other side could not see (C-008, R-032) told it how many private records a side kept, and
when it made them.

Now each visibility has its own sequence (core.references): R-001 shared, RC-001 customer only,
RP-001 provider only (and C-, CC-, CP- for concerns). Each member reads a gapless sequence of
what they may see; a private record that is shared takes the next shared number.
"""

from __future__ import annotations

import pytest

from partnering.arrangements.models import OpennessProfile
from partnering.concerns import services as concern_services
from partnering.concerns.models import Level
from partnering.concerns.tests.factories import make_concern
from partnering.risks import importing
from partnering.risks import services as risk_services
from partnering.risks.tests.factories import make_risk


@pytest.fixture
def private_world(world):
    """Openness with private risk registers and problems kept to each side."""
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(
        single_risk_register=False, problems_visible=False
    )
    world.arrangement.openness.refresh_from_db()
    return world


def _references_seen(client, url):
    response = client.get(url, {"limit": 100})
    assert response.status_code == 200
    return sorted(row["reference"] for row in response.json()["results"])


def _customer_private_risk(world):
    return make_risk(world.access(world.alice), visibility="customer", owning_side="customer")


def test_the_provider_sees_a_gapless_shared_register_after_the_customer_adds_private_risks(client, private_world):
    world = private_world
    make_risk(world.access(world.alice), title="Shared one")
    for _ in range(3):
        _customer_private_risk(world)
    make_risk(world.access(world.bob), title="Shared two")
    client.force_login(world.bob)

    seen = _references_seen(client, f"/api/v1/arrangements/{world.arrangement.slug}/risks/")
    page = client.get(f"/arrangements/{world.arrangement.slug}/risks/")

    assert seen == ["R-001", "R-002"]
    assert sorted(r.reference for r in page.context["page"]) == ["R-001", "R-002"]


def test_a_shared_private_risk_joins_the_shared_sequence_without_its_private_number(client, private_world):
    world = private_world
    make_risk(world.access(world.alice))
    _customer_private_risk(world)
    secret = _customer_private_risk(world)

    risk_services.risk_share(access=world.access(world.alice), risk=secret)
    client.force_login(world.bob)

    assert secret.reference == "R-002"
    assert _references_seen(client, f"/api/v1/arrangements/{world.arrangement.slug}/risks/") == ["R-001", "R-002"]
    history = client.get(f"/arrangements/{world.arrangement.slug}/history/").content.decode()
    assert "R-002" in history and "RC-00" not in history


def test_the_import_answers_the_same_for_the_other_sides_reference_whether_it_exists_or_not(private_world):
    world = private_world
    held = _customer_private_risk(world)

    def import_reference(reference):
        data = f"Reference,Title,Category,Owning side,Likelihood,Impact\n{reference},Probe,Other,Joint,1,1\n"
        result = importing.risk_import(access=world.access(world.bob), name="r.csv", data=data.encode())
        return [(e.row, e.column, e.message) for e in result.errors]

    assert held.reference == "RC-001"
    assert import_reference("RC-001") == [
        (row, column, message.replace("RC-009", "RC-001")) for row, column, message in import_reference("RC-009")
    ]


def test_the_provider_sees_a_gapless_shared_concern_log(client, private_world):
    world = private_world
    make_concern(world.access(world.fran))
    for _ in range(2):
        make_concern(world.access(world.alice))
    escalated = make_concern(world.access(world.alice))
    concern_services.concern_escalate(
        access=world.access(world.alice), concern=escalated, to_level=Level.SRO_AND_SRIE, reason="Stuck."
    )
    client.force_login(world.bob)

    seen = _references_seen(client, f"/api/v1/arrangements/{world.arrangement.slug}/concerns/")

    assert seen == ["C-001", "C-002"]
