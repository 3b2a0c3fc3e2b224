"""Hostile input against the API, generated from its own OpenAPI schema (schemathesis).

The schema is the one drf-spectacular builds in-process, and requests go
straight to the Django WSGI application: no server, no network.

- Anonymous clients: every operation answers 401, whatever the input.
- alice (the SRO) with a read and write token: no 5xx, and every response
  conforms to the schema (status code documented, body valid, content type).

Path parameters are pointed at real records (seeded with the services), so
that detail endpoints and actions run their validation instead of
answering 404 from the gate. Bounded for CI: few examples per operation, no
coverage or stateful phase, derandomized so that a failure reproduces.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from .seed import Seeded, seed

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 7,
        "generation": {"mode": "all", "deterministic": True, "database": "none"},
        # The coverage phase sends every boundary value of every field: thousands of requests.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
# Few examples per operation: 108 operations run twice on each database in CI. Function-scoped
# fixtures are safe here (each example's writes stay inside the test's transaction).
ANONYMOUS = settings(
    max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
MEMBER = settings(
    max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def _load_schema() -> schemathesis.BaseSchema:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()

#: Operations known to break the schema: strict xfail with the reason (tests/security/conftest.py
#: applies them), so that a fix turns them into XPASS failures and the entry must go. Nothing is
#: excluded from the run. None is known now: S1-S7 of SECURITY-FINDINGS.md are fixed.
KNOWN_FAILURES: dict[str, str] = {}


@pytest.fixture(autouse=True, scope="module")
def _keep_the_test_connection() -> Iterator[None]:
    """Call the WSGI application as Django's test client does: without closing the connection.

    The real handler closes "old" connections at the end of each request; on PostgreSQL that
    closes the test's own connection, inside its transaction (SQLite's in-memory one survives).
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# -- pointing path parameters at real records ------------------------------------------

_PARAM = re.compile(r"\{(\w+)\}")


def _path_values(path: str, arrangement_slug: str, organisation_slug: str, records: Seeded | None) -> dict[str, str]:
    """The value of each path parameter of `path`, by the collection it follows."""
    segments = path.strip("/").split("/")
    values: dict[str, str] = {}
    by_collection = {}
    if records is not None:
        by_collection = {
            "outcomes": records.outcome.uuid,
            "actions": records.action.uuid,
            "risks": records.risk.uuid,
            "concerns": records.concern.uuid,
            "versions": records.charter_version.uuid,
            "lessons": records.lesson.uuid,
            "kpis": records.kpi.uuid,
            "meetings": records.meeting.uuid,
            "decisions": records.decision.uuid,
            "assessments": records.assessment.uuid,
            "peers": records.peer_pair.uuid,
            "lines": records.cost_line.uuid,
            "members": records.member.uuid,
        }
    for index, segment in enumerate(segments):
        match = _PARAM.fullmatch(segment) or (
            re.fullmatch(r"v\{(\w+)\}", segment) if segment.startswith("v{") else None
        )
        if not match:
            continue
        name, collection = match.group(1), segments[index - 1]
        if name in ("arrangement_slug",) or (name == "slug" and collection == "arrangements"):
            values[name] = arrangement_slug
        elif name == "slug" and collection == "organisations":
            values[name] = organisation_slug
        elif name == "key":
            values[name] = "annex-b"
        elif name == "version":
            values[name] = "1"
        elif name == "question_id":
            values[name] = records.assessment.bank.bank.question_ids[0] if records else "B1.1"
        elif collection in by_collection:
            values[name] = str(by_collection[collection])
        else:
            # No record of this kind is seeded (incentives, openness proposals): a well-formed
            # id that names nothing, so the answer is the gate's 404.
            values[name] = str(uuid.uuid4())
    return values


def _point_at(case: schemathesis.Case, values: dict[str, str]) -> None:
    if case.path_parameters is not None:
        case.path_parameters.update({k: v for k, v in values.items() if k in case.path_parameters})


# -- checks ----------------------------------------------------------------------------


