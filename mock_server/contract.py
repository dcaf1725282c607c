"""What the mock must honour, derived from the OpenAPI document once, at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from .spec import USER_INFO, response_examples

__all__ = ["Contract", "ErrorReply", "Operation", "Response"]


@dataclass(frozen=True)
class ErrorReply:
    """A documented error: its HTTP status, code and message.

    `oauth` errors come in OAuth's shape, `{"error", "error_description", "log_id"}`; the
    others in TikTok's envelope, `{"data": {}, "error": {"code", "message", "log_id"}}`.
    """

    status: int
    code: str
    message: str
    oauth: bool = False

    def with_message(self, message: str) -> ErrorReply:
        return ErrorReply(self.status, self.code, message, self.oauth)


@dataclass(frozen=True)
class Response:
    """A documented response of an operation: its JSON body's schema, and its headers, each
    with whether it is required and its schema."""

    schema: Mapping[str, Any]
    headers: Mapping[str, tuple[bool, Mapping[str, Any]]]

    @cached_property
    def validator(self) -> Any:
        """The body schema's validator, built when first asked for."""
        return _validator(self.schema)

    @cached_property
    def header_validators(self) -> dict[str, Any]:
        """Each header schema's validator, built when first asked for."""
        return {name: _validator(schema) for name, (_, schema) in self.headers.items()}


@dataclass(frozen=True)
class Operation:
    """An operation of the spec: where it lives, and the errors its examples document."""

    operation_id: str
    path: str
    method: str
    """Upper case."""
    errors: Mapping[str, ErrorReply]
    """Each error response example, by the example's name, in the order of the spec."""
    form_fields: Mapping[str, int | None] = field(default_factory=dict)
    """The fields of its form-encoded request body, if it takes one, each with its
    `maxLength` (None: no limit)."""
    responses: Mapping[int, Response] = field(default_factory=dict)
    """Each documented status and its response."""
    codes: frozenset[str] = frozenset()
    """The error codes its responses' schemas list as documented (`ok` included)."""
    form_schema: Mapping[str, Any] = field(default_factory=dict)
    """The schema of its form-encoded request body, if it takes one."""

    @cached_property
    def form_validator(self) -> Any:
        """The form schema's validator, built when first asked for."""
        return _validator(self.form_schema)

    def error(self, name: str) -> ErrorReply | None:
        """The error an example name or an error code names (a code: its first example)."""
        return self.errors.get(name) or next(
            (reply for reply in self.errors.values() if reply.code == name), None
        )

    def error_of_status(self, status: int) -> ErrorReply | None:
        """The first documented error of `status`."""
        return next((reply for reply in self.errors.values() if reply.status == status), None)


@dataclass(frozen=True, eq=False)
class Contract:
    """The API's facts: its operations, fields, scopes and documented errors.

    Compared and hashed by identity, so that what is derived from a contract can be kept for
    it (the fixtures' validator).
    """

    version: str
    """The spec's `info.version`: the version of the mock and of the client."""
    operations: Mapping[str, Operation]
    """Each operation, by operationId."""
    field_scopes: Mapping[str, str]
    """Each `User` field and the scope its `x-tiktok-scope` names."""
    scopes: frozenset[str]
    """Every OAuth scope the security scheme declares."""
    max_fields: int
    """How many names the `fields` parameter of `GET /v2/user/info/` takes (its maxItems)."""
    user_schema: Mapping[str, Any]
    default_scopes: tuple[str, ...] = ()
    """The scopes `GET /v2/user/info/` requires at the least (its security requirement):
    what a token added without scopes grants."""
    authorize_path: str = "/"
    """The path of the OAuth flow's `authorizationUrl` (TikTok's consent page)."""
    document: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """The spec itself, its references resolved: what other documents' references to it
    name (the fixtures' schema, through the admin spec's)."""

    @property
    def user_info(self) -> Operation:
        """`GET /v2/user/info/`."""
        path, method = USER_INFO
        return next(
            op for op in self.operations.values() if (op.path, op.method) == (path, method.upper())
        )

    @property
    def errors(self) -> Mapping[str, ErrorReply]:
        """The documented errors of `GET /v2/user/info/`, by example name."""
        return self.user_info.errors

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Contract:
        user_schema = document["components"]["schemas"]["User"]
        (flow,) = document["components"]["securitySchemes"]["oauth2"]["flows"].values()
        path, method = USER_INFO
        (fields,) = document["paths"][path][method]["parameters"]
        return cls(
            version=str(document["info"]["version"]),
            operations={
                op["operationId"]: Operation(
                    op["operationId"],
                    path,
                    method.upper(),
                    _errors(op),
                    _form_fields(op),
                    _responses(op),
                    _documented_codes(op),
                    _form_schema(op),
                )
                for path, item in document["paths"].items()
                for method, op in item.items()
            },
            field_scopes={
                name: prop["x-tiktok-scope"] for name, prop in user_schema["properties"].items()
            },
            scopes=frozenset(flow["scopes"]),
            max_fields=fields["schema"]["maxItems"],
            user_schema=user_schema,
            default_scopes=tuple(document["paths"][path][method]["security"][0]["oauth2"]),
            authorize_path=urlsplit(flow["authorizationUrl"]).path,
            document=document,
        )


def _form_schema(op: dict[str, Any]) -> dict[str, Any]:
    content = op.get("requestBody", {}).get("content", {})
    schema: dict[str, Any] = content.get("application/x-www-form-urlencoded", {}).get("schema", {})
    return schema


def _form_fields(op: dict[str, Any]) -> dict[str, int | None]:
    properties = _form_schema(op).get("properties", {})
    return {name: prop.get("maxLength") for name, prop in properties.items()}


def _validator(schema: Mapping[str, Any]) -> Any:
    """An OpenAPI 3.0 schema's validator (imported only by what checks answers: the proxy)."""
    from openapi_schema_validator import OAS30Validator

    return OAS30Validator(schema)


def _responses(op: dict[str, Any]) -> dict[int, Response]:
    return {
        int(status): Response(
            response.get("content", {}).get("application/json", {}).get("schema", {}),
            {
                name.lower(): (bool(header.get("required")), header.get("schema", {}))
                for name, header in response.get("headers", {}).items()
            },
        )
        for status, response in op["responses"].items()
    }


def _documented_codes(op: dict[str, Any]) -> frozenset[str]:
    """The `enum` of the error code in each response schema: the envelope's `error.code`, or
    OAuth's `error`, each an `anyOf` of the documented codes and any string."""
    codes: set[str] = set()
    for response in _responses(op).values():
        error = response.schema.get("properties", {}).get("error", {})
        code = error.get("properties", {}).get("code", error)
        for choice in code.get("anyOf", []):
            codes.update(choice.get("enum", []))
    return frozenset(codes)


def _errors(op: dict[str, Any]) -> dict[str, ErrorReply]:
    """The error examples of `op`, in whichever of the two shapes each comes."""
    errors = {}
    for example in response_examples(op):
        if example.status < 400:
            continue
        value = example.value
        if isinstance(value["error"], dict):
            reply = ErrorReply(example.status, value["error"]["code"], value["error"]["message"])
        else:
            reply = ErrorReply(example.status, value["error"], value["error_description"], True)
        errors[example.name] = reply
    return errors
