"""Issue 16: two app servers behind one load balancer share their caches through Redis (`CACHE_URL`).

Two gunicorn instances (one worker each, production settings, 127.0.0.1 only) run on the
shared test database with `CACHE_URL` pointing at Redis. Every request carries the same public
`Host` and `X-Forwarded-Proto`, as a load balancer's would. Checked:

- a page kept by server A is served by server B to the same reader (same session cookie), and so
  is an API list and the portfolio (whose rows live in the default cache, in Redis too);
- never to another reader: bob asks for the same URL through B and gets his own render;
- a write through either server retires it: the next read, through the other, is rendered afresh.

Whether a response came from the cache is read from `X-Page-Cache`, which the servers add only
because `PAGE_CACHE_HEADER` is on. Redis database 15 (`TEST_REDIS_URL` to change it) holds the
keys under a prefix of this run's own, deleted before and after: not FLUSHDB, because CI runs the
suite on SQLite and on PostgreSQL at the same time and developers share the machine's Redis.

Redis down: skipped on a developer's machine, a failure in CI (CI=true).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
HOST = "partnering.test"  # the public host the load balancer passes on to every server
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _redis() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        message = f"Redis at {REDIS_URL} does not answer ({exc}): the two-server cache test needs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return client


def _delete_prefixed(client: Any, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture
def redis_keys() -> Iterator[tuple[Any, str]]:
    """Redis, and a key prefix of this run's own, empty before and after."""
    client = _redis()
    prefix = f"twoservers-{uuid.uuid4().hex[:12]}"
    _delete_prefixed(client, prefix)
    try:
        yield client, prefix
    finally:
        _delete_prefixed(client, prefix)
        client.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Page-Cache")

    def same_page(self) -> str:
        """The body without the per-render mask of the CSRF token."""
        return CSRF_INPUT.sub("csrf", self.body)


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def request(self, method: str, path: str, *, cookies: dict[str, str], **kwargs: Any) -> Answer:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = kwargs.pop("json", None)
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read().decode())
        finally:
            connection.close()


@dataclass
class Reader:
    """A person's browser: their session cookie and CSRF cookie, whichever server answers."""

    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, server: Server, path: str) -> Answer:
        answer = server.request("GET", path, cookies=self.cookies)
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer


def _start(name: str, env: dict[str, str], tmp_path: Path) -> Server:
    port = _free_port()
    log = tmp_path / f"gunicorn-{name}.log"
    process = subprocess.Popen(  # our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "partnering.wsgi:application", "--workers", "1"]
        + ["--bind", f"127.0.0.1:{port}", "--error-logfile", str(log), "--capture-output"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Server(name, port, process, log)


def _wait_until_up(server: Server, deadline: float) -> None:
    answer: Any = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            answer = server.request("GET", "/healthz", cookies={})
            if answer.status == 200:
                return
        except OSError as exc:
            answer = exc
        time.sleep(0.2)
    log = server.log.read_text() if server.log.exists() else ""
    pytest.fail(f"gunicorn {server.name} did not come up (last answer: {answer}):\n{log[-3000:]}")


@pytest.fixture
def servers(shared_db, redis_keys, settings, tmp_path) -> Iterator[tuple[Server, Server]]:
    _, prefix = redis_keys
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnering.settings",
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "DATABASE_URL": shared_db.url,
        "DB_CONN_MAX_AGE": "0",  # no connection left open when the test database is dropped
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are signed with it
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "PARTNERING_TESTING": "true",  # static files without collectstatic's manifest
        "PARTNERING_HOME": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "PAGE_CACHE_SECONDS": "300",
        "PAGE_CACHE_HEADER": "true",
    }
    started = [_start("A", env, tmp_path), _start("B", env, tmp_path)]
    try:
        deadline = time.monotonic() + 120  # a loaded machine boots Django slowly
        for server in started:
            _wait_until_up(server, deadline)
        yield started[0], started[1]
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def _signed_in(user: Any, server: Server) -> Reader:
    """A session made here (in the shared database), and the CSRF cookie from a first page."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    reader = Reader({"sessionid": client.cookies["sessionid"].value})
    assert reader.get(server, "/accounts/settings/").status == 200
    assert "csrftoken" in reader.cookies
    return reader


def _write_an_action(server: Server, token: str, slug: str, title: str, owner: Any) -> None:
    answer = server.request(
        "POST",
        f"/api/v1/arrangements/{slug}/actions/",
        cookies={},
        headers={"Authorization": f"Bearer {token}"},
        json={"title": title, "owner": owner.email},
    )
    assert answer.status == 201, answer.body


def test_two_servers_share_kept_pages_per_reader_and_a_write_through_either_retires_them(
    shared_db, servers, redis_keys
):
    from partnering.accounts.models import TokenScope
    from partnering.accounts.services import token_create
    from partnering.testing import build_world

    world = build_world()
    world.alice.is_portfolio_manager = True
    world.alice.save()
    a, b = servers
    redis, prefix = redis_keys
    slug = world.arrangement.slug
    page = f"/arrangements/{slug}/actions/"
    alice, bob, charlie = (_signed_in(world.alice, a), _signed_in(world.bob, b), _signed_in(world.charlie, b))

    # Kept by A, served by B to the same reader: the same page, from Redis.
    first = alice.get(a, page)
    assert (first.status, first.cache) == (200, "miss")
    assert list(redis.scan_iter(match=f"{prefix}:pages:*"))
    second = alice.get(b, page)
    assert (second.status, second.cache) == (200, "hit")
    assert second.same_page() == first.same_page()
    assert "Alice Adams" in second.body

    # Never to another reader: bob's render is his own; charlie, an outsider, is refused.
    theirs = bob.get(b, page)
    assert (theirs.status, theirs.cache) == (200, "miss")
    assert "Bob Brown" in theirs.body and "Alice Adams" not in theirs.body.split("</header>")[0]
    assert charlie.get(b, page).status == 404

    # A write through B retires the page A kept; the page A renders again is then served by B.
    bobs_token = token_create(user=world.bob, name="B", scope=TokenScope.READ_WRITE)[1]
    _write_an_action(b, bobs_token, slug, "Written through server B", world.alice)
    after = alice.get(a, page)
    assert (after.status, after.cache) == (200, "miss")
    assert "Written through server B" in after.body
    assert alice.get(b, page).cache == "hit"

    # And a write through A retires what B would serve.
    alices_token = token_create(user=world.alice, name="A", scope=TokenScope.READ_WRITE)[1]
    _write_an_action(a, alices_token, slug, "Written through server A", world.bob)
    again = alice.get(b, page)
    assert (again.status, again.cache) == (200, "miss")
    assert "Written through server A" in again.body

    # An API list and the portfolio (its rows in the default cache) are shared the same way.
    api = f"/api/v1/arrangements/{slug}/actions/"
    bearer = {"Authorization": f"Bearer {alices_token}"}
    listed = a.request("GET", api, cookies={}, headers=bearer)
    assert (listed.status, listed.headers.get("X-Page-Cache")) == (200, "miss")
    shared = b.request("GET", api, cookies={}, headers=bearer)
    assert (shared.status, shared.headers.get("X-Page-Cache")) == (200, "hit")
    assert json.loads(shared.body) == json.loads(listed.body)

    assert alice.get(a, "/portfolio/").cache == "miss"
    assert list(redis.scan_iter(match=f"{prefix}:1:portfolio-row:*"))
    assert alice.get(b, "/portfolio/").cache == "hit"
