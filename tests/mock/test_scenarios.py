"""The queue of scenarios: first match first, counted down, then gone."""

from __future__ import annotations

from functools import partial

import pytest

from mock_server.contract import ErrorReply
from mock_server.oauth import Consent
from mock_server.scenarios import QueueFull, Scenario, Scenarios
from tests.support.cost import bytecodes

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


def test_oldest_first_between_any_token_and_one_token() -> None:
    queue = Scenarios()
    mine = queue.add(Scenario("getUserInfo", token="act.mine", fault="reset"))
    anyone = queue.add(Scenario("getUserInfo", times=2, fault="empty"))
    later = queue.add(Scenario("getUserInfo", token="act.mine", fault="html"))
    taken = [queue.take("getUserInfo", "act.mine") for _ in range(3)]
    assert taken == [mine, anyone, anyone] and queue.pending() == [later] and len(queue) == 1


def test_finding_a_scenario_costs_the_same_however_many_others_are_queued() -> None:
    few, many = Scenarios(), Scenarios()
    for n in range(20_000):
        operation = "getUserInfo" if n % 2 else "fetchAccessToken"
        many.add(Scenario(operation, token=f"act.other{n}", error=BOOM))
    for queue in (few, many):
        queue.add(Scenario("getUserInfo", token="act.mine", error=BOOM))
    costs = [bytecodes(partial(queue.take, "getUserInfo", "act.mine"))[1] for queue in (few, many)]
    assert costs[1] <= costs[0] * 1.25, costs
    misses = [bytecodes(partial(queue.take, "getUserInfo", "act.x"))[1] for queue in (few, many)]
    assert misses[1] <= misses[0] * 1.25, misses


def test_a_full_queue_refuses_more() -> None:
    queue = Scenarios(limit=2)
    for _ in range(2):
        queue.add(Scenario("getUserInfo", error=BOOM))
    with pytest.raises(QueueFull, match="2 scenarios are queued, the most the mock holds"):
        queue.add(Scenario("getUserInfo", error=BOOM))
    queue.take("getUserInfo", None)
    queue.add(Scenario("getUserInfo", error=BOOM))
    assert len(queue) == 2
