"""Typed configuration helpers: a typo in production configuration stops the server."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from partnering.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " True "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG") is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)

    assert env_bool("FLAG", True) is False


@pytest.mark.parametrize("raw", ["maybe", "ture", "2"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)

    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)

    assert env_bool("FLAG", True) is True


def test_env_int_reads_a_number(monkeypatch):
    monkeypatch.setenv("PORT", "2525")

    assert env_int("PORT", 25) == 2525


@pytest.mark.parametrize("raw", ["twenty", "2.5", "25s"])
def test_env_int_refuses_text(monkeypatch, raw):
    monkeypatch.setenv("PORT", raw)

    with pytest.raises(ImproperlyConfigured, match="PORT"):
        env_int("PORT", 25)


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_env_int_uses_the_default_when_unset_or_blank(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("PORT", raising=False)
    else:
        monkeypatch.setenv("PORT", raw)

    assert env_int("PORT", 25) == 25


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " example.org, ,www.example.org ,")

    assert env_list("HOSTS") == ["example.org", "www.example.org"]


def test_env_list_uses_a_copy_of_the_default(monkeypatch):
    monkeypatch.delenv("HOSTS", raising=False)
    default = ["localhost"]

    hosts = env_list("HOSTS", default)
    hosts.append("x")

    assert default == ["localhost"]


def test_env_str_reads_text_or_the_default(monkeypatch):
    monkeypatch.delenv("NAME", raising=False)
    assert env_str("NAME", "fallback") == "fallback"

    monkeypatch.setenv("NAME", "value")
    assert env_str("NAME", "fallback") == "value"
