"""The fixtures' schema (openapi/tiktok-mock-fixtures.schema.yaml) as a validator against the
spec of a contract: its references to the admin spec resolved in the admin spec's values as
`admin_schemas` derives them from that spec, and those to the API spec in the spec itself."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import yaml
from jsonschema.validators import extend  # type: ignore[import-untyped]  # it ships no types
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource

from .admin_schemas import with_restated
from .contract import Contract
from .spec import ADMIN_SPEC_NAME, FIXTURES_SCHEMA_NAME, SPEC_NAME, document_path

__all__ = ["fixtures_validator"]


def _property_names(validator: Any, names: Any, instance: Any, _: Any) -> Iterator[Any]:
    """JSON Schema's `propertyNames`, each error's path ending with its key."""
    if validator.is_type(instance, "object"):
        for key in instance:
            yield from validator.descend(key, names, path=key)


Validator = extend(OAS30Validator, {"propertyNames": _property_names})
"""OpenAPI 3.0's schema validator, with JSON Schema's `propertyNames`."""


@functools.lru_cache(maxsize=8)
def fixtures_validator(contract: Contract) -> tuple[Any, dict[str, Any]]:
    """The validator of the fixtures' schema against the spec of `contract`, its references
    resolved once, here, rather than at each value validated; and the admin spec's `User`
    and `Scope` in it."""
    admin = with_restated(_document(ADMIN_SPEC_NAME), contract)
    resources: list[tuple[str, Resource[Any]]] = [
        (ADMIN_SPEC_NAME, Resource.opaque(admin)),
        (SPEC_NAME, Resource.opaque(contract.document)),
    ]
    resolver = Registry().with_resources(resources).resolver()
    inlined: dict[int, Any] = {}
    schema = _inlined(_document(FIXTURES_SCHEMA_NAME), resolver, inlined)
    borrowed = {
        name: _inlined({"$ref": f"{ADMIN_SPEC_NAME}#/components/schemas/{name}"}, resolver, inlined)
        for name in ("User", "Scope")
    }
    return Validator(schema, format_checker=oas30_format_checker), borrowed


def _inlined(node: Any, resolver: Any, inlined: dict[int, Any]) -> Any:
    """`node` with each `{"$ref": ...}` replaced by what it refers to, inlined once
    (`inlined`, by the id of what is referred to) however often it is referred to."""
    if isinstance(node, list):
        return [_inlined(item, resolver, inlined) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" not in node:
        return {key: _inlined(value, resolver, inlined) for key, value in node.items()}
    resolved = resolver.lookup(node["$ref"])
    if id(resolved.contents) not in inlined:
        inlined[id(resolved.contents)] = _inlined(resolved.contents, resolved.resolver, inlined)
    return inlined[id(resolved.contents)]


@functools.cache
def _document(name: str) -> dict[str, Any]:
    """The document `name` of openapi/, as written."""
    loaded: dict[str, Any] = yaml.load(
        document_path(name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
    )
    return loaded
