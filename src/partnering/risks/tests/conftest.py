from __future__ import annotations

import pytest

from partnering.arrangements.models import OpennessProfile


@pytest.fixture
def private_registers(world):
    """Openness without a single risk register: each side may keep private risks."""
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(single_risk_register=False)
    world.arrangement.openness.refresh_from_db()
    return world
