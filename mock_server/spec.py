"""The OpenAPI document: loaded and resolved with prance, and the facts derived from it."""

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


def load_document(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The document at `path`, validated by openapi-spec-validator, every `$ref` resolved."""
    from prance import ResolvingParser

    parser = ResolvingParser(str(path), backend="openapi-spec-validator", strict=True)
    document: dict[str, Any] = parser.specification
    return document


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
