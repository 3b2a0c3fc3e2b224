from __future__ import annotations

import pytest

from partnering.arrangements.models import OpennessProfile


@pytest.fixture
def problems_private(world):
    """Openness where potential problems are not visible to the other side."""
    OpennessProfile.objects.filter(arrangement=world.arrangement).update(problems_visible=False)
    world.arrangement.openness.refresh_from_db()
    return world
