"""The error answers of every operation, documented once for the whole API.

drf-spectacular documents the success status of each view and nothing else.
The errors come from code every view shares (authentication, the permission
classes, the access gate and `partnering.api.errors`), so they are added here,
from the generated schema, rather than with `responses=` on some 100 views:

- 400 on every write (POST, PUT, PATCH, DELETE), in DRF's field-error shape,
  unless the view documents a 400 body of its own (e.g. `AnswersRejected`), and on
  every paginated list (a `limit` or `offset` out of range, `api.pagination`);
- 401 and 403 everywhere;
- 404 wherever the path names something (an arrangement, a record, a bank);
- 409 where the client sends back the `version` of the record it read and the
  answer is that record (its `version` is in the response): a stale version
  is refused with `EditConflict`.

Registered in `SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`, after
drf-spectacular's enum hook.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings

WRITE_METHODS = ("post", "put", "patch", "delete")
METHODS = ("get", *WRITE_METHODS)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


#: The bodies `partnering.api.errors` and DRF answer with, as shared components.
COMPONENTS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "Why the request was refused, in a sentence.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "The input was refused. Each refused field's messages under its name (a nested object or "
            "list has its errors by field name or position); errors not tied to one field under "
            f"`{api_settings.NON_FIELD_ERRORS_KEY}`; a body that could not be read at all under `detail`."
        ),
        "properties": {
            api_settings.NON_FIELD_ERRORS_KEY: {"type": "array", "items": {"type": "string"}},
            "detail": {"type": "string"},
        },
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
    },
    "EditConflict": {
        "type": "object",
        "description": (
            "Someone saved the record after you read it. Nothing was saved: read it again "
            "(`current_version`), look at what they changed, and send your edit with that version."
        ),
        "properties": {
            "detail": {"type": "string"},
            "changes": {"type": "array", "items": _ref("FieldChange")},
            "current_version": {"type": "integer"},
        },
        "required": ["detail", "changes", "current_version"],
    },
    "FieldChange": {
        "type": "object",
        "description": "A field the other person changed: people by e-mail address, records by UUID.",
        "properties": {
            "field": {"type": "string"},
            "label": {"type": "string"},
            "theirs": {"nullable": True, "description": "The value they saved."},
            "yours": {"nullable": True, "description": "The value you sent."},
        },
        "required": ["field", "label", "theirs", "yours"],
    },
}

RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("ValidationError", "The input was refused; nothing was saved."),
    "401": ("Error", "Not signed in: send `Authorization: Bearer <token>`."),
    "403": ("Error", "Not allowed: a read-only token on a write, or a role without this permission."),
    "404": ("Error", "No such record, or not one you can see (outsiders get 404, never 403)."),
    "409": ("EditConflict", "Someone saved the record since the `version` you sent; nothing was saved."),
}


#: The 400 of a paginated list, which saves nothing.
PAGE_REFUSED = "A `limit` or `offset` out of range (see the parameters): follow `next` for more."


def _paginated(operation: dict[str, Any]) -> bool:
    return any(p.get("in") == "query" and p.get("name") == "limit" for p in operation.get("parameters", []))


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the error responses each operation can answer (see the module's docstring)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    clashes = sorted(set(COMPONENTS) & set(schemas))
    if clashes:
        raise ValueError(f"A serializer's component has the name of an error component: {clashes}")
    schemas.update(COMPONENTS)
    result["components"]["schemas"] = dict(sorted(schemas.items()))

    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            codes = ["401", "403"]
            if method in WRITE_METHODS or _paginated(operation):
                codes.append("400")
            if "{" in path:
                codes.append("404")
            if _sends_back_a_lock_version(operation, schemas):
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                name, description = RESPONSES[code]
                if code == "400" and method not in WRITE_METHODS:
                    description = PAGE_REFUSED
                responses.setdefault(
                    code, {"content": {"application/json": {"schema": _ref(name)}}, "description": description}
                )
            operation["responses"] = dict(sorted(responses.items()))
    return result


def _component(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema


def _sends_back_a_lock_version(operation: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """The request carries `version` and the answer is a record with a `version` of its own.

    That tells optimistic locking (`core.concurrency.save_versioned`) from a
    `version` that names something else, such as a question bank's.
    """
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "version" not in _component(body, schemas).get("properties", {}):
        return False
    for code, response in operation.get("responses", {}).items():
        if code.startswith("2"):
            answer = response.get("content", {}).get("application/json", {}).get("schema", {})
            if "version" in _component(answer, schemas).get("properties", {}):
                return True
    return False