@schemathesis.check
def documented_status(ctx, response, case) -> None:
    """Every answer, success or error, must be documented for the operation (its body is checked too)."""
    documented = {int(code) for code in case.operation.responses.status_codes if code.isdigit()}
    if response.status_code not in documented:
        raise AssertionError(
            f"{case.operation.label} answered {response.status_code}; the schema documents {sorted(documented)}"
        )


def test_every_operation_documents_its_error_responses() -> None:
    """Clients generated from the schema know the errors every operation can answer.

    400 on writes, 401 and 403 everywhere, 404 where the path names something,
    409 where the client sends back a record's lock `version` (partnering.api.schema).
    """
    missing = []
    for path, operations in schema.raw_schema["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            expected = {"401", "403"}
            if method in ("post", "put", "patch", "delete"):
                expected.add("400")
            if "{" in path:
                expected.add("404")
            absent = expected - set(operation["responses"])
            if absent:
                missing.append(f"{method.upper()} {path}: {', '.join(sorted(absent))}")
    assert not missing, f"{len(missing)} operations do not document their errors:\n" + "\n".join(missing)


def test_error_responses_share_the_error_components() -> None:
    components = schema.raw_schema["components"]["schemas"]
    assert {"Error", "ValidationError", "EditConflict", "FieldChange"} <= set(components)
    risk_put = schema.raw_schema["paths"]["/api/v1/arrangements/{arrangement_slug}/risks/{risk_uuid}/"]["put"]
    assert risk_put["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EditConflict"
    }
    # A `version` that is not a lock (the question bank's) gives no 409.
    assert (
        "409"
        not in schema.raw_schema["paths"]["/api/v1/arrangements/{arrangement_slug}/assessments/"]["post"]["responses"]
    )


# -- anonymous ---------------------------------------------------------------------------


@pytest.fixture
def anonymous_paths(db) -> dict[str, str]:
    return {"arrangement_slug": "digital-services", "organisation_slug": "northshire-county-council"}


@schema.parametrize()
@ANONYMOUS
def test_an_anonymous_client_gets_401_from_every_operation(case: schemathesis.Case, anonymous_paths) -> None:
    _point_at(
        case,
        _path_values(
            case.operation.path, anonymous_paths["arrangement_slug"], anonymous_paths["organisation_slug"], None
        ),
    )
    # Whatever the input, nothing is read or validated before authentication. A generated
    # Host header is dropped too: Django rightly answers 400 to a malformed Host before any
    # view runs, which says nothing about authentication.
    case.headers = {
        k: v for k, v in (case.headers or {}).items() if k.lower() not in ("authorization", "cookie", "host")
    }
    response = case.call()
    assert response.status_code == 401, (
        f"{case.operation.label} answered {response.status_code} to an anonymous client:\n"
        f"{response.text[:500]}\n\nReproduce with:\n{case.as_curl_command()}"
    )


# -- alice, with a read and write token ----------------------------------------------------


@pytest.fixture(scope="module")
def alice_api(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """The world and one record of each kind, made once for the module's 108 operations.

    Committed, so that each operation's test (inside its own rolled-back transaction)
    starts from the same records; flushed afterwards, as a transactional test would be.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from partnering.accounts.models import TokenScope
    from partnering.accounts.services import token_create
    from partnering.testing import build_world

    with django_db_blocker.unblock():
        world = build_world()
        records = seed(world, "Plain text")
        _token, secret = token_create(user=world.alice, name="schemathesis", scope=TokenScope.READ_WRITE)
        world.arrangement.refresh_from_db()
        yield {
            "headers": {"Authorization": f"Bearer {secret}"},
            "arrangement_slug": world.arrangement.slug,
            "organisation_slug": world.customer.slug,
            "records": records,
        }
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


@schema.parametrize()
@MEMBER
def test_a_member_with_a_write_token_gets_no_5xx_and_documented_answers(
    case: schemathesis.Case, alice_api: dict[str, Any], db: None
) -> None:
    _point_at(
        case,
        _path_values(
            case.operation.path, alice_api["arrangement_slug"], alice_api["organisation_slug"], alice_api["records"]
        ),
    )
    case.call_and_validate(
        headers=alice_api["headers"],
        checks=[
            not_a_server_error,
            documented_status,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
