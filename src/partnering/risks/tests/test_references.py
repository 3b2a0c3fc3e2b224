"""Numbering records written before each visibility had its own sequence (the migrations, old archives)."""

from __future__ import annotations

from partnering.core.references import renumber_private
from partnering.risks.models import Risk
from partnering.risks.tests.factories import make_risk


def test_private_risks_of_the_old_single_sequence_move_to_their_sides_own(private_registers):
    world = private_registers
    make_risk(world.access(world.alice))
    first = make_risk(world.access(world.alice), visibility="customer", owning_side="customer")
    second = make_risk(world.access(world.bob), visibility="provider", owning_side="provider")
    # As they were numbered before: one sequence across both sides.
    Risk.objects.filter(pk=first.pk).update(reference="R-002", number=2)
    Risk.objects.filter(pk=second.pk).update(reference="R-003", number=3)
    Risk.history.filter(id__in=[first.pk, second.pk]).update(reference="R-009")

    assert renumber_private(Risk, "R") == 2

    assert sorted(Risk.objects.values_list("reference", "visibility")) == [
        ("R-001", "shared"),
        ("RC-001", "customer"),
        ("RP-001", "provider"),
    ]
    assert set(Risk.history.filter(id=first.pk).values_list("reference", flat=True)) == {"RC-001"}
    assert make_risk(world.access(world.alice)).reference == "R-002"
    assert renumber_private(Risk, "R") == 0
