"""Network faults, over a real socket, as the generated client meets them; and the fault draw."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_server.faults import FAULTS, FaultDraw, NetworkFaults, parse_mix
from mock_server.process import PROCESS_TIMEOUT, RunningMock, running_mock
from tests.support.inprocess import call
from tests.support.seeds import EXAMPLE_TOKEN
from tests.support.waiting import until
from tiktok_user_info_client import AuthenticatedClient, Retries, errors
from tiktok_user_info_client.api.oauth import fetch_access_token
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import GrantType, TokenRequest, UserField

FIELDS = [UserField.OPEN_ID]
RAISED: dict[str, tuple[type[Exception], str | None]] = {
    "reset": (httpx.ReadError, "Connection reset by peer"),
    "empty": (httpx.RemoteProtocolError, "Server disconnected without sending a response."),
    "truncated": (httpx.RemoteProtocolError, "peer closed connection without sending complete message body"),
    "garbage": (httpx.RemoteProtocolError, "illegal status line"),
    "html": (errors.UnexpectedStatus, "Unexpected status code: 502"),
    "hang": (httpx.ReadTimeout, None),
}  # fmt: skip
"""What the generated client raises for each fault: the docs' table."""


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running_mock("--rate-limit", "0") as running:
        yield running


def client(mock: RunningMock, **headers: str) -> AuthenticatedClient:
    """A client whose retries do not wait: a fault forced by `Prefer` answers every attempt."""
    return AuthenticatedClient(
        base_url=mock.url,
        token=EXAMPLE_TOKEN,
        headers=headers,
        timeout=httpx.Timeout(1.0),
        retries=Retries(sleep=lambda _: None),
    )


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_raises_what_the_docs_say(mock: RunningMock, fault: str) -> None:
    kind, message = RAISED[fault]
    with client(mock, Prefer=f"fault={fault}") as faulty, pytest.raises(kind, match=message):
        get_user_info.sync(client=faulty, fields=FIELDS)
    with client(mock) as healthy:  # and the mock goes on serving
        reply = get_user_info.sync(client=healthy, fields=FIELDS)
    assert reply is not None and reply.error.code == "ok"


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_faults_on_a_mock_bound_to_every_interface(host: str) -> None:
    """As in a container: the request's server address is the wildcard one listened on."""
    with running_mock("--host", host) as mock:
        for fault in ("reset", "empty", "truncated", "garbage"):
            kind, message = RAISED[fault]
            with (
                client(mock, Prefer=f"fault={fault}") as faulty,
                pytest.raises(kind, match=message),
            ):
                get_user_info.sync(client=faulty, fields=FIELDS)


def test_html_is_a_proxys_page_without_a_log_id(mock: RunningMock) -> None:
    response = httpx.get(
        f"{mock.url}/v2/user/info/?fields=open_id", headers={"Prefer": "fault=html"}
    )
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert b"<title>502 Bad Gateway</title>" in response.content
    assert "x-tt-logid" not in response.headers


def test_a_scenario_fault_on_the_token_endpoint(mock: RunningMock) -> None:
    admin = f"{mock.url}/__mock/"
    queued = httpx.post(
        admin + "scenarios", json={"operation": "fetchAccessToken", "fault": "reset", "times": 2}
    )
    assert queued.status_code == 201
    body = TokenRequest(
        client_key="mock_client_key", client_secret="mock_client_secret",
        grant_type=GrantType.AUTHORIZATION_CODE, code="code.example", redirect_uri="https://x",
    )  # fmt: skip
    with client(mock) as oauth:
        for _ in range(2):
            with pytest.raises(httpx.ReadError):
                fetch_access_token.sync(client=oauth, body=body)
        issued = fetch_access_token.sync(client=oauth, body=body)
    assert issued is not None and issued.to_dict()["access_token"].startswith("act.")
    journal = httpx.get(admin + "requests", params={"operation": "fetchAccessToken"}).json()
    assert [(r["status"], r["fault"]) for r in journal["requests"][-3:]] == [
        (None, "reset"), (None, "reset"), (200, None),
    ]  # fmt: skip


