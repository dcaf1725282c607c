"""The token store: one place for every token, code and refresh token, with one reset."""

from __future__ import annotations

import secrets
import tracemalloc
from functools import partial

from mock_server.contract import Contract
from mock_server.fixtures import Code, Grant, load_fixtures
from mock_server.spec import load_document
from mock_server.store import MAX_ISSUED, IssuedCode, Refresh, TokenStore
from tests.support.clock import Clock
from tests.support.cost import bytecodes
from tests.support.defaults import GRANTED

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
    assert len(store._codes) == 0 and len(store._refresh) == 0


def filled(clock: Clock, issued: int, *, limit: int = MAX_ISSUED) -> TokenStore:
    """A store holding `issued` access tokens, refresh tokens and codes, all still valid."""
    store = TokenStore(FIXTURES, clock, limit=limit)
    for n in range(issued):
        store.add(f"act.{n}", Grant(USER, frozenset(), expires_at=clock() + 100 + n))
        store.add_refresh(f"rft.{n}", Refresh(USER, frozenset(), "k", f"act.{n}", clock() + 1e6))
        store.add_code(f"code.{n}", IssuedCode(Code(USER, frozenset(), "k"), clock() + 600))
    return store


def test_forgetting_what_expired_costs_what_is_forgotten_not_what_is_kept(clock: Clock) -> None:
    small, large = filled(clock, 10), filled(clock, 50_000)
    clock.advance(105)  # act.0 to act.5 of each have expired
    costs = [bytecodes(store.sweep)[1] for store in (small, large)]
    assert costs[1] <= costs[0] * 1.25, costs
    assert [store.find(f"act.{n}") is None for store in (small, large) for n in (5, 6)] == [
        True,
        False,
        True,
        False,
    ]
    costs = [bytecodes(partial(store.revoke, "act.8"))[1] for store in (small, large)]
    assert costs[1] <= costs[0] * 1.25, costs
    assert small.refresh("rft.8") is None and large.refresh("rft.8") is None


def test_each_kind_is_bounded_nearest_expiry_forgotten_first(clock: Clock) -> None:
    store = filled(clock, 5, limit=3)
    assert [store.find(f"act.{n}") is not None for n in range(5)] == [False] * 2 + [True] * 3
    assert [store.refresh(f"rft.{n}") is not None for n in range(5)] == [False] * 2 + [True] * 3
    assert [store.code(f"code.{n}") is not None for n in range(5)] == [False] * 2 + [True] * 3
    assert len(store.grants()) == len(FIXTURES.grants) + 3


def test_codes_never_exchanged_are_forgotten_once_expired(clock: Clock) -> None:
    store = filled(clock, 1000)
    clock.advance(600)
    store.add_code("code.new", IssuedCode(Code(USER, frozenset(), "k"), clock() + 600))
    assert len(store._codes) == 1


def test_what_is_spent_leaves_no_more_than_a_bounded_trace(clock: Clock) -> None:
    store = filled(clock, 1000)
    for n in range(1000):
        store.spend_refresh(f"rft.{n}")
        store.spend_code(f"code.{n}")
    for kind in (store._refresh, store._codes):
        assert len(kind) == 0 and len(kind._heap) <= 64
    assert store._refresh_of == {}


def test_all_that_is_issued_stays_under_200_mb(clock: Clock) -> None:
    """The bound the docs state: `MAX_ISSUED` of each kind, for the largest default user,
    measured on 2,000 of each (the store's bound set there) and scaled up."""
    user = max(FIXTURES.users.values(), key=len)
    scopes = frozenset({"user.info.basic", "user.info.profile", "user.info.stats"})
    code = Code(user, scopes, "mock_client_key", "https://example.com/callback")
    limit = 2_000
    tracemalloc.start()
    try:
        store = TokenStore(FIXTURES, clock, limit=limit)
        for n in range(limit + 100):
            access, refresh = "act." + secrets.token_urlsafe(32), "rft." + secrets.token_urlsafe(32)
            store.add(access, Grant(user, scopes, expires_at=clock() + 86_400 + n))
            store.add_refresh(refresh, Refresh(user, scopes, "mock_client_key", access, 1e12 + n))
            store.add_code(
                "code." + secrets.token_urlsafe(24), IssuedCode(code, 1e12 + n, "c" * 43)
            )
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (len(store._issued), len(store._refresh), len(store._codes)) == (limit,) * 3
    assert used * MAX_ISSUED / limit < 200_000_000
