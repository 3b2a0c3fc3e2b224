"""The health check for load balancers and uptime monitors."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_it_works(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_needs_no_sign_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_down(client):
    with mock.patch("partnering.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect")

        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


@pytest.mark.django_db
def test_it_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
