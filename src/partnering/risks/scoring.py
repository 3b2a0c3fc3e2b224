"""The risk matrix, as data: one place decides how a score becomes a rating.

score = likelihood × impact, each on a scale of 1 to 5. The bands are read
top down; the first whose floor the score reaches gives the rating.
"""

from __future__ import annotations

from django.db import models

SCALE = range(1, 6)

LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


class Rating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


#: (lowest score of the band, rating), highest band first.
RATING_BANDS: tuple[tuple[int, str], ...] = (
    (15, Rating.RED),
    (8, Rating.AMBER),
    (1, Rating.GREEN),
)


def score(likelihood: int, impact: int) -> int:
    return int(likelihood) * int(impact)


def rating_for(value: int) -> str:
    for floor, rating in RATING_BANDS:
        if value >= floor:
            return rating
    raise ValueError(f"A risk score is between 1 and 25, not {value}.")


def band_description() -> list[tuple[str, str]]:
    """Each rating and the scores it covers, for the page that explains them."""
    rows = []
    ceiling = 25
    for floor, rating in RATING_BANDS:
        rows.append((Rating(rating).label, f"{floor} to {ceiling}"))
        ceiling = floor - 1
    return rows
