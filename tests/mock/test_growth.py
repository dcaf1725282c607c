"""A request costs the same however much state the mock holds: 50,000 tokens added, 20,000
logins, 20,000 scenarios for other tokens and a full journal. The cost is counted in Python
bytecodes (tests/support/cost.py), which a loaded machine cannot change; `make bench` times it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

import httpx
import pytest

from mock_server.app import MockApp
from mock_server.fixtures import Code, Grant
from mock_server.journal import DEFAULT_SIZE
from mock_server.scenarios import Scenario
from mock_server.server import Options, create_app
from mock_server.store import IssuedCode, Refresh
from tests.support.cost import bytecodes
from tests.support.growth import ADDED, ISSUED
from tests.support.inprocess import call
from tests.support.seeds import EXAMPLE_TOKEN

USER = {"open_id": "grown", "display_name": "Grown"}
SCOPES = frozenset({"user.info.basic"})
CLIENT = {"client_key": "mock_client_key", "client_secret": "mock_client_secret"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def grown() -> MockApp:
    app = create_app(Options(rate_limit=0))
    store, now = app.state.store, app.oauth._clock()
    for n in range(ADDED):
        store.add(f"act.added.{n}", Grant(USER, SCOPES))
    for n in range(ISSUED):
        access, refresh = f"act.issued.{n}", f"rft.issued.{n}"
        store.add(access, Grant(USER, SCOPES, expires_at=now + 86_400))
        store.add_refresh(refresh, Refresh(USER, SCOPES, "mock_client_key", access, now + 1e6))
        store.add_code(f"code.issued.{n}", IssuedCode(Code(USER, SCOPES, "k"), now + 600))
        operation = "getUserInfo" if n % 2 else "fetchAccessToken"
        app.state.scenarios.add(Scenario(operation, times=5, token=f"act.other.{n}", fault="reset"))
    request = {
        "method": "GET",
        "path": "/v2/user/info/",
        "query_string": b"fields=open_id,display_name",
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer act.added.0")],
    }
    for _ in range(DEFAULT_SIZE):
        journal = app.state.journal
        journal.record(request, journal.arrival(), status=200, log_id="L", operation="getUserInfo")
    return app


@pytest.fixture(scope="module")
def apps() -> tuple[MockApp, MockApp]:
    """A mock as it starts, and one that holds all of that."""
    return create_app(Options(rate_limit=0)), grown()


def user_info(app: MockApp) -> httpx.Response:
    return call(
        app, "GET", "/v2/user/info/?fields=open_id", {"Authorization": f"Bearer {EXAMPLE_TOKEN}"}
    )


def exchange(app: MockApp) -> httpx.Response:
    form = {**CLIENT, "grant_type": "authorization_code", "code": "code.example",
            "redirect_uri": "https://example.com/callback"}  # fmt: skip
    return call(app, "POST", "/v2/oauth/token/", FORM, urlencode(form).encode())


def refresh(app: MockApp) -> httpx.Response:
    issued = exchange(app).json()["refresh_token"]
    form = {**CLIENT, "grant_type": "refresh_token", "refresh_token": issued}
    return call(app, "POST", "/v2/oauth/token/", FORM, urlencode(form).encode())


def revoke(app: MockApp) -> httpx.Response:
    form = {**CLIENT, "token": "act." + secrets.token_urlsafe(32)}
    return call(app, "POST", "/v2/oauth/revoke/", FORM, urlencode(form).encode())


def last_request(app: MockApp) -> httpx.Response:
    return call(app, "GET", "/__mock/requests?limit=1")


@pytest.mark.parametrize("request_", [user_info, exchange, refresh, revoke, last_request])
def test_a_request_costs_the_same_however_much_the_mock_holds(
    apps: tuple[MockApp, MockApp], request_: Callable[[MockApp], httpx.Response]
) -> None:
    costs = []
    for app in apps:
        request_(app)  # whatever is computed once, on first use
        response, cost = bytecodes(partial(request_, app))
        assert response.status_code == 200, response.text
        costs.append(cost)
    assert costs[1] <= costs[0] * 1.1, costs
