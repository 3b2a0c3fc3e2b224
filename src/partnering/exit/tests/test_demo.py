from __future__ import annotations

import pytest

from partnering.exit.demo import HANDOVER, demo_exit_strategy
from partnering.exit.models import ExitStrategy, HandoverItem


@pytest.mark.django_db
def test_the_demo_exit_strategy_is_a_draft_with_a_checklist_added_once():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    demo_exit_strategy(arrangement)
    demo_exit_strategy(arrangement)

    assert ExitStrategy.objects.get(arrangement=arrangement).status == "draft"
    assert HandoverItem.objects.filter(arrangement=arrangement).count() == len(HANDOVER)
