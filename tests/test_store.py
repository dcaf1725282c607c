"""The token store: one place for every token, code and refresh token, with one reset."""

from __future__ import annotations

from mock_server.contract import Contract
from mock_server.fixtures import Code, Grant, load_fixtures
from mock_server.spec import load_document
from mock_server.store import IssuedCode, Refresh, TokenStore

from conftest import Clock
from defaults import GRANTED

FIXTURES = load_fixtures(Contract.from_document(load_document()))
USER = {"open_id": "o-1", "display_name": "Someone"}


def test_it_starts_with_the_fixtures_tokens(clock: Clock) -> None:
    store = TokenStore(FIXTURES, clock)
    assert set(store.grants()) == {*GRANTED, "act.mock.expired"}
    entry = store.find("act.mock.basic")
    assert entry is not None and entry.fragments["display_name"] == b'"display_name":"Mock User"'
    assert store.find("act.mock.basi") is None and store.find("") is None


def test_tokens_added_removed_and_reset(clock: Clock) -> None:
    store = TokenStore(FIXTURES, clock)
    store.add("act.new", Grant(USER, frozenset({"user.info.basic"})))
    assert store.find("act.new") is not None
    assert store.remove("act.new") and not store.remove("act.new")
    store.add("act.again", Grant(USER, frozenset()))
    store.add_code("code.x", IssuedCode(Code(USER, frozenset(), "k"), clock() + 10))
    store.add_refresh("rft.x", Refresh(USER, frozenset(), "k", "act.again", clock() + 10))
    store.remove("act.mock.basic")
    store.reset()
    assert store.find("act.again") is None and store.find("act.mock.basic") is not None
    assert store.code("code.x") is None and store.refresh("rft.x") is None


def test_codes_fixture_ones_last_issued_ones_expire_and_are_spent(clock: Clock) -> None:
    store = TokenStore(FIXTURES, clock)
    store.add_code("code.x", IssuedCode(Code(USER, frozenset(), "k"), clock() + 10, "challenge"))
    issued = store.code("code.x")
    assert issued is not None and issued.challenge == "challenge"
    store.spend_code("code.x")
    assert store.code("code.x") is None
    store.spend_code("code.example")
    assert store.code("code.example") is not None  # a documented test code works every time
    store.add_code("code.y", IssuedCode(Code(USER, frozenset(), "k"), clock() + 10))
    clock.advance(10)
    assert store.code("code.y") is None


def test_revoking_ends_the_refresh_tokens_issued_with_it(clock: Clock) -> None:
    store = TokenStore(FIXTURES, clock)
    store.add("act.a", Grant(USER, frozenset(), expires_at=clock() + 100))
    store.add_refresh("rft.a", Refresh(USER, frozenset(), "k", "act.a", clock() + 100))
    store.add_refresh("rft.b", Refresh(USER, frozenset(), "k", "act.b", clock() + 100))
    store.revoke("act.a")
    assert store.find("act.a") is None and store.refresh("rft.a") is None
    assert store.refresh("rft.b") is not None


def test_sweep_forgets_what_expired_but_not_the_fixtures_expired_token(clock: Clock) -> None:
    store = TokenStore(FIXTURES, clock)
    store.add("act.short", Grant(USER, frozenset(), expires_at=clock() + 5))
    store.add("act.long", Grant(USER, frozenset(), expires_at=clock() + 50))
    store.add_code("code.s", IssuedCode(Code(USER, frozenset(), "k"), clock() + 5))
    store.add_refresh("rft.s", Refresh(USER, frozenset(), "k", "act.short", clock() + 5))
    clock.advance(5)
    store.sweep()
    grants = store.grants()
    assert "act.short" not in grants and "act.long" in grants and "act.mock.expired" in grants
    assert store._codes == {} and store._refresh == {}
