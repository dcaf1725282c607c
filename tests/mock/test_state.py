"""One owner of the mock's state, with one reset."""

from __future__ import annotations

from mock_server.contract import Contract
from mock_server.findings import Finding
from mock_server.fixtures import DEFAULT_FIXTURES, Grant, load_fixtures
from mock_server.scenarios import Scenario
from mock_server.spec import load_document
from mock_server.state import State

CONTRACT = Contract.from_document(load_document())


def test_reset_resets_everything() -> None:
    state = State(load_fixtures(CONTRACT, DEFAULT_FIXTURES), rate_limit=1)
    state.store.add("act.added", Grant({}, frozenset()))
    state.journal.record(
        {"method": "GET", "path": "/", "headers": [], "query_string": b""},
        state.journal.arrival(), status=200, log_id=None, operation=None,
    )  # fmt: skip
    state.scenarios.add(Scenario("getUserInfo", fault="reset"))
    state.findings.add([Finding("drift", None, "x", "y", "z")])
    assert state.limiter is not None and state.limiter.admit("act.x")
    state.reset()
    assert state.store.find("act.added") is None and state.store.find("act.mock.basic")
    assert state.journal.requests() == [] and not state.scenarios
    assert state.findings.counts()["drift"] == 0 and state.limiter.admit("act.x")


def test_rate_limit_zero_keeps_no_windows() -> None:
    assert State(load_fixtures(CONTRACT, DEFAULT_FIXTURES), rate_limit=0).limiter is None
