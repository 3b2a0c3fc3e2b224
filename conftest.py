"""Shared test fixtures: the alice / bob / charlie / dave pattern.

- alice: customer side, SRO of `arrangement`
- bob: provider side, SRIE of `arrangement`
- charlie: an outsider (member of another arrangement only)
- dave: observer (read only) on the customer side
- fran: the neutral partnering facilitator
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

#: The apps' browser-test harness: Debian's Chromium and the live server for Playwright's fixtures.
pytest_plugins = ["partnering.browser_testing"]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property tests judge results, not speed: Hypothesis's default 200 ms deadline per example
# failed a gain-share property in CI while SQLite and PostgreSQL runs shared two cores.
# In CI the examples are also derived from each test's name, so a red run can be replayed.
hypothesis_settings.register_profile("partnering", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("partnering"), derandomize=True, print_blob=True
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "partnering")
os.environ.setdefault("PARTNERING_TESTING", "true")

# A template of ours that refers to something that does not exist fails the test instead of
# rendering nothing (see core/strict_templates.py).
from partnering.core import strict_templates  # noqa: E402

strict_templates.install()


@pytest.fixture(autouse=True)
def _fast_email(settings, request):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from partnering.testing import TEST_PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = TEST_PASSWORD_HASHERS
    # Most tests write through services or the ORM and then read a page, which the page cache
    # (core.pagecache) would rightly serve as it was: only writes made through requests retire a
    # kept page. Those tests are about the page, so the cache is off; its own tests
    # (core/tests/test_pagecache.py) turn it on with the `page_cache` fixture, and the browser
    # tests and the production check run with it on.
    settings.PAGE_CACHE_SECONDS = 300 if request.node.get_closest_marker("browser") else 0


@pytest.fixture
def page_cache(settings):
    """The page cache as in production (see core.pagecache)."""
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def world(db):
    from partnering.testing import build_world

    return build_world()


@pytest.fixture
def arrangement(world):
    return world.arrangement


@pytest.fixture
def alice(world):
    return world.alice


@pytest.fixture
def bob(world):
    return world.bob


@pytest.fixture
def charlie(world):
    return world.charlie


@pytest.fixture
def dave(world):
    return world.dave


@pytest.fixture
def fran(world):
    return world.fran


@pytest.fixture(autouse=True)
def _forget_the_actor():
    """The audit trail's acting member is kept per thread (core.audit.set_actor):
    forget it after each test, as ActorMiddleware does after each request."""
    yield
    from partnering.core.audit import set_actor

    set_actor(None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached values are keyed by primary keys, which the next test's rolled-back database
    hands out again: start each test with an empty cache."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()
    yield
