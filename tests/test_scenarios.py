"""The queue of scenarios: first match first, counted down, then gone."""

from __future__ import annotations

from mock_server.contract import ErrorReply
from mock_server.oauth import Consent
from mock_server.scenarios import Scenario, Scenarios

BOOM = ErrorReply(500, "internal_error", "Internal error, please retry later.")


def test_first_match_first_counted_down_then_gone() -> None:
    queue = Scenarios()
    assert not queue
    first = queue.add(Scenario("getUserInfo", times=2, error=BOOM))
    second = queue.add(Scenario("getUserInfo", fault="reset"))
    assert (first.id, second.id) == (1, 2)
    assert queue.take("fetchAccessToken", None) is None
    assert [queue.take("getUserInfo", "act.x") for _ in range(4)] == [first, first, second, None]
    assert not queue


def test_a_scenario_for_a_token_waits_for_that_token() -> None:
    queue = Scenarios()
    mine = queue.add(Scenario("getUserInfo", token="act.mine", delay=0.1))
    assert queue.take("getUserInfo", "act.other") is None
    assert queue.take("getUserInfo", None) is None
    assert queue.take("getUserInfo", "act.mine") is mine


def test_listed_without_its_token_and_cleared() -> None:
    queue = Scenarios()
    queue.add(Scenario("getUserInfo", times=3, token="act.secret", error=BOOM, delay=0.25))
    queue.add(Scenario("authorize", consent=Consent(deny=False, scopes=frozenset({"b", "a"}))))
    assert [s.to_json() for s in queue.pending()] == [
        {"id": 1, "operation": "getUserInfo", "times": 3, "token": "<redacted>",
         "error": "internal_error", "delay_ms": 250},
        {"id": 2, "operation": "authorize", "times": 1, "consent": "allow", "scopes": ["a", "b"]},
    ]  # fmt: skip
    queue.clear()
    assert queue.pending() == []
