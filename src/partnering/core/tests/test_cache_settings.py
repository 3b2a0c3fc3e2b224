"""The caches from the environment: per worker in memory by default, in Redis with CACHE_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[3]  # this checkout's src/, ahead of any installed copy
READ_CACHES = "import json, partnering.settings as s; print(json.dumps(s.CACHES))"


def _caches(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "PAGE_CACHE_"))}
    return subprocess.run(
        [sys.executable, "-c", READ_CACHES],
        env={**environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_by_default_each_worker_keeps_its_caches_in_memory_with_the_pages_bounded_in_bytes():
    result = _caches()

    caches = json.loads(result.stdout)
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert caches["pages"]["BACKEND"] == "partnering.core.bytecache.BytesBoundedLocMemCache"
    assert caches["pages"]["OPTIONS"] == {"MAX_ENTRIES": 500, "MAX_BYTES": 32 * 1024 * 1024}


def test_cache_url_puts_both_caches_in_redis_under_the_deployments_prefix():
    result = _caches(CACHE_URL="redis://10.0.0.5:6379/2", CACHE_KEY_PREFIX="council-a", PAGE_CACHE_MAX_BYTES="1000")

    caches = json.loads(result.stdout)
    for alias, prefix in (("default", "council-a"), ("pages", "council-a:pages")):
        assert caches[alias]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert caches[alias]["LOCATION"] == "redis://10.0.0.5:6379/2"
        assert caches[alias]["KEY_PREFIX"] == prefix
        # Only the Redis client's own options: Django hands them all to the connection pool.
        assert set(caches[alias]["OPTIONS"]) == {"socket_connect_timeout", "socket_timeout", "health_check_interval"}


def test_a_cache_url_that_is_not_redis_stops_the_server():
    result = _caches(CACHE_URL="memcached://127.0.0.1:11211")

    assert result.returncode != 0
    assert "CACHE_URL must be a redis://, rediss:// or unix:// URL" in result.stderr
