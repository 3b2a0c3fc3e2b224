"""The OpenAPI schema generates, validates, and has no warnings."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_schema_generates_and_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"

    # --fail-on-warn turns any drf-spectacular warning into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    schema = yaml.safe_load(out.read_text())
    assert "/api/v1/arrangements/{arrangement_slug}/members/" in schema["paths"]
    assert "bearerAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_schema_names_records_by_slug_and_uuid_never_by_id(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))

    schema = yaml.safe_load(out.read_text())
    for path in schema["paths"]:
        assert "{id}" not in path and "{pk}" not in path, path
    for name, component in schema["components"]["schemas"].items():
        assert "id" not in component.get("properties", {}), name


@pytest.mark.django_db
def test_schema_is_served_at_api_schema():
    response = APIClient().get("/api/schema/")

    assert response.status_code == 200
