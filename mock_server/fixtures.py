"""The users and access tokens the mock knows: the defaults, or a YAML or JSON file."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .contract import Contract

__all__ = ["DEFAULT_FIXTURES", "FixtureError", "Grant", "load_fixtures"]

DEFAULT_FIXTURES = Path(__file__).with_name("fixtures.yaml")
TOKEN = re.compile(r"[\x21-\x7e]+")
"""What can follow `Bearer ` in a header: visible ASCII, no spaces."""


class FixtureError(Exception):
    """A fixtures file the mock cannot use; each line names the file, the entry and the problem."""


@dataclass(frozen=True)
class Grant:
    """What an access token grants: whose data, which scopes, and whether it has expired."""

    user: Mapping[str, Any]
    scopes: frozenset[str]
    expired: bool = False


def load_fixtures(
    contract: Contract, path: Path = DEFAULT_FIXTURES, *, validate: bool = True
) -> dict[str, Grant]:
    """The grants of every token in `path`, checked against the contract unless `validate` is off.

    The defaults are checked by the test suite, so the mock loads them without checking.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{path}: cannot read: {exc}") from None
    try:
        data = _parse(text, json_only=path.suffix == ".json")
    except (yaml.YAMLError, ValueError) as exc:
        problem = " ".join(str(exc).split())
        raise FixtureError(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {problem}"
        ) from None
    if validate:
        problems = _problems(data, contract)
        if problems:
            raise FixtureError("\n".join(f"{path}: {problem}" for problem in problems))
    users = data["users"]
    return {
        token: Grant(
            user=users[entry["user"]],
            scopes=frozenset(entry["scopes"]),
            expired=bool(entry.get("expired", False)),
        )
        for token, entry in data["tokens"].items()
    }


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


def _problems(data: Any, contract: Contract) -> list[str]:
    """Every problem of the parsed file, each naming its entry."""
    from openapi_schema_validator import OAS30Validator

    if not isinstance(data, dict) or set(data) != {"users", "tokens"}:
        return ["the top level must be a mapping with exactly the keys 'users' and 'tokens'"]
    users, tokens = data["users"], data["tokens"]
    problems = []
    if not isinstance(users, dict) or not users:
        problems.append("users: must be a non-empty mapping of names to users")
        users = {}
    if not isinstance(tokens, dict) or not tokens:
        problems.append("tokens: must be a non-empty mapping of access tokens to grants")
        tokens = {}
    validator = OAS30Validator(dict(contract.user_schema))
    known_fields = ", ".join(contract.field_scopes)
    known_scopes = ", ".join(sorted(contract.scopes))
    for name, user in users.items():
        if not isinstance(user, dict):
            problems.append(f"users.{name}: must be a mapping of User fields")
            continue
        problems.extend(
            f"users.{name}: unknown field {field!r} (the spec's User has {known_fields})"
            for field in user
            if field not in contract.field_scopes
        )
        problems.extend(
            f"users.{name}.{'.'.join(map(str, error.path))}: {error.message}"
            for error in validator.iter_errors(user)
        )
    for token, grant in tokens.items():
        where = f"tokens.{token}"
        if not isinstance(token, str) or not TOKEN.fullmatch(token):
            problems.append(f"{where}: a token must be visible ASCII without spaces")
        if not isinstance(grant, dict):
            problems.append(f"{where}: must be a mapping with 'user', 'scopes' and 'expired'")
            continue
        unknown_keys = set(grant) - {"user", "scopes", "expired"}
        if unknown_keys:
            problems.append(f"{where}: unknown keys {sorted(unknown_keys)}")
        if grant.get("user") not in users:
            problems.append(f"{where}.user: {grant.get('user')!r} is not one of the users")
        scopes = grant.get("scopes")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            problems.append(f"{where}.scopes: must be a list of scope names")
        else:
            problems.extend(
                f"{where}.scopes: unknown scope {scope!r} (the spec declares {known_scopes})"
                for scope in scopes
                if scope not in contract.scopes
            )
        if not isinstance(grant.get("expired", False), bool):
            problems.append(f"{where}.expired: must be true or false")
    return problems
