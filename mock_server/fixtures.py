"""The users and access tokens the mock knows: the defaults, or a YAML or JSON file."""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .contract import Contract

__all__ = [
    "DEFAULT_FIXTURES",
    "EXAMPLE_TOKEN",
    "Code",
    "FixtureError",
    "Fixtures",
    "Grant",
    "OAuthClient",
    "check",
    "load_fixtures",
    "longest_token",
]

DEFAULT_FIXTURES = Path(str(resources.files("mock_server").joinpath("fixtures.yaml")))
EXAMPLE_TOKEN = "act.example12345Example12345Example"
"""The token of TikTok's documentation example; the default fixtures grant it to its user."""
TOKEN = re.compile(r"[\x21-\x7e]+")
"""What can follow `Bearer ` in a header: visible ASCII, no spaces (the admin spec's `NewToken`
pattern restates it)."""


class FixtureError(Exception):
    """A fixtures file the mock cannot use; each line names the file, the entry and the problem."""


@dataclass(frozen=True)
class Grant:
    """What an access token grants: whose data, which scopes, and until when.

    `expired` marks a token that is never valid; `expires_at` (seconds since the epoch) ends
    the validity of an issued one.
    """

    user: Mapping[str, Any]
    scopes: frozenset[str]
    expired: bool = False
    expires_at: float | None = None

    def valid_at(self, now: float) -> bool:
        return not self.expired and not self.issued_and_ended(now)

    def issued_and_ended(self, now: float) -> bool:
        """Whether this is an issued grant whose time is up."""
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True)
class OAuthClient:
    """An app that may exchange authorization codes: its secret and allowed redirect URIs.

    No redirect URIs means any.
    """

    secret: str
    redirect_uris: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Code:
    """An authorization code: whose consent, to which scopes, for which client."""

    user: Mapping[str, Any]
    scopes: frozenset[str]
    client_key: str
    redirect_uri: str | None = None


@dataclass(frozen=True)
class Fixtures:
    """Everything a fixtures file declares."""

    grants: dict[str, Grant]
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    users: dict[str, Mapping[str, Any]] = field(default_factory=dict)


