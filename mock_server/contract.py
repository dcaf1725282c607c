"""What the mock must honour, derived from the OpenAPI document once, at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .spec import USER_INFO, operation, response_examples

__all__ = ["Contract", "ErrorReply"]


@dataclass(frozen=True)
class ErrorReply:
    """A documented error: its HTTP status, `error.code` and `error.message`."""

    status: int
    code: str
    message: str


@dataclass(frozen=True)
class Contract:
    """The endpoint's facts: its path, fields, scopes and documented errors."""

    path: str
    method: str
    operations: Mapping[str, tuple[str, str]]
    """Each operation's path and method (upper case), by operationId."""
    field_scopes: Mapping[str, str]
    """Each `User` field and the scope its `x-tiktok-scope` names."""
    scopes: frozenset[str]
    """Every OAuth scope the security scheme declares."""
    errors: Mapping[str, ErrorReply]
    """Each error response example of the operation, by the example's name."""
    user_schema: Mapping[str, Any]

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Contract:
        path, method = USER_INFO
        op = operation(document, path, method)
        user_schema = document["components"]["schemas"]["User"]
        (flow,) = document["components"]["securitySchemes"]["oauth2"]["flows"].values()
        return cls(
            path=path,
            method=method.upper(),
            operations={
                op["operationId"]: (op_path, op_method.upper())
                for op_path, item in document["paths"].items()
                for op_method, op in item.items()
            },
            field_scopes={
                name: prop["x-tiktok-scope"] for name, prop in user_schema["properties"].items()
            },
            scopes=frozenset(flow["scopes"]),
            errors={
                example.name: ErrorReply(
                    example.status,
                    example.value["error"]["code"],
                    example.value["error"]["message"],
                )
                for example in response_examples(op)
                if example.status >= 400
            },
            user_schema=user_schema,
        )
