"""Portable full-text search over lessons: PostgreSQL and SQLite.

PostgreSQL: `websearch_to_tsquery` against `to_tsvector('english', search_text)`,
ranked, and served by the GIN expression index of migration 0002 (the
expression below is written to match that index exactly). SQLite: every term
must occur in the normalised `search_text` (AND of `LIKE`s); no ranking, newest
first. Both read the same column, so results differ only in stemming.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Q, QuerySet

CONFIG = "english"
MAX_TERMS = 8
_WORD = re.compile(r"[\w-]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, accents folded, whitespace collapsed: what both backends search."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.lower().split())


def search_text(parts: Iterable[str]) -> str:
    return normalise(" \n ".join(p for p in parts if p))


def terms(query: str) -> list[str]:
    """The words of a query, normalised, without duplicates, at most MAX_TERMS."""
    seen: list[str] = []
    for word in _WORD.findall(normalise(query)):
        word = word.strip("-")
        if word and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def apply(qs: QuerySet, query: str) -> tuple[QuerySet, bool]:
    """Filter `qs` by `query`; returns the queryset and whether it is ranked."""
    words = terms(query)
    if not words:
        return qs, False
    if uses_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("search_text", config=CONFIG)
        search = SearchQuery(" ".join(words), search_type="websearch", config=CONFIG)
        # Filtering with the @@ operator lets the planner use the GIN index.
        qs = qs.alias(search_vector=vector).filter(search_vector=search)
        qs = qs.annotate(search_rank=SearchRank(vector, search))
        return qs.order_by(F("search_rank").desc(), "-created_at", "-id"), True
    condition = Q()
    for word in words:
        condition &= Q(search_text__icontains=word)
    return qs.filter(condition), False
