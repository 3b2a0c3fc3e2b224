"""The demo board: three meetings with decisions and actions, safe to load twice."""

from __future__ import annotations

import pytest

from partnering.actions.models import Action
from partnering.board.demo import demo_board
from partnering.board.models import Decision, Meeting


@pytest.mark.django_db
def test_the_demo_arrangement_has_three_board_meetings_with_decisions_and_actions():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    demo_board(arrangement)
    demo_board(arrangement)

    meetings = Meeting.objects.filter(arrangement=arrangement)
    assert meetings.count() == 3
    for meeting in meetings:
        assert Decision.objects.filter(meeting=meeting).exists()
        assert Action.objects.filter(source_id=meeting.pk, source_type__model="meeting").exists()
