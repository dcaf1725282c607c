"""The default users and tokens, and the checks on a --fixtures file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.contract import Contract
from mock_server.fixtures import DEFAULT_FIXTURES, FixtureError, load_fixtures
from mock_server.spec import load_document
from tests.support.defaults import EXPIRED, GRANTED
from tests.support.seeds import ENDPOINT_EXAMPLE, EXAMPLE_TOKEN, USER_OBJECT_EXAMPLE


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract.from_document(load_document())


def test_the_defaults_pass_every_check(contract: Contract) -> None:
    assert load_fixtures(contract, DEFAULT_FIXTURES, validate=True).grants


def test_the_default_oauth_client_and_codes(contract: Contract) -> None:
    fixtures = load_fixtures(contract)
    assert fixtures.clients["mock_client_key"].secret == "mock_client_secret"
    assert {code: (c.user["username"], set(c.scopes)) for code, c in fixtures.codes.items()} == {
        "code.example": (
            "example.user",
            {"user.info.basic", "user.info.profile", "user.info.stats"},
        ),
        "code.mock.basic": ("mock.user", {"user.info.basic"}),
    }


def test_the_default_tokens(contract: Contract) -> None:
    grants = load_fixtures(contract).grants
    assert {token: set(g.scopes) for token, g in grants.items() if not g.expired} == GRANTED
    assert [token for token, g in grants.items() if g.expired] == [EXPIRED]


def test_the_seed_token_is_the_seed_user(contract: Contract) -> None:
    user = load_fixtures(contract).grants[EXAMPLE_TOKEN].user
    for source in (ENDPOINT_EXAMPLE, USER_OBJECT_EXAMPLE):
        for field, value in source["data"]["user"].items():
            assert user[field] == value, field


def test_every_default_user_has_every_field(contract: Contract) -> None:
    for grant in load_fixtures(contract).grants.values():
        assert set(grant.user) == set(contract.field_scopes)


GOOD_USER = "users:\n  u: {open_id: o-1}\n"
GOOD_TOKEN = "tokens:\n  act.t: {user: u, scopes: [user.info.basic]}\n"


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("bad.yaml", "users: [unclosed\n", "not valid YAML"),
        ("bad.json", '{"users": ', "not valid JSON"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000, "not valid YAML: nested too deeply"),
        (
            "date.yaml",
            "users:\n  u: {display_name: 2024-01-01}\n" + GOOD_TOKEN,
            "users.u.display_name: datetime.date(2024, 1, 1) is not of type 'string'",
        ),
        (
            "surrogate.json",
            '{"users": {"u": {"display_name": "\\ud800"}}, '
            '"tokens": {"act.t": {"user": "u", "scopes": ["user.info.basic"]}}}',
            "'\\ud800' is not Unicode text (a lone surrogate)",
        ),
        ("top.yaml", "- a list\n", "the keys 'users' and 'tokens', and optionally"),
        ("extra.yaml", GOOD_USER + GOOD_TOKEN + "more: 1\n", "the keys 'users' and 'tokens'"),
        (
            "types.yaml",
            "users:\n  u: {open_id: o-1, follower_count: many}\n" + GOOD_TOKEN,
            "users.u.follower_count: 'many' is not of type 'integer'",
        ),
        ("bool.yaml", "users:\n  u: {is_verified: 'yes'}\n" + GOOD_TOKEN, "users.u.is_verified"),
        (
            "field.yaml",
            "users:\n  u: {nickname: n}\n" + GOOD_TOKEN,
            "users.u: unknown field 'nickname'",
        ),
        (
            "dup.yaml",
            GOOD_USER + GOOD_TOKEN + "  act.t: {user: u, scopes: []}\n",
            "duplicate key 'act.t'",
        ),
        (
            "dup.json",
            '{"users": {"u": {}}, "tokens": {"act.t": {"user": "u", "scopes": []},'
            ' "act.t": {"user": "u", "scopes": []}}}',
            "duplicate key 'act.t'",
        ),
        (
            "scope.yaml",
            GOOD_USER + "tokens:\n  act.t: {user: u, scopes: [user.info.everything]}\n",
            "tokens.act.t.scopes: unknown scope 'user.info.everything'",
        ),
        (
            "scopes.yaml",
            GOOD_USER + "tokens:\n  act.t: {user: u, scopes: user.info.basic}\n",
            "tokens.act.t.scopes: must be a list",
        ),
        (
            "who.yaml",
            GOOD_USER + "tokens:\n  act.t: {user: nobody, scopes: []}\n",
            "tokens.act.t.user: 'nobody' is not one of the users",
        ),
        (
            "space.yaml",
            GOOD_USER + "tokens:\n  'act t': {user: u, scopes: []}\n",
            "tokens.act t: a token must be visible ASCII without spaces",
        ),
        (
            "long.json",
            '{"users": {"u": {}}, "tokens": {"act.'
            + "t" * 2045
            + '": {"user": "u", "scopes": []}}}',
            "a token must be at most 2048 characters, as the OAuth forms take it",
        ),
        (
            "expired.yaml",
            GOOD_USER + "tokens:\n  act.t: {user: u, scopes: [], expired: soon}\n",
            "tokens.act.t.expired: must be true or false",
        ),
        (
            "keys.yaml",
            GOOD_USER + "tokens:\n  act.t: {user: u, scopes: [], scope: x}\n",
            "tokens.act.t: unknown keys ['scope']",
        ),
        ("empty.yaml", "users: {}\ntokens: {}\n", "users: must be a non-empty mapping"),
        ("clients.yaml", GOOD_USER + GOOD_TOKEN + "clients: [a]\n", "clients: must be a mapping"),
        (
            "secret.yaml",
            GOOD_USER + GOOD_TOKEN + "clients:\n  app: {client_secret: 7}\n",
            "clients.app.client_secret: must be a string",
        ),
        (
            "uris.yaml",
            GOOD_USER + GOOD_TOKEN + "clients:\n  app: {client_secret: s, redirect_uris: x}\n",
            "clients.app.redirect_uris: must be a list of URIs",
        ),
        (
            "code.yaml",
            GOOD_USER
            + GOOD_TOKEN
            + "codes:\n  c: {user: u, scopes: [user.info.basic], client: app}\n",
            "codes.c.client: 'app' is not one of the clients",
        ),
        (
            "codescope.yaml",
            GOOD_USER + GOOD_TOKEN + "clients:\n  app: {client_secret: s}\n"
            "codes:\n  c: {user: u, scopes: [x], client: app}\n",
            "codes.c.scopes: unknown scope 'x'",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_file_entry_and_problem(
    contract: Contract, tmp_path: Path, name: str, text: str, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FixtureError) as raised:
        load_fixtures(contract, path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert problem in message


def test_an_unreadable_file_is_refused(contract: Contract, tmp_path: Path) -> None:
    for path in (tmp_path / "missing.yaml", tmp_path):
        with pytest.raises(FixtureError, match="cannot read"):
            load_fixtures(contract, path)


def test_a_json_file_loads(contract: Contract, tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(
        '{"users": {"u": {"open_id": "o"}}, "tokens": {"act.t": {"user": "u", '
        '"scopes": ["user.info.basic"], "expired": true}}}',
        encoding="utf-8",
    )
    grant = load_fixtures(contract, path).grants["act.t"]
    assert grant.user == {"open_id": "o"} and grant.expired