def test_the_fault_rate_draws_network_faults_too() -> None:
    with running_mock("--fault-rate", "1", "--fault-mix", "empty") as mock, client(mock) as faulty:
        with pytest.raises(httpx.RemoteProtocolError):
            get_user_info.sync(client=faulty, fields=FIELDS)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_hang_ends_when_the_mock_stops(sig: signal.Signals) -> None:
    with running_mock() as mock:
        stuck = httpx.Client(timeout=60)
        began = time.monotonic()
        try:
            import threading

            outcome: list[Any] = []

            def hang() -> None:
                try:
                    outcome.append(
                        stuck.get(
                            f"{mock.url}/v2/user/info/?fields=open_id",
                            headers={"Prefer": "fault=hang"},
                        )
                    )
                except httpx.HTTPError as exc:
                    outcome.append(exc)

            thread = threading.Thread(target=hang)
            thread.start()
            journal = f"{mock.url}/__mock/requests"  # its first read builds the admin API
            until(lambda: httpx.get(journal, timeout=PROCESS_TIMEOUT).json()["requests"] != [])
            mock.process.send_signal(sig)
            assert mock.process.wait(timeout=15) == 0
            thread.join(timeout=5)
        finally:
            stuck.close()
    assert time.monotonic() - began < 15  # not the five minutes a hang lasts at most
    assert isinstance(outcome[0], httpx.RemoteProtocolError)  # closed, unanswered


def test_the_plugins_mock_injects_faults_in_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx
        import pytest
        from tiktok_user_info_client.api.user import get_user_info
        from tiktok_user_info_client.models import UserField

        def test_reset(tiktok_mock, tiktok_client):
            tiktok_mock.add_scenario("getUserInfo", fault="reset", times=3)
            with pytest.raises(httpx.ReadError):  # after the client's two retries
                get_user_info.sync(client=tiktok_client, fields=[UserField.OPEN_ID])
            assert [r.fault for r in tiktok_mock.requests] == ["reset"] * 3
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_without_proc_the_socket_faults_say_what_they_need(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server.server import Options, create_app

    monkeypatch.setattr("mock_server.faults.sys.platform", "darwin")
    app = create_app(Options())
    response = call(app, "GET", "/v2/user/info/?fields=open_id", {"Prefer": "fault=reset"})
    assert response.status_code == 501
    assert (
        response.text
        == "The mock cannot reach this request's connection to break it: it needs Linux's /proc/self/fd.\n"
    )


def test_a_mix_and_its_weights() -> None:
    assert parse_mix("429,500") == [("429", 1), ("500", 1)]
    assert parse_mix(" reset=3 , html") == [("reset", 3), ("html", 1)]
    for bad in ("418", "teapot", "reset=", "reset=x", ""):
        with pytest.raises(ValueError, match="is not a fault"):
            parse_mix(bad)


def test_the_draw_follows_the_rate_and_the_weights() -> None:
    first, second = FaultDraw(0.5, "429=3,reset", seed=11), FaultDraw(0.5, "429=3,reset", seed=11)
    drawn = [first.draw() for _ in range(4000)]
    assert drawn == [second.draw() for _ in range(4000)]
    assert 1800 <= drawn.count(None) <= 2200
    assert 2.4 <= drawn.count("429") / drawn.count("reset") <= 3.6
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultDraw(1.5)


def test_release_ends_a_hang_and_every_later_one() -> None:
    import asyncio

    async def hang_twice() -> float:
        faults = NetworkFaults(hang_seconds=30)

        async def never_disconnects() -> dict[str, Any]:
            await asyncio.sleep(60)
            return {}

        began = time.monotonic()
        waiting = asyncio.ensure_future(faults._hang(never_disconnects))
        await asyncio.sleep(0)  # the hang starts, and waits
        assert not waiting.done()
        faults.release()
        await waiting
        await faults._hang(never_disconnects)  # released already: returns at once
        return time.monotonic() - began

    assert asyncio.run(hang_twice()) < 1


def test_the_docs_table_is_what_the_client_raises() -> None:
    from tests.support.pages import after

    text = after("| fault | what happens | the client raises |")
    rows = [line.strip("|").split("|") for line in text.split("\n\n")[0].splitlines()[2:]]
    table = {name.strip().strip("`"): raised.strip().strip("`") for name, _, raised in rows}
    assert table == {
        fault: f"{'errors' if kind.__module__.endswith('errors') else 'httpx'}.{kind.__name__}"
        for fault, (kind, _) in RAISED.items()
    }
