"""Building the mock from its options."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.fixtures import FixtureError
from mock_server.latency import Latency
from mock_server.server import Options, create_app, is_loopback


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
            rate_limit=0, latency="fixed:5", seed=1, journal_size=2, journal_bytes=300, workers=3,
            admin_token="t",
        )
    )  # fmt: skip
    assert (app.journal._entries.maxlen, app.journal._max_bytes) == (2, 300)
    assert app.user_info.limiter is None
    assert isinstance(app._latency, Latency) and app._latency.draw() == 0.005
    assert app.workers == 3
    assert app.contract.version == app.admin.health()["version"]


def test_the_default_fixtures_are_not_checked_again_but_a_file_is(tmp_path: Path) -> None:
    bad = tmp_path / "fixtures.yaml"
    bad.write_text("users: {}\ntokens: {}\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="users: must be a non-empty mapping"):
        create_app(Options(fixtures=str(bad)))
    assert create_app().store.find("act.mock.basic") is not None


def test_with_proxy_the_port_is_served_by_the_proxy(tmp_path: Path) -> None:
    from mock_server.app import MockApp
    from mock_server.proxy import Proxy
    from mock_server.server import create_served

    assert isinstance(create_served(Options()), MockApp)
    corpus = tmp_path / "c.ndjson"
    served = create_served(Options(proxy="https://upstream.example/", record=str(corpus)))
    assert isinstance(served, Proxy) and served.upstream == "https://upstream.example"
    assert (tmp_path / "c.ndjson.key").exists()
