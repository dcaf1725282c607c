"""Whether an exchange keeps to the spec: the answer (status, headers, body schema) and the
request (its token, `fields`, form), and what in a valid answer the spec does not describe.

Every finding names what failed, never the value that failed it: a schema error says where
and which keyword, not what the instance held.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .asgi import Headers
from .contract import Contract, ErrorReply, Operation
from .findings import Finding
from .userinfo import bearer

__all__ = ["MAX_SCHEMA_ERRORS", "error_code", "json_body", "request_findings", "response_findings"]

MAX_SCHEMA_ERRORS = 10
"""How many schema errors of one body are reported."""
NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
"""A code or field name that a finding may quote; anything else is described, not quoted."""
JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


def json_type(value: Any) -> str:
    """The JSON type of a parsed value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "integer" if isinstance(value, int) else "number"
    return JSON_TYPES.get(type(value), "unknown")


def json_body(body: bytes) -> tuple[Any, bool]:
    """The parsed body and True, or None and False if it is not JSON."""
    try:
        return json.loads(body), True
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, False


def error_code(body: Any) -> str | None:
    """The error code of an envelope (`error.code`) or of an OAuth error (`error`)."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        return code if isinstance(code, str) else None
    return error if isinstance(error, str) else None


def response_findings(
    contract: Contract, operation: Operation, status: int, headers: Headers, body: bytes
) -> list[Finding]:
    """What the upstream's answer breaks of the spec (violations), and what in it the spec
    does not describe (drift)."""
    op = operation.operation_id
    response = operation.responses.get(status)
    if response is None:
        documented = ", ".join(str(code) for code in operation.responses)
        return [Finding("violation", op, "status", f"one of {documented}", str(status))]
    found = []
    present = {name.decode("latin-1").lower(): value for name, value in headers}
    for name, (required, schema) in response.headers.items():
        if name not in present:
            if required:
                found.append(Finding("violation", op, f"header {name}", "present", "missing"))
        elif not response.header_validators[name].is_valid(present[name].decode("latin-1")):
            found.append(
                Finding("violation", op, f"header {name}", _keywords(schema), "a malformed value")
            )
    parsed, is_json = json_body(body)
    if not is_json:
        content_type = present.get("content-type", b"none").decode("latin-1")[:64]
        actual = f"{len(body)} bytes that are not JSON (content-type {content_type})"
        return [*found, Finding("violation", op, "body", "JSON", actual)]
    found += _schema_findings(op, "body", response.validator, parsed)
    return found + _drift(contract, operation, status, parsed)


def _schema_findings(op: str, what: str, validator: Any, value: Any) -> list[Finding]:
    """A violation for each way `value` fails the schema (once each, at most ten)."""
    found: dict[Finding, None] = {}
    for error in sorted(validator.iter_errors(value), key=lambda e: e.path):
        where = what + "".join(f"[{part!r}]" for part in error.absolute_path)
        finding = Finding("violation", op, where, _expected(error), "a value that fails it")
        found[finding] = None
    return list(found)[:MAX_SCHEMA_ERRORS]


def _drift(contract: Contract, operation: Operation, status: int, body: Any) -> list[Finding]:
    op = operation.operation_id
    found = []
    code = error_code(body)
    if code is not None and code not in operation.codes:
        found.append(Finding("drift", op, "error code", "a documented code", _quoted(code)))
    elif code is not None:
        statuses = sorted({r.status for r in operation.errors.values() if r.code == code})
        if statuses and status not in statuses:
            documented = " or ".join(map(str, statuses))
            found.append(Finding("drift", op, f"status of {code}", documented, str(status)))
    data = body.get("data") if isinstance(body, dict) else None
    user = data.get("user") if isinstance(data, dict) else None
    if isinstance(user, dict):
        for name in user:
            if name not in contract.field_scopes:
                found.append(Finding("drift", op, "User field", "a field of User", _quoted(name)))
    return found


def request_findings(
    operation: Operation,
    headers: Headers,
    fields_problem: ErrorReply | None,
    form: Mapping[str, str] | str | None,
) -> list[Finding]:
    """What the app's request breaks of the spec: the user-info request's bearer token and
    `fields` (as the mock reads them), an OAuth request's form and its schema."""
    op = operation.operation_id
    found = []
    if not operation.form_fields:
        if bearer(headers) is None:
            found.append(
                Finding("violation", op, "request Authorization", "Bearer <token>", "none")
            )
        if fields_problem is not None:
            actual = (
                "names that are not User fields"
                if fields_problem.message.startswith("Invalid fields")
                else fields_problem.message
            )
            found.append(Finding("violation", op, "request fields", "User field names", actual))
        return found
    if isinstance(form, str):
        return [Finding("violation", op, "request body", "the form the spec describes", form)]
    if form is not None:
        found += _schema_findings(op, "request form", operation.form_validator, form)
    return found


def _expected(error: Any) -> str:
    """What a schema error's keyword asked for, without the instance's value."""
    keyword, value = error.validator, error.validator_value
    if keyword == "required" and isinstance(error.instance, dict):
        missing = [name for name in value if name not in error.instance]
        return "required " + ", ".join(missing)
    if keyword in (
        "type", "pattern", "format", "maxLength", "minLength", "maxItems", "minItems",
        "minimum", "maximum",
    ):  # fmt: skip
        return f"{keyword} {value}"
    if keyword == "enum" and isinstance(value, Sequence):
        return "one of " + ", ".join(map(str, value))
    return str(keyword)


def _keywords(schema: Mapping[str, Any]) -> str:
    return ", ".join(f"{key} {schema[key]}" for key in ("pattern", "maxLength") if key in schema)


def _quoted(name: str) -> str:
    return name if NAME.fullmatch(name) else "a name that is not a plain identifier"
