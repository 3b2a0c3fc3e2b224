"""Production settings: `partnering check --deploy` passes, and bad configuration stops the server."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest


def _partnering(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    for name in ("PARTNERING_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # set for the test run only
        environ.pop(name, None)
    environ.update({"PARTNERING_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "partnering.settings", **env})
    return subprocess.run(
        [sys.executable, "-m", "partnering.cli", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def production():
    return {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.org"}


def test_check_deploy_passes_with_production_settings(tmp_path, production):
    result = _partnering(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_missing_secret_key_stops_production(tmp_path, production):
    del production["SECRET_KEY"]

    result = _partnering(tmp_path, "check", **production)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_misspelt_boolean_stops_the_server(tmp_path, production):
    result = _partnering(tmp_path, "check", **(production | {"DEBUG": "flase"}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DEBUG" in result.stderr
