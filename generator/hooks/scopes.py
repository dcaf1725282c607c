"""Writes the client's `scopes` module: the OAuth scope of each field of the one schema
whose properties carry `x-tiktok-scope`, and `scopes_for`. A post-generation hook
(generator/config.yaml): `python scopes.py SPEC OUTPUT`."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

EXTENSION = "x-tiktok-scope"

MODULE = '''"""The OAuth scope each field of `{schema}` needs, from the spec's ``{extension}``."""

from collections.abc import Iterable, Mapping
from types import MappingProxyType

__all__ = ["FIELD_SCOPES", "scopes_for"]

FIELD_SCOPES: Mapping[str, str] = MappingProxyType({scopes!r})
"""The OAuth scope that each field of `{schema}` needs, from the spec's ``{extension}``."""


def scopes_for(fields: Iterable[str]) -> frozenset[str]:
    """The scopes a token needs to be granted to read `fields` of `{schema}`.

    Raises `KeyError` naming the first field `{schema}` does not have.
    """
    return frozenset(FIELD_SCOPES[str(field)] for field in fields)
'''


class NoScopes(Exception):
    """The spec does not say, for exactly one schema, the scope of each of its fields."""


def field_scopes(document: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The schema whose properties carry the extension, and each property's scope."""
    scoped = {
        name: {
            field: schema[EXTENSION]
            for field, schema in (definition.get("properties") or {}).items()
            if EXTENSION in schema
        }
        for name, definition in (document.get("components", {}).get("schemas") or {}).items()
    }
    scoped = {name: scopes for name, scopes in scoped.items() if scopes}
    if len(scoped) != 1:
        raise NoScopes(
            f"exactly one schema's properties must carry {EXTENSION}, not {sorted(scoped)}"
        )
    ((name, scopes),) = scoped.items()
    return name, scopes


def module(document: Mapping[str, Any]) -> str:
    """The source of the `scopes` module for `document`."""
    schema, scopes = field_scopes(document)
    return MODULE.format(schema=schema, extension=EXTENSION, scopes=scopes)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: scopes.py SPEC OUTPUT", file=sys.stderr)
        return 2
    spec, output = argv
    document = yaml.safe_load(Path(spec).read_text(encoding="utf-8"))
    try:
        source = module(document)
    except NoScopes as error:
        print(f"{spec}: {error}", file=sys.stderr)
        return 1
    Path(output).write_text(source, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
