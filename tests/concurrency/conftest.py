"""A test database that other threads and processes really share, and a threaded server on it.

pytest-django's `live_server` is not used: on SQLite the test database lives in memory and
Django hands that one connection to every request thread of the live server, so concurrent
requests would interleave their transactions on a single connection and the test would
measure that, not the application. Here, on SQLite the committed test database is copied
to a file for the test, and the test, each request thread and each child process open
their own connections to it, as gunicorn workers do in production (WAL, busy timeout,
IMMEDIATE transactions from settings). On PostgreSQL the test database is used as it is.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend


@dataclass
class SharedDatabase:
    settings_dict: dict[str, Any]
    url: str  # DATABASE_URL for a child process
    vendor: str

    def open(self) -> Any:
        """A new connection wrapper for the calling thread, to install as connections['default']."""
        return load_backend(self.settings_dict["ENGINE"]).DatabaseWrapper(dict(self.settings_dict), DEFAULT_DB_ALIAS)


def _url(settings_dict: dict[str, Any]) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def shared_db(transactional_db: None, tmp_path: Path) -> Iterator[SharedDatabase]:
    """The test database, committed and visible to other threads and processes."""
    original = connections[DEFAULT_DB_ALIAS]
    if original.vendor == "postgresql":
        yield SharedDatabase(original.settings_dict, _url(original.settings_dict), "postgresql")
        return
    if original.vendor != "sqlite":
        pytest.skip(f"no shared test database for {original.vendor}")
    if not original.is_in_memory_db():
        path = Path(original.settings_dict["NAME"])
        yield SharedDatabase(original.settings_dict, f"sqlite:///{path}", "sqlite")
        return
    # Copy the migrated, empty in-memory database (with the rows post_migrate writes).
    path = tmp_path / "shared.sqlite3"
    original.ensure_connection()
    target = sqlite3.connect(path)
    try:
        original.connection.backup(target)
    finally:
        target.close()
    shared = SharedDatabase({**original.settings_dict, "NAME": str(path)}, f"sqlite:///{path}", "sqlite")
    mine = shared.open()
    connections[DEFAULT_DB_ALIAS] = mine
    try:
        yield shared
    finally:
        mine.close()
        connections[DEFAULT_DB_ALIAS] = original


@pytest.fixture
def server(shared_db: SharedDatabase) -> Iterator[str]:
    """Django's threaded development server on the shared database: one connection per request thread."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import QuietWSGIRequestHandler

    own_connections = shared_db.vendor == "sqlite"

    class Server(ThreadedWSGIServer):
        # Keep-alive clients each get a thread for their connection's lifetime; the base class
        # closes the thread's database connections when the client hangs up.
        daemon_threads = True
        request_queue_size = 64

        def process_request_thread(self, request: Any, client_address: Any) -> None:
            if own_connections:
                connections[DEFAULT_DB_ALIAS] = shared_db.open()
            super().process_request_thread(request, client_address)

    httpd = Server(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
