"""The OpenAPI document, loaded and resolved with prance."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "ADMIN_SPEC_NAME",
    "FIXTURES_SCHEMA_NAME",
    "SPEC_NAME",
    "SPEC_PATH",
    "USER_INFO",
    "Example",
    "document_path",
    "load_document",
    "response_examples",
]

CHECKOUT = Path(__file__).resolve().parent.parent / "openapi"
"""openapi/ of a checkout of the kit, where the documents are written."""
SPEC_NAME = "tiktok-user-info.yaml"
"""The API spec's name in openapi/, which the Makefile and hatch_build.py read here."""
ADMIN_SPEC_NAME = "tiktok-mock-admin.yaml"
"""The admin API's spec, which refers to the API spec's schemas by `SPEC_NAME`."""
FIXTURES_SCHEMA_NAME = "tiktok-mock-fixtures.schema.yaml"
"""The schema of a fixtures file, which refers to the admin spec's by `ADMIN_SPEC_NAME`."""


def document_path(name: str) -> Path:
    """The document `name` of openapi/: the copy the installed package carries, else the
    checkout's own (the build copies openapi/ into the package; see pyproject.toml)."""
    packaged = resources.files("mock_server").joinpath("openapi", name)
    return Path(str(packaged)) if packaged.is_file() else CHECKOUT / name


SPEC_PATH = document_path(SPEC_NAME)
USER_INFO = ("/v2/user/info/", "get")


@dataclass(frozen=True)
class Example:
    """A named example of a response body."""

    status: int
    name: str
    value: Any
    schema: dict[str, Any]


def load_document(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The document at `path` with every `$ref` resolved.

    It is not validated against the OpenAPI schema here, where that would cost half a
    second at every start: the tests validate it.
    """
    from prance.util.iterators import reference_iterator
    from prance.util.resolver import RefResolver
    from prance.util.url import absurl, urlresource

    path = path.resolve()
    loaded = _parsed(path)
    # The documents its references name, parsed as it is: prance's own parser is slower by far.
    named = {ref.split("#", 1)[0] for _, ref, _ in reference_iterator(loaded)} - {""}
    parsed = {
        (urlresource(absurl(str(path.parent / name))), True): _parsed(path.parent / name)
        for name in named
    }
    resolver = RefResolver(loaded, absurl(str(path)), reference_cache=parsed)
    resolver.resolve_references()
    resolved: dict[str, Any] = resolver.specs
    return resolved


def _parsed(path: Path) -> Any:
    import yaml

    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def response_examples(op: dict[str, Any]) -> Iterator[Example]:
    """Every named JSON example of the responses of `op`, with its status and schema."""
    for status, response in op["responses"].items():
        content = response["content"]["application/json"]
        for name, example in content.get("examples", {}).items():
            yield Example(int(status), name, example["value"], content["schema"])
