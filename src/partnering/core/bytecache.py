"""A per-process cache bounded in bytes as well as in entries.

Why: Django's local-memory cache counts entries, not their size. The page cache
(core.pagecache) keeps pages of about 10 KB and API lists of up to a few hundred KB,
so a bound of 500 entries let a worker grow by about 95 MB when sixty large lists
were asked for. This backend is Django's `LocMemCache` with one more bound,
`OPTIONS["MAX_BYTES"]`: the size of what it keeps (each value as pickled, which is
how `LocMemCache` stores it) never passes it. Storing a value evicts the least
recently used entries until the new one fits; a value larger than the whole bound
is not kept at all. The entry bound (`MAX_ENTRIES`) still applies.

With Redis (`CACHE_URL`) this backend is not used: Redis bounds itself with its own
`maxmemory` and an eviction policy (see the README's *Production* section).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

#: What each named cache holds, in bytes by key: shared like `LocMemCache`'s own store, so that
#: every instance of one name (one per thread) counts the same entries.
_ledgers: dict[str, dict[str, int]] = {}
_totals: dict[str, list[int]] = {}


class BytesBoundedLocMemCache(LocMemCache):
    """`LocMemCache`, least recently used first out, never holding more than `MAX_BYTES`."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(name, params)
        self.max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))
        self._sizes = _ledgers.setdefault(name, {})
        self._total = _totals.setdefault(name, [0])  # a one-item list: shared and mutable

    # -- what the cache reports of itself -------------------------------------------------

    @property
    def bytes_used(self) -> int:
        """The size of every value kept, as stored."""
        with self._lock:
            return self._total[0]

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)

    # -- LocMemCache's internals, each keeping the ledger (all run under `self._lock`) ----------

    def _forget(self, key: str) -> None:
        self._total[0] -= self._sizes.pop(key, 0)

    def _set(self, key: str, value: bytes, timeout: Any = DEFAULT_TIMEOUT) -> None:
        size = len(value)
        self._delete(key)  # a value replaced no longer counts
        if size > self.max_bytes:
            return  # larger than the whole cache: keeping it would only empty everything else
        while self._cache and self._total[0] + size > self.max_bytes:
            self._evict_one()
        super()._set(key, value, timeout)
        self._sizes[key] = size
        self._total[0] += size

    def _evict_one(self) -> None:
        key, _ = self._cache.popitem()  # the end holds the least recently used (see `get`)
        self._expire_info.pop(key, None)
        self._forget(key)

    def _cull(self) -> None:
        if self._cull_frequency == 0:
            self._clear_all()
            return
        for _ in range(len(self._cache) // self._cull_frequency):
            self._evict_one()

    def _delete(self, key: str) -> bool:
        self._forget(key)
        return super()._delete(key)

    def _clear_all(self) -> None:
        self._cache.clear()
        self._expire_info.clear()
        self._sizes.clear()
        self._total[0] = 0

    def clear(self) -> None:
        with self._lock:
            self._clear_all()

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> Any:
        new_value = super().incr(key, delta, version)
        stored = self.make_and_validate_key(key, version=version)
        with self._lock:
            if stored in self._cache:
                self._forget(stored)
                self._sizes[stored] = len(self._cache[stored])
                self._total[0] += self._sizes[stored]
        return new_value
