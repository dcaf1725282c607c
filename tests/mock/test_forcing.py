"""The forcing stage: each pair of sources against each other, the precedence written once."""

from __future__ import annotations

import pytest

from mock_server.contract import Contract
from mock_server.forcing import NOTHING, OWN, Forcing, decide, drawn, preferred, queued
from mock_server.prefer import Preference
from mock_server.scenarios import Scenario
from mock_server.spec import load_document

INFO = Contract.from_document(load_document()).user_info
RATE = INFO.error("rate_limit_exceeded")
INTERNAL = INFO.error("internal_error")


@pytest.mark.parametrize(
    ("first", "second", "outcome"),
    [
        (preferred(Preference(error=RATE)), queued(Scenario("getUserInfo", fault="html")), RATE),
        (preferred(Preference(own=True)), queued(Scenario("getUserInfo", error=INTERNAL)), OWN),
        (preferred(Preference(own=True)), drawn(INFO, "500", None), OWN),
        (preferred(Preference(fault="reset")), drawn(INFO, "429", None), "reset"),
        (queued(Scenario("getUserInfo", error=RATE)), drawn(INFO, "html", None), RATE),
        (queued(Scenario("getUserInfo", fault="empty")), drawn(INFO, "500", None), "empty"),
        (preferred(Preference(delay=0.1)), queued(Scenario("getUserInfo", fault="hang")), "hang"),
        (queued(Scenario("getUserInfo", delay=0.2)), drawn(INFO, "500", None), INTERNAL),
        (NOTHING, drawn(INFO, None, None), None),
    ],
)
def test_the_outcome_comes_whole_from_the_first_source_that_forces_one(
    first: Forcing, second: Forcing, outcome: object
) -> None:
    assert decide(first, second).outcome == outcome


def test_the_delay_comes_from_the_first_source_that_asks_for_one() -> None:
    scenario = queued(Scenario("getUserInfo", delay=0.2, error=RATE))
    assert decide(preferred(Preference(delay=0.1)), scenario, drawn(INFO, None, 0.3)).delay == 0.1
    assert decide(preferred(Preference()), scenario, drawn(INFO, None, 0.3)).delay == 0.2
    assert decide(NOTHING, queued(None), drawn(INFO, None, 0.3)) == Forcing(0.3, None)


def test_a_drawn_status_is_the_operations_documented_error() -> None:
    assert drawn(INFO, "429", None).outcome == RATE
    assert drawn(None, "hang", None).outcome == "hang"
