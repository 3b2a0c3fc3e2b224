"""`partnering create_token EMAIL`: the raw token alone on stdout, messages on stderr."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

import partnering
from partnering.accounts.models import ApiToken, TokenScope, hash_token


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_only_the_token_on_stdout(world):
    out, err = run("alice@northshire.example")

    lines = out.splitlines()
    assert len(lines) == 1
    raw = lines[0]
    assert raw.startswith("prt_")
    assert ApiToken.objects.get(user=world.alice).key_hash == hash_token(raw)
    assert "alice@northshire.example" in err
    assert raw not in err


def test_it_is_read_only_by_default_and_named_for_the_command_line(world):
    run("alice@northshire.example")

    token = ApiToken.objects.get(user=world.alice)
    assert token.scope == TokenScope.READ
    assert token.name == "Command line"


def test_it_takes_a_name_and_scope(world):
    run("ALICE@northshire.example", "--name", "CI", "--scope", "read_write")

    token = ApiToken.objects.get(user=world.alice)
    assert (token.name, token.scope) == ("CI", TokenScope.READ_WRITE)


def test_unknown_email_is_a_command_error(world):
    with pytest.raises(CommandError, match="nobody@example.org"):
        run("nobody@example.org")
    assert not ApiToken.objects.exists()


def test_deactivated_account_is_a_command_error(world):
    world.alice.is_active = False
    world.alice.save()

    with pytest.raises(CommandError):
        run("alice@northshire.example")


def test_unknown_scope_is_refused(world):
    with pytest.raises(CommandError):
        run("alice@northshire.example", "--scope", "admin")


# -- as a shell runs it -------------------------------------------------------------------------

SETUP = """
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
from django.db.models.signals import post_migrate
post_migrate.receivers.clear()  # only the accounts tables: no question banks, no permissions
call_command("migrate", "accounts", verbosity=0)
get_user_model().objects.create_user("ci@northshire.example", full_name="CI robot")
"""


def test_a_shell_capturing_its_output_gets_the_token_alone(tmp_path):
    """`TOKEN=$(partnering create_token EMAIL)` as the README promises: the real start-up and logging
    configuration (text logs on standard output in development), nothing but the token on stdout."""
    src = str(Path(partnering.__file__).resolve().parent.parent)
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PARTNERING_TESTING", "LOG_FORMAT"}}
    environ |= {
        "PYTHONPATH": src,
        "DJANGO_SETTINGS_MODULE": "partnering.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tokens.sqlite3'}",
        "LOG_LEVEL": "DEBUG",
    }

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], env=environ, capture_output=True, text=True, timeout=300, check=True
        )

    python("-c", SETUP)
    result = python("-m", "partnering.cli", "create_token", "ci@northshire.example")

    assert result.stdout.startswith("prt_") and len(result.stdout.splitlines()) == 1, result.stdout
    assert "ci@northshire.example" in result.stderr