def load_fixtures(
    contract: Contract, path: Path = DEFAULT_FIXTURES, *, validate: bool = True
) -> Fixtures:
    """The users, tokens, clients and codes in `path`, checked unless `validate` is off.

    The defaults are checked by the test suite, so the mock loads them without checking.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{path}: cannot read: {exc}") from None
    try:
        data = _parse(text, json_only=path.suffix == ".json")
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        problem = (
            "nested too deeply" if isinstance(exc, RecursionError) else " ".join(str(exc).split())
        )
        raise FixtureError(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {problem}"
        ) from None
    if validate:
        problems = check(data, contract)
        if problems:
            raise FixtureError("\n".join(f"{path}: {problem}" for problem in problems))
    users = data["users"]
    return Fixtures(
        grants={
            token: Grant(
                user=users[entry["user"]],
                scopes=frozenset(entry["scopes"]),
                expired=bool(entry.get("expired", False)),
            )
            for token, entry in data["tokens"].items()
        },
        clients={
            key: OAuthClient(entry["client_secret"], frozenset(entry.get("redirect_uris", [])))
            for key, entry in data.get("clients", {}).items()
        },
        codes={
            code: Code(
                users[entry["user"]],
                frozenset(entry["scopes"]),
                entry["client"],
                entry.get("redirect_uri"),
            )
            for code, entry in data.get("codes", {}).items()
        },
        users=users,
    )


def _parse(text: str, *, json_only: bool) -> Any:
    """Parse JSON or YAML, refusing a key given twice in one mapping (a token listed twice)."""
    if json_only:
        return json.loads(text, object_pairs_hook=_unique_keys)
    return yaml.load(text, Loader=_UniqueKeyLoader)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"duplicate key {key!r}")
        found[key] = value
    return found


class _UniqueKeyLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def longest_token(contract: Contract) -> int:
    """How long a token can be: as long as the OAuth forms take one (`revokeAccessToken`'s
    `token`), so that every token the mock knows can be revoked."""
    longest = contract.operations["revokeAccessToken"].form_fields["token"]
    assert longest is not None  # the spec bounds every string of its forms
    return longest


def check(data: Any, contract: Contract) -> list[str]:
    """Every problem of parsed fixtures, each naming its entry; none means they are usable.

    They are checked with the fixtures' schema (openapi/tiktok-mock-fixtures.schema.yaml),
    against the spec `contract` was built from, and told in its words (`x-problem`).
    """
    from .fixtures_schema import fixtures_validator

    validator, borrowed = fixtures_validator(contract)
    schema = validator.schema
    errors = list(validator.iter_errors(data))
    if any(not error.path for error in errors):
        required = [repr(key) for key in schema["required"]]
        optional = [repr(key) for key in schema["properties"] if key not in schema["required"]]
        return [
            f"the top level must be a mapping with the keys {' and '.join(required)}, "
            f"and optionally {' and '.join(optional)}"
        ]
    if (unusable := _not_unicode(data)) is not None:
        return [unusable]
    told = [found for error in errors for found in _told(error, schema, borrowed)]
    told += _unknown_names(data, schema)
    order = {place: n for n, place in enumerate(_in_file(data))}
    told.sort(key=lambda found: order[found[0][:2]])  # entry by entry, as in the file
    return list(dict.fromkeys(f"{'.'.join(map(str, place))}: {problem}" for place, problem in told))


Place = tuple[Any, ...]
"""Where a problem lies in the file: the keys from the top (`users`, `alice`, `open_id`)."""


def _told(
    error: Any, schema: Mapping[str, Any], borrowed: Mapping[str, Any]
) -> Iterator[tuple[Place, str]]:
    """Where `error` is told and what: in the schema's words where it gives them
    (`x-problem`), in the spec's for the admin spec's `User` and `Scope` it borrows, else in
    jsonschema's."""
    place, node = _place(error, schema)
    keyword, value = error.validator, error.instance
    if keyword == "additionalProperties":
        unknown = [key for key in value if key not in error.schema.get("properties", {})]
        if error.schema is borrowed["User"]:
            known = ", ".join(error.schema["properties"])
            for key in unknown:
                yield place, f"unknown field {key!r} (the spec's User has {known})"
        else:
            yield place, f"unknown keys {sorted(unknown, key=str)}"
    elif keyword == "enum" and error.schema is borrowed["Scope"]:
        declared = ", ".join(sorted(error.schema["enum"]))
        yield place, f"unknown scope {value!r} (the spec declares {declared})"
    elif keyword == "required" and node is not None:
        for name in error.validator_value:
            declared = node["properties"][name]
            if name not in value and "x-refers-to" not in declared:  # names: see _unknown_names
                yield (*place, name), declared.get("x-problem", "required")
    elif node is not None and "x-problem" in node:
        problem = node.get(f"x-problem-{keyword}", node["x-problem"])
        yield place, problem.format(error.validator_value)
    elif node is not None and keyword == "type" and "properties" in node:
        yield place, f"must be a mapping with the keys {', '.join(sorted(node['properties']))}"
    else:
        yield place, error.message


def _place(error: Any, schema: Mapping[str, Any]) -> tuple[Place, Any]:
    """Where `error` is told, and the part of `schema` that describes what is there: None
    within a schema it refers to (a `User` field). A list is told whole."""
    node: Any = schema
    path, steps = tuple(error.path), iter(error.absolute_schema_path)
    for depth in range(len(path)):
        step = next(steps)
        if step == "items":
            return path[:depth], node
        if step == "properties":
            node, step = node["properties"], next(steps)
        elif step not in ("additionalProperties", "propertyNames"):
            return path, None
        node = node[step]
    return path, node


def _in_file(data: dict[str, Any]) -> Iterator[Place]:
    """Each section and each of its entries, as the file orders them."""
    for section, entries in data.items():
        yield (section,)
        yield from ((section, key) for key in entries) if isinstance(entries, dict) else ()


def _unknown_names(data: dict[str, Any], schema: Mapping[str, Any]) -> Iterator[tuple[Place, str]]:
    """Each name that a value of an `x-refers-to` gives, which its section does not hold."""
    for section, entries in data.items():
        fields = schema["properties"][section]["additionalProperties"].get("properties", {})
        for key, entry in entries.items() if isinstance(entries, dict) else ():
            for name, part in fields.items() if isinstance(entry, dict) else ():
                if (target := part.get("x-refers-to")) is None:
                    continue
                names = data.get(target)
                given = entry.get(name)
                if not (isinstance(given, Hashable) and isinstance(names, dict) and given in names):
                    yield (section, key, name), f"{given!r} is not one of the {target}"


def _not_unicode(data: Any) -> str | None:
    """What keeps `data` from being served as UTF-8 JSON (a lone surrogate, say), or None."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"{exc.object[exc.start : exc.end]!r} is not Unicode text (a lone surrogate)"
    except (TypeError, ValueError):
        return None  # not JSON data (a YAML date): what is wrong is said entry by entry
    return None
