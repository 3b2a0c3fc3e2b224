"""One structured log line per request, with its request id; nothing personal or confidential in it."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys

import pytest

from partnering.core.requestlog import RequestIdFilter, json_formatter


@pytest.fixture
def log_lines():
    """Every line logged during the test, as the production (JSON) handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    request_logger = logging.getLogger("partnering.request")
    level = request_logger.level
    request_logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    request_logger.setLevel(level)
    root.removeHandler(handler)


def _request_lines(lines):
    return [line for line in lines if line["logger"] == "partnering.request"]


@pytest.mark.django_db
def test_a_request_logs_one_json_line_with_its_fields(client, world, log_lines):
    client.force_login(world.alice)

    response = client.get(f"/arrangements/{world.arrangement.slug}/")

    [line] = _request_lines(log_lines())
    assert response.status_code == 200
    assert line["request_id"] == response["X-Request-ID"]
    assert {k: line[k] for k in ("level", "method", "path", "status", "user_id", "arrangement")} == {
        "level": "INFO",
        "method": "GET",
        "path": f"/arrangements/{world.arrangement.slug}/",
        "status": 200,
        "user_id": world.alice.pk,
        "arrangement": world.arrangement.slug,
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", line["time"])


@pytest.mark.django_db
def test_the_line_has_no_email_address_and_no_arrangement_content(client, world, log_lines):
    client.force_login(world.alice)

    client.get(f"/arrangements/{world.arrangement.slug}/?q={world.bob.email}")

    text = json.dumps(log_lines())
    assert world.alice.email not in text and world.bob.email not in text and "@" not in text
    assert world.arrangement.title not in text


@pytest.mark.django_db
def test_an_anonymous_request_is_logged_without_a_user(client, log_lines):
    response = client.get("/healthz")

    [line] = _request_lines(log_lines())
    assert (line["user_id"], line["arrangement"], line["status"]) == (None, None, response.status_code)


@pytest.mark.django_db
def test_every_response_carries_a_new_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_a_well_formed_incoming_request_id_is_kept(client, log_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2_B"})

    assert response["X-Request-ID"] == "lb-7f3a.2_B"
    assert _request_lines(log_lines())[0]["request_id"] == "lb-7f3a.2_B"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    ["x" * 65, "two words", "id\r\nSet-Cookie: a=b", '"}{"admin":true', "<script>alert(1)</script>", "é", ""],
)
def test_a_hostile_incoming_request_id_is_replaced(client, log_lines, hostile):
    response = client.get("/healthz", headers={"X-Request-ID": hostile})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert _request_lines(log_lines())[0]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_tokens_in_a_path_are_not_logged(client, log_lines):
    client.get("/accounts/password-reset/MQ/cbx1z2-0123456789abcdef/")

    [line] = _request_lines(log_lines())
    assert line["path"] == "/accounts/password-reset/<uidb64>/<token>/"


@pytest.mark.django_db
def test_lines_logged_during_a_request_carry_its_id(client, log_lines):
    client.get("/no-such-page/", headers={"X-Request-ID": "trace-1"})

    not_found = [line for line in log_lines() if line["logger"] == "django.request"]
    assert not_found and {line["request_id"] for line in not_found} == {"trace-1"}
    assert "request" not in not_found[0]  # its repr would show the query string


# -- configuration ------------------------------------------------------------------------------

PROBE = """
import django
django.setup()
from django.test import Client
Client().get("/healthz", secure=True)
"""


def _run(tmp_path, **env):
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PARTNERING_TESTING", "LOG_FORMAT"}}
    environ.update(
        {
            "PARTNERING_HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "partnering.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_logs_json_lines_to_standard_output(tmp_path):
    result = _run(tmp_path, DEBUG="false")

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    request = next(line for line in lines if line["logger"] == "partnering.request")
    assert request["path"] == "/healthz" and request["request_id"]


def test_development_logs_text_and_log_format_can_say_otherwise(tmp_path):
    text = _run(tmp_path, DEBUG="true")
    json_in_dev = _run(tmp_path, DEBUG="true", LOG_FORMAT="json")
    bad = _run(tmp_path, DEBUG="true", LOG_FORMAT="yaml")

    assert re.search(r" INFO partnering\.request \[[0-9a-f]{32}\] GET /healthz ", text.stdout)
    assert "partnering.request" in [json.loads(line)["logger"] for line in json_in_dev.stdout.splitlines()]
    assert bad.returncode != 0 and "LOG_FORMAT must be json or text" in bad.stderr
