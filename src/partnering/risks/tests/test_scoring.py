"""Risk scoring: likelihood × impact, and the RAG bands held as data."""

from __future__ import annotations

import pytest

from partnering.risks import scoring
from partnering.risks.tests.factories import make_risk


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "rating"),
    [
        (1, 1, 1, "green"),
        (1, 5, 5, "green"),
        (2, 3, 6, "green"),
        (2, 4, 8, "amber"),
        (3, 3, 9, "amber"),
        (2, 5, 10, "amber"),
        (3, 4, 12, "amber"),
        (5, 3, 15, "red"),
        (4, 4, 16, "red"),
        (5, 5, 25, "red"),
    ],
)
def test_score_is_likelihood_times_impact_and_gives_its_rating(likelihood, impact, score, rating):
    assert scoring.score(likelihood, impact) == score
    assert scoring.rating_for(score) == rating


def test_the_band_edges_are_seven_eight_fourteen_fifteen():
    assert [scoring.rating_for(n) for n in (7, 8, 14, 15)] == ["green", "amber", "amber", "red"]


def test_every_cell_of_the_matrix_has_a_rating():
    ratings = {scoring.rating_for(scoring.score(li, im)) for li in scoring.SCALE for im in scoring.SCALE}

    assert ratings == {"red", "amber", "green"}


def test_a_score_outside_the_matrix_is_refused():
    with pytest.raises(ValueError):
        scoring.rating_for(0)


def test_the_bands_are_described_for_people():
    assert scoring.band_description() == [("Red", "15 to 25"), ("Amber", "8 to 14"), ("Green", "1 to 7")]


def test_a_saved_risk_stores_its_score_and_rating(world):
    risk = make_risk(world.access(world.alice), likelihood=5, impact=4)

    assert (risk.score, risk.rating) == (20, "red")


def test_editing_likelihood_recomputes_the_rating(world):
    from partnering.risks import services

    access = world.access(world.alice)
    risk = make_risk(access, likelihood=5, impact=4)

    risk = services.risk_update(access=access, risk=risk, expected_version=1, changes={"likelihood": 1})

    assert (risk.score, risk.rating) == (4, "green")
