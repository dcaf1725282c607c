"""The mock served from a thread of the test process, as the pytest plugin serves it."""

from __future__ import annotations

import threading

import httpx

from mock_server.embedded import serving
from mock_server.server import Options, create_app


def test_it_serves_the_app_object_and_stops_with_the_block() -> None:
    app = create_app(Options())
    before = set(threading.enumerate())  # the plugin's own mock may be serving already
    with serving(app) as url:
        assert httpx.get(f"{url}/__mock/health").status_code == 200
        app.admin.add_token({"token": "act.here", "user": {"open_id": "o"}})  # the same object
        reply = httpx.get(
            f"{url}/v2/user/info/?fields=open_id", headers={"Authorization": "Bearer act.here"}
        )
        assert reply.json()["data"]["user"] == {"open_id": "o"}
        (started,) = [t for t in set(threading.enumerate()) - before if t.name == "tiktok-mock"]
    assert not started.is_alive()
    try:
        httpx.get(f"{url}/__mock/health", timeout=1)
    except httpx.ConnectError:
        pass
    else:  # pragma: no cover
        raise AssertionError("still serving after the block")


def test_stopping_releases_a_hung_request() -> None:
    app = create_app(Options())
    outcome: list[BaseException] = []
    with serving(app) as url:

        def hang() -> None:
            try:
                httpx.get(
                    f"{url}/v2/user/info/?fields=open_id",
                    headers={"Prefer": "fault=hang"},
                    timeout=30,
                )
            except httpx.HTTPError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=hang)
        thread.start()
        from tests.support.waiting import until

        until(lambda: bool(app.state.journal.requests()))
    thread.join(timeout=15)
    assert not thread.is_alive()
    assert isinstance(outcome[0], httpx.RemoteProtocolError)
