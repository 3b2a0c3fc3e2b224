"""Memory bounded by bytes: the page cache's backend (core.bytecache) and the page cache's size cap.

The backend's own accounting is checked entry by entry; then a worker (this process) answers 100
large, distinct API lists, and both the cache's accounting and the process's resident memory stay
within the bound, where an entry-bounded cache would have kept every one.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import secrets

import pytest
from django.core.cache import caches
from django.test import Client

from partnering.accounts.services import token_create
from partnering.core.bytecache import BytesBoundedLocMemCache
from partnering.risks.models import Risk
from partnering.risks.tests.factories import bulk_risks

KB, MB = 1024, 1024 * 1024


def _cache(name: str, *, max_bytes: int, max_entries: int = 1000) -> BytesBoundedLocMemCache:
    cache = BytesBoundedLocMemCache(name, {"OPTIONS": {"MAX_BYTES": max_bytes, "MAX_ENTRIES": max_entries}})
    cache.clear()
    return cache


def _stored_size(cache: BytesBoundedLocMemCache) -> int:
    """What the cache holds, measured from its store rather than its ledger."""
    return sum(len(v) for v in cache._cache.values())


def test_it_never_holds_more_bytes_than_its_bound_and_lets_the_least_recently_used_go():
    cache = _cache("bound", max_bytes=100 * KB)
    for n in range(30):
        cache.set(f"page-{n}", os.urandom(10 * KB))
        if n == 5:
            cache.get("page-0")  # read: now the most recently used of the first ones
        assert cache.bytes_used <= 100 * KB
        assert cache.bytes_used == _stored_size(cache)

    assert len(cache) < 30
    assert cache.get("page-29") is not None
    assert cache.get("page-1") is None  # the oldest unread went first


def test_a_value_larger_than_the_whole_bound_is_not_kept_and_pushes_nothing_out():
    cache = _cache("too-large", max_bytes=50 * KB)
    cache.set("small", b"x" * KB)

    cache.set("huge", os.urandom(60 * KB))

    assert cache.get("huge") is None
    assert cache.get("small") == b"x" * KB
    assert cache.bytes_used == _stored_size(cache)


def test_replacing_deleting_expiring_and_clearing_keep_the_count_true():
    cache = _cache("ledger", max_bytes=MB)
    cache.set("a", os.urandom(10 * KB))
    cache.set("a", os.urandom(2 * KB))
    cache.set("b", os.urandom(3 * KB))
    cache.add("c", 1)
    cache.incr("c", 10**30)  # a bigger number takes more bytes
    assert cache.bytes_used == _stored_size(cache)

    cache.delete("b")
    assert cache.bytes_used == _stored_size(cache)

    cache.set("gone", os.urandom(KB), timeout=-1)  # already expired: dropped when next asked
    assert cache.get("gone") is None
    assert cache.bytes_used == _stored_size(cache)

    cache.clear()
    assert cache.bytes_used == 0 == len(cache)


def test_the_entry_bound_still_holds():
    cache = _cache("entries", max_bytes=MB, max_entries=10)
    for n in range(25):
        cache.set(f"k{n}", n)

    assert len(cache) <= 10
    assert cache.bytes_used == _stored_size(cache)


def test_two_instances_of_one_cache_share_one_count():
    """Django makes one cache object per thread; they share the store, so they share the count."""
    first = _cache("shared", max_bytes=20 * KB)
    second = BytesBoundedLocMemCache("shared", {"OPTIONS": {"MAX_BYTES": 20 * KB}})

    first.set("a", os.urandom(15 * KB))
    second.set("b", os.urandom(15 * KB))

    assert first.bytes_used == second.bytes_used == _stored_size(first) <= 20 * KB
    assert first.get("a") is None and first.get("b") is not None


# -- the page cache in a worker ---------------------------------------------------------


def _live_rss() -> int:
    """This process's resident memory, in bytes (Linux), read cheaply from /proc.

    First the garbage is collected and glibc is asked to hand freed memory back
    (`malloc_trim`): otherwise the allocator keeps what transient answers used,
    and resident memory shows that rather than what is still held.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def bounded_pages(settings, page_cache):
    """The page cache as shipped, with a bound of 1 MB so that 100 large lists overflow it."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "partnering.core.bytecache.BytesBoundedLocMemCache",
            "LOCATION": "pages-memory-test",
            "OPTIONS": {"MAX_ENTRIES": 500, "MAX_BYTES": MB},
        },
    }
    caches["pages"].clear()
    yield caches["pages"]
    caches["pages"].clear()


@pytest.fixture
def large_register(world):
    """130 risks, each with a description of 8,000 random characters (they compress little)."""
    risks = bulk_risks(world.arrangement, 130)
    for risk in risks:
        risk.description = secrets.token_urlsafe(6000)
    Risk.objects.bulk_update(risks, ["description"])
    return f"/api/v1/arrangements/{world.arrangement.slug}/risks/"


@pytest.fixture
def api(world):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.alice, name='reader')[1]}")


def test_a_hundred_large_distinct_lists_leave_the_page_cache_and_the_worker_within_the_bound(
    api, large_register, bounded_pages
):
    assert api.get(large_register, {"limit": 30, "offset": 100}).status_code == 200
    one_entry = bounded_pages.bytes_used
    assert 150 * KB < one_entry < 256 * KB  # large, yet under the entry cap: each one is kept
    for n in range(20):  # warm the code paths and the allocator, and fill the cache
        assert api.get(large_register, {"limit": 30, "offset": n, "warm": 1}).status_code == 200

    rss_before = _live_rss()
    for offset in range(100):
        response = api.get(large_register, {"limit": 30, "offset": offset})
        assert response.status_code == 200
        assert bounded_pages.bytes_used <= MB
    grown = _live_rss() - rss_before

    assert bounded_pages.bytes_used == _stored_size(bounded_pages) <= MB
    assert len(bounded_pages) <= MB // one_entry
    # Kept whole, the 100 answers would take 100 * one_entry (15 MB or more: an entry-bounded cache
    # grew the worker by that much); bounded, the worker grows by the bound and a few MB of slack.
    assert grown < MB + 5 * MB, f"the worker grew by {grown / MB:.1f} MB"


def test_an_answer_over_the_entry_cap_is_served_but_not_kept(api, large_register, bounded_pages, settings):
    settings.PAGE_CACHE_MAX_ENTRY_BYTES = 64 * KB

    large = api.get(large_register, {"limit": 30})
    assert large.status_code == 200 and len(large.json()["results"]) == 30
    assert len(bounded_pages) == 0

    assert api.get(large_register, {"limit": 2}).status_code == 200
    assert len(bounded_pages) == 1
