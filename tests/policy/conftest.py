"""The route matrix runs thousands of requests against one world.

Building the world (organisations, people, memberships, roles) once per module
instead of once per test keeps the matrix fast: the world is created inside a
module-wide transaction that is rolled back at the end, and every test still
runs in its own savepoint, so whatever a request writes is undone after it.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    from partnering.testing import build_world, shared_for_the_module

    with shared_for_the_module(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(_module_world, db):
    return _module_world
