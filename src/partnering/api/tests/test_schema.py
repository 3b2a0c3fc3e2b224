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


def test_choices_classes_that_share_a_name_get_the_app_in_their_enum_name():
    from partnering.api.views_base import choices_enum_name
    from partnering.kpis.models import Source as KpiSource
    from partnering.lessons.models import Source as LessonSource
    from partnering.risks.models import RiskStatus

    assert choices_enum_name(LessonSource) == "LessonsSourceEnum"
    assert choices_enum_name(KpiSource) == "KpisSourceEnum"
    assert choices_enum_name(RiskStatus) == "RiskStatusEnum"


@pytest.mark.django_db
def test_enums_are_named_by_app_where_names_clash_and_nullable_choices_admit_null(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))

    schema = yaml.safe_load(out.read_text())
    components = schema["components"]["schemas"]
    values = {name: tuple(c["enum"]) for name, c in components.items() if "enum" in c}
    assert {"ArrangementsProposalStatusEnum", "KpisProposalStatusEnum", "KpisSourceEnum"} <= set(values)
    assert "SourceEnum" not in values and "ProposalStatusEnum" not in values
    assert components["Lesson"]["properties"]["source"]["allOf"] == [{"$ref": "#/components/schemas/LessonsSourceEnum"}]
    for field in ("proximity", "response"):
        assert components["Risk"]["properties"][field]["nullable"] is True
    assert None not in values["ProximityEnum"]
