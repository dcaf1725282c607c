"""The OpenAPI document, loaded and resolved with prance."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SPEC_PATH", "USER_INFO", "Example", "load_document", "operation", "response_examples"]

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "tiktok-user-info.yaml"
USER_INFO = ("/v2/user/info/", "get")


@dataclass(frozen=True)
class Example:
    """A named example of a response body."""

    status: int
    name: str
    value: Any
    schema: dict[str, Any]


def load_document(path: Path = SPEC_PATH, *, validate: bool = False) -> dict[str, Any]:
    """The document at `path` with every `$ref` resolved.

    `validate` also checks it against the OpenAPI schema with openapi-spec-validator: the
    tests do, once; the mock skips it at start-up, where it would cost half a second.
    """
    if validate:
        from prance import ResolvingParser

        parser = ResolvingParser(str(path), backend="openapi-spec-validator", strict=True)
        validated: dict[str, Any] = parser.specification
        return validated

    import yaml
    from prance.util.resolver import RefResolver
    from prance.util.url import absurl

    path = path.resolve()
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    resolver = RefResolver(loaded, absurl(str(path)))
    resolver.resolve_references()
    resolved: dict[str, Any] = resolver.specs
    return resolved


def operation(
    document: dict[str, Any], path: str = USER_INFO[0], method: str = USER_INFO[1]
) -> Any:
    """The resolved operation object at `path` and `method`."""
    return document["paths"][path][method]


def response_examples(op: dict[str, Any]) -> Iterator[Example]:
    """Every named JSON example of the responses of `op`, with its status and schema."""
    for status, response in op["responses"].items():
        content = response["content"]["application/json"]
        for name, example in content.get("examples", {}).items():
            yield Example(int(status), name, example["value"], content["schema"])
