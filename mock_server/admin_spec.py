"""The admin API's document, `openapi/tiktok-mock-admin.yaml`: its operations by path and
method, and the schemas each request's body and query are checked against, every problem
worded for the one who sent it."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from .spec import document_path, load_document

__all__ = ["ADMIN_DOCUMENT", "AdminSpec", "Problem", "Route", "admin_spec", "problems"]

ADMIN_DOCUMENT = "tiktok-mock-admin.yaml"
TYPES = {
    "object": "a JSON object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}
"""Each schema type, as a problem names it."""
BOUNDS = ("type", "minimum", "maximum", "minLength", "maxLength")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request, in words."""

    path: tuple[str | int, ...]
    """Where the value is that has the problem: empty for the whole body or query."""
    text: str


@dataclass(frozen=True)
class Route:
    """A path of the document, as a pattern of request paths, and its operationIds by
    method (upper case)."""

    pattern: re.Pattern[str]
    operations: Mapping[str, str]


@dataclass(frozen=True)
class AdminSpec:
    """The document, every `$ref` resolved, and what the admin API reads of it."""

    document: Mapping[str, Any]

    @functools.cached_property
    def operations(self) -> dict[str, Mapping[str, Any]]:
        """Each operation, by operationId."""
        paths = self.document["paths"]
        return {op["operationId"]: op for item in paths.values() for op in item.values()}

    @functools.cached_property
    def routes(self) -> tuple[Route, ...]:
        """Each path, with its operations."""
        return tuple(
            Route(
                _pattern(path), {method.upper(): op["operationId"] for method, op in item.items()}
            )
            for path, item in self.document["paths"].items()
        )

    @functools.cached_property
    def open(self) -> frozenset[str]:
        """The operations that need no admin token (their `security` is empty)."""
        return frozenset(name for name, op in self.operations.items() if op.get("security") == [])

    def route(self, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route of a request path, and its path parameters, percent-decoded."""
        for route in self.routes:
            if found := route.pattern.fullmatch(path):
                return route, {name: unquote(value) for name, value in found.groupdict().items()}
        return None

    def body_problems(self, operation_id: str, body: Any) -> list[Problem]:
        """What keeps a JSON body from being the operation's request body; nothing if it is."""
        schema = self.operations[operation_id]["requestBody"]["content"]["application/json"]
        return problems(self._chosen(schema["schema"], body), body)

    def query(self, operation_id: str, query: bytes) -> tuple[dict[str, Any], list[Problem]]:
        """The operation's query parameters, each as its schema's type, and what keeps them
        from being the ones it takes: a parameter it does not take is refused."""
        parameters = [p for p in self.operations[operation_id].get("parameters", [])
                      if p["in"] == "query"]  # fmt: skip
        schemas = {parameter["name"]: parameter["schema"] for parameter in parameters}
        values = {
            name: _typed(value, schemas.get(name, {}))
            for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        }
        schema = {
            "type": "object",
            "additionalProperties": False,
            "required": [
                parameter["name"] for parameter in parameters if parameter.get("required")
            ],
            "properties": schemas,
        }
        return values, problems(schema, values)

    def _chosen(self, schema: Mapping[str, Any], body: Any) -> Mapping[str, Any]:
        """`schema`, or if it has a discriminator, the schema it maps the body to (when it
        maps the body to none, a schema that says why)."""
        discriminator = schema.get("discriminator")
        if discriminator is None:
            return schema
        name, mapping = discriminator["propertyName"], discriminator["mapping"]
        value = body.get(name) if isinstance(body, dict) else None
        if isinstance(value, str) and value in mapping:
            pointer = mapping[value].removeprefix("#/").split("/")
            return functools.reduce(lambda node, key: node[key], pointer, self.document)
        return {"type": "object", "required": [name], "properties": {name: {"enum": list(mapping)}}}


@functools.cache
def admin_spec() -> AdminSpec:
    """The admin API's document, read once, when first needed: not at start-up."""
    return AdminSpec(load_document(document_path(ADMIN_DOCUMENT)))


def problems(schema: Mapping[str, Any], value: Any) -> list[Problem]:
    """Every way `value` fails `schema` (an OpenAPI 3.0 schema, as a request's), each once."""
    from openapi_schema_validator import OAS30WriteValidator, oas30_format_checker

    validator = OAS30WriteValidator(schema, format_checker=oas30_format_checker)
    return list(dict.fromkeys(found for error in validator.iter_errors(value)
                              for found in _worded(error)))  # fmt: skip


def _worded(error: Any) -> Iterator[Problem]:
    """The problems a schema error stands for, in the words of the schema's keyword where
    this knows them, else in the validator's."""
    path = tuple(error.absolute_path)
    keyword, value, schema, instance = (
        error.validator,
        error.validator_value,
        error.schema,
        error.instance,
    )
    if keyword == "additionalProperties":
        known = schema.get("properties", {})
        for key in instance:
            if key not in known:
                yield _at(path, f"unknown key (known: {', '.join(sorted(known))})", key)
    elif keyword == "required":
        yield from (_at(path, "required", key) for key in value if key not in instance)
    elif keyword == "not" and list(value) == ["required"]:
        keys = value["required"]
        yield _at(
            path, f"{', '.join(keys)}: give one of them, not {'both' if len(keys) == 2 else 'all'}"
        )
    elif keyword == "anyOf" and all(list(choice) == ["required"] for choice in value):
        keys = [key for choice in value for key in choice["required"]]
        yield _at(path, f"give at least one of {', '.join(keys)}")
    elif keyword == "type" and "enum" in schema:
        return  # its enum's problem says what it must be
    elif keyword == "enum":
        choices = ", ".join(map(str, value))
        yield _at(path, f"{instance!r} is not one of {choices}" if isinstance(instance, str)
                  else f"must be one of {choices}")  # fmt: skip
    elif keyword in BOUNDS and (expected := _expected(schema, keyword)) is not None:
        yield _at(path, f"must be {expected}")
    else:
        yield _at(path, error.message)


def _expected(schema: Mapping[str, Any], keyword: str) -> str | None:
    """What a value of `schema` must be, its bounds included; None for bounds this does not
    put in words."""
    kind = str(schema.get("type"))
    if kind == "integer" and "minimum" in schema and "maximum" in schema:
        return f"a whole number from {schema['minimum']} to {schema['maximum']}"
    if kind == "string" and schema.get("minLength") == 1 and "maxLength" in schema:
        return f"a non-empty string of at most {schema['maxLength']} characters"
    return TYPES.get(kind) if keyword == "type" else None


def _at(path: tuple[str | int, ...], text: str, key: str | None = None) -> Problem:
    """A problem of the value at `path` (or of its `key`), which it names in front:
    `user.follower_count: ...`, `scopes[0]: ...`; at the top, a "must" is the body's."""
    named = path if key is None else (*path, key)
    if not named:
        return Problem(path, f"the body {text}" if text.startswith("must ") else text)
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in named)
    return Problem(path, f"{where.removeprefix('.')}: {text}")


def _pattern(path: str) -> re.Pattern[str]:
    """The request paths a path of the document stands for: each `{parameter}` any
    non-empty text, slashes included."""
    parts = re.split(r"\{(\w+)\}", path)
    return re.compile(
        "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)" for i, part in enumerate(parts)
        )
    )


def _typed(value: str, schema: Mapping[str, Any]) -> Any:
    """A query value as its schema's type: an integer if it is written as one."""
    if schema.get("type") == "integer" and value.isascii() and value.isdigit():
        try:
            return int(value)
        except ValueError:  # more digits than Python converts
            return value
    return value
