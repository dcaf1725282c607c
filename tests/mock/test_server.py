"""Building the mock from its options, and the connections it serves."""

from __future__ import annotations

import asyncio
import gc
import http.client
import json
import socket
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.app import MockApp
from mock_server.embedded import serving
from mock_server.fixtures import FixtureError
from mock_server.latency import Latency
from mock_server.process import running_mock
from mock_server.server import (
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    OPTIONS_VARIABLE,
    YOUNG_GENERATION,
    Options,
    connection_settings,
    create_app,
    from_environment,
    is_loopback,
)
from tests.support.inprocess import memory


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("", False), ("10.0.0.2", False), ("mock", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_options_reach_the_app() -> None:
    app = create_app(
        Options(
            rate_limit=0, latency="fixed:5", seed=1, journal_size=2, journal_bytes=300,
            admin_token="t",
        )
    )  # fmt: skip
    state = memory(app)
    assert (state.journal._entries.maxlen, state.journal._max_bytes) == (2, 300)
    assert state.limiter is None
    assert isinstance(app._latency, Latency) and app._latency.draw() == 0.005
    assert app.contract.version == asyncio.run(app.admin.health())[1]["version"]


def test_the_default_fixtures_are_not_checked_again_but_a_file_is(tmp_path: Path) -> None:
    bad = tmp_path / "fixtures.yaml"
    bad.write_text("users: {}\ntokens: {}\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="users: must be a non-empty mapping"):
        create_app(Options(fixtures=str(bad)))
    assert memory(create_app()).store.find("act.mock.basic") is not None


def test_with_proxy_the_port_is_served_by_the_proxy(tmp_path: Path) -> None:
    from mock_server.app import MockApp
    from mock_server.proxy import Proxy
    from mock_server.server import create_served

    assert isinstance(create_served(Options()), MockApp)
    corpus = tmp_path / "c.ndjson"
    served = create_served(Options(proxy="https://upstream.example/", record=str(corpus)))
    assert isinstance(served, Proxy) and served.upstream == "https://upstream.example"
    assert (tmp_path / "c.ndjson.key").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop does not support Windows")
def test_the_mock_is_served_on_uvloop() -> None:
    import uvloop
    from granian._loops import loops

    from mock_server.server import EVENT_LOOP

    loop = loops.get(EVENT_LOOP)  # as granian's worker builds it for the served app
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_a_worker_freezes_what_it_built_and_collects_the_young_less_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(OPTIONS_VARIABLE, json.dumps(asdict(Options())))
    frozen, thresholds = gc.get_freeze_count(), gc.get_threshold()
    try:
        app = from_environment()
        assert isinstance(app, MockApp)
        assert gc.get_freeze_count() > frozen
        looked_at = {id(tracked) for tracked in gc.get_objects()}  # the frozen are left out
        assert id(app) not in looked_at
        assert id(app.state) not in looked_at
        assert gc.get_threshold() == (YOUNG_GENERATION, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_connections_past_the_limit_wait_for_one_to_close() -> None:
    with running_mock("--max-connections", "2", "--idle-timeout", "60") as mock:
        held = [socket.create_connection(("127.0.0.1", port_of(mock.url))) for _ in range(2)]
        with pytest.raises(httpx.ReadTimeout):  # a third waits, unanswered
            httpx.get(f"{mock.url}/__mock/health", timeout=1.0)
        held.pop().close()
        assert httpx.get(f"{mock.url}/__mock/health", timeout=30.0).status_code == 200
        held.pop().close()


def test_connections_that_send_no_request_are_closed_after_the_idle_timeout() -> None:
    with running_mock("--max-connections", "2", "--idle-timeout", "1") as mock:
        port = port_of(mock.url)
        fresh = socket.create_connection(("127.0.0.1", port), timeout=30.0)
        answered = http.client.HTTPConnection("127.0.0.1", port, timeout=30.0)
        answered.request("GET", "/__mock/health")
        assert answered.getresponse().read().startswith(b'{"status":"ok"')
        # both connections are taken: health waits until the mock closes them
        assert httpx.get(f"{mock.url}/__mock/health", timeout=30.0).status_code == 200
        assert answered.sock is not None
        assert (fresh.recv(1), answered.sock.recv(1)) == (b"", b"")  # closed by the mock
        fresh.close()
        answered.close()


def test_the_pytest_plugins_server_has_the_same_connection_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from granian.server import embed

    given: list[dict[str, Any]] = []

    class Recorded(embed.Server):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            given.append(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(embed, "Server", Recorded)
    with serving(create_app()) as url:
        assert httpx.get(f"{url}/__mock/health").status_code == 200
    (kwargs,) = given
    expected = connection_settings(DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT)
    assert {name: kwargs[name] for name in expected} == expected


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])
