"""Queries compiled by the ORM once per database and process, then run with new values.

Why: Django compiles a queryset to SQL on every evaluation, and for a query
with a few joins that costs more than running it (about 3 ms against 0.2 ms on
the benchmark machine). The few queries that run on every request for a kept
page (`core.pagecache`: the reader's standing, the counters a page depends on)
are built here once, with stand-in values, and each run puts the real values
in the stand-ins' places. The SQL is still the ORM's, so it follows the
models and the database vendor.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class Stand:
    """Hands out stand-in values that no real argument can equal: negative integers for ids,
    strings starting with NUL (which no URL or form can carry) for text."""

    def __init__(self) -> None:
        self.by_name: dict[str, Any] = {}

    def int(self, name: str) -> int:
        return self.by_name.setdefault(name, -7_331_000 - len(self.by_name))

    def str(self, name: str) -> str:
        return self.by_name.setdefault(name, f"\x00stand-in:{name}")


class Prepared:
    """`build(stand)` returns the queryset, with `stand.int("name")` / `stand.str("name")` where
    the values go; `rows(name=value, ...)` runs it. Only `values_list` querysets make sense:
    rows come back as tuples, in the order of its fields."""

    def __init__(self, build: Callable[[Stand], QuerySet]) -> None:
        self.build = build
        self._compiled: dict[str, tuple[str, tuple[Any, ...], dict[Any, str]]] = {}
        self._lock = threading.Lock()

    def _sql(self, alias: str) -> tuple[str, tuple[Any, ...], dict[Any, str]]:
        compiled = self._compiled.get(alias)
        if compiled is None:
            stand = Stand()
            query = self.build(stand).using(alias).query
            sql, params = query.get_compiler(alias).as_sql()
            names = {value: name for name, value in stand.by_name.items()}
            found = {p for p in params if _is_stand_in(p, names)}
            if found != set(names):
                # A lookup that transforms its value (`__contains`, a UUID or date field) would
                # leave the stand-in in the SQL, and the query would silently match nothing.
                lost = sorted(names[v] for v in set(names) - found)
                raise ValueError(f"Stand-ins not passed through as parameters: {', '.join(lost)}.")
            compiled = (sql, tuple(params), names)
            with self._lock:
                self._compiled[alias] = compiled
        return compiled

    def rows(self, alias: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        sql, template, names = self._sql(alias)
        missing = set(names.values()) - set(values)
        if missing:
            raise TypeError(f"No value for {', '.join(sorted(missing))}.")
        params = [values[names[p]] if _is_stand_in(p, names) else p for p in template]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _is_stand_in(value: Any, names: dict[Any, str]) -> bool:
    # True == 1 in Python: a boolean parameter must never be taken for an integer stand-in.
    return not isinstance(value, bool) and isinstance(value, int | str) and value in names
