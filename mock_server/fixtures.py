"""The users and access tokens the mock knows: the defaults, or a YAML or JSON file."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
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
TOP_LEVEL = {"users", "tokens", "clients", "codes"}
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
    """Every problem of parsed fixtures, each naming its entry; none means they are usable."""
    from openapi_schema_validator import OAS30Validator, oas30_format_checker

    if not isinstance(data, dict) or not {"users", "tokens"} <= set(data) <= TOP_LEVEL:
        return [
            "the top level must be a mapping with the keys 'users' and 'tokens', "
            "and optionally 'clients' and 'codes'"
        ]
    if (unusable := _not_unicode(data)) is not None:
        return [unusable]
    problems: list[str] = []
    users = _section(data, "users", "names to users", problems, required=True)
    tokens = _section(data, "tokens", "access tokens to grants", problems, required=True)
    clients = _section(data, "clients", "client keys to clients", problems)
    codes = _section(data, "codes", "authorization codes to grants", problems)
    validator = OAS30Validator(dict(contract.user_schema), format_checker=oas30_format_checker)
    known_fields = ", ".join(contract.field_scopes)
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
    longest = longest_token(contract)
    for token, grant in tokens.items():
        where = f"tokens.{token}"
        if not isinstance(token, str) or not TOKEN.fullmatch(token):
            problems.append(f"{where}: a token must be visible ASCII without spaces")
        elif len(token) > longest:
            problems.append(
                f"{where}: a token must be at most {longest} characters, as the OAuth forms take it"
            )
        if not _entry(where, grant, {"user", "scopes", "expired"}, problems):
            continue
        problems.extend(_reference_problems(where, "user", grant, users))
        problems.extend(_scope_problems(f"{where}.scopes", grant.get("scopes"), contract))
        if not isinstance(grant.get("expired", False), bool):
            problems.append(f"{where}.expired: must be true or false")
    for key, client in clients.items():
        where = f"clients.{key}"
        if not _entry(where, client, {"client_secret", "redirect_uris"}, problems):
            continue
        if not isinstance(client.get("client_secret"), str):
            problems.append(f"{where}.client_secret: must be a string")
        uris = client.get("redirect_uris", [])
        if not isinstance(uris, list) or not all(isinstance(uri, str) for uri in uris):
            problems.append(f"{where}.redirect_uris: must be a list of URIs")
    for code, entry in codes.items():
        where = f"codes.{code}"
        if not _entry(where, entry, {"user", "scopes", "client", "redirect_uri"}, problems):
            continue
        problems.extend(_reference_problems(where, "user", entry, users))
        problems.extend(_reference_problems(where, "client", entry, clients))
        problems.extend(_scope_problems(f"{where}.scopes", entry.get("scopes"), contract))
    return problems


def _not_unicode(data: Any) -> str | None:
    """What keeps `data` from being served as UTF-8 JSON (a lone surrogate, say), or None."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"{exc.object[exc.start : exc.end]!r} is not Unicode text (a lone surrogate)"
    except (TypeError, ValueError):
        return None  # not JSON data (a YAML date): what is wrong is said entry by entry
    return None


def _section(
    data: dict[str, Any], name: str, what: str, problems: list[str], *, required: bool = False
) -> dict[Any, Any]:
    """The mapping under `name`, or {} after noting why it is not usable."""
    section = data.get(name, {})
    if not isinstance(section, dict) or (required and not section):
        problems.append(f"{name}: must be a {'non-empty ' if required else ''}mapping of {what}")
        return {}
    return section


def _entry(where: str, entry: Any, keys: set[str], problems: list[str]) -> bool:
    """Whether `entry` is a mapping, noting any key it should not have."""
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a mapping with the keys {', '.join(sorted(keys))}")
        return False
    if set(entry) - keys:
        problems.append(f"{where}: unknown keys {sorted(set(entry) - keys)}")
    return True


def _reference_problems(
    where: str, key: str, entry: dict[str, Any], section: dict[Any, Any]
) -> list[str]:
    if entry.get(key) in section:
        return []
    return [f"{where}.{key}: {entry.get(key)!r} is not one of the {key}s"]


def _scope_problems(where: str, scopes: Any, contract: Contract) -> list[str]:
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        return [f"{where}: must be a list of scope names"]
    known = ", ".join(sorted(contract.scopes))
    return [
        f"{where}: unknown scope {scope!r} (the spec declares {known})"
        for scope in scopes
        if scope not in contract.scopes
    ]
