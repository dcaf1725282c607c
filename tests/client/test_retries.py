"""Retries: GET operations retried on the failures worth it, with full-jitter backoff and
Retry-After, configured per client and per call, logged without tokens; POSTs never."""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from mock_server.pytest_plugin import TikTokMock
from tests.support.seeds import ENDPOINT_EXAMPLE, EXAMPLE_TOKEN
from tiktok_user_info_client import AuthenticatedClient, Client, Retries, errors
from tiktok_user_info_client.api.oauth import fetch_access_token, revoke_access_token
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import GrantType, RevokeRequest, TokenRequest, UserField
from tiktok_user_info_client.retries import (
    RETRIES_EXTENSION,
    RETRY_STATUSES,
    AsyncRetryTransport,
    RetryTransport,
    retry_after,
)

FIELDS = [UserField.OPEN_ID]
LOG_ID = "20240102030405ABCDEF0123456789ABCDEF"
Answer = httpx.Response | Exception


def envelope(code: str) -> dict[str, Any]:
    return {"data": {}, "error": {"code": code, "message": code, "log_id": LOG_ID}}


class Server:
    """A transport answering from a script, one answer per request; the last repeats."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Waits(list[float]):
    """An injected sleep: records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)

    async def sleep_async(self, seconds: float) -> None:
        self.append(seconds)


def client_for(server: Server, retries: Retries) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url="https://open.tiktokapis.com",
        token=EXAMPLE_TOKEN,
        httpx_args={"transport": httpx.MockTransport(server)},
        retries=retries,
    )


def ok() -> httpx.Response:
    return httpx.Response(200, json=ENDPOINT_EXAMPLE)


def failing(status: int, code: str = "internal_error") -> httpx.Response:
    return httpx.Response(status, json=envelope(code), headers={"x-tt-logid": LOG_ID})


@pytest.fixture
def waits() -> Waits:
    return Waits()


def test_the_defaults() -> None:
    retries = Retries()
    assert (retries.max_retries, retries.initial_delay, retries.max_delay) == (2, 0.5, 8.0)
    assert retries.max_retry_after == 60.0
    assert RETRY_STATUSES == {429, 500, 502, 503, 504}
    client = AuthenticatedClient(base_url="https://open.tiktokapis.com", token="t")
    assert client.retries == retries and Client("https://x").retries == retries


@pytest.mark.parametrize("status", sorted(RETRY_STATUSES))
def test_each_retried_status_then_success(status: int, waits: Waits) -> None:
    server = Server(failing(status), failing(status), ok())
    reply = get_user_info.sync(client=client_for(server, Retries(sleep=waits)), fields=FIELDS)
    assert reply is not None and reply.error.code == "ok"
    assert len(server.requests) == 3 and len(waits) == 2


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow to connect"),
        httpx.ReadTimeout("slow to answer"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("closed without a response"),
    ],
    ids=type,
)
def test_timeouts_and_connection_errors_then_success(error: Exception, waits: Waits) -> None:
    server = Server(error, ok())
    reply = get_user_info.sync(client=client_for(server, Retries(sleep=waits)), fields=FIELDS)
    assert reply is not None and len(server.requests) == 2 and len(waits) == 1


@pytest.mark.parametrize(
    ("status", "code"), [(400, "invalid_params"), (401, "scope_not_authorized")]
)
def test_errors_a_retry_would_not_mend_are_not_retried(
    status: int, code: str, waits: Waits
) -> None:
    server = Server(failing(status, code))
    with pytest.raises(errors.TikTokError):
        get_user_info.sync(client=client_for(server, Retries(sleep=waits)), fields=FIELDS)
    assert len(server.requests) == 1 and waits == []


def test_it_gives_up_after_the_budget(waits: Waits) -> None:
    server = Server(failing(429, "rate_limit_exceeded"))
    client = client_for(server, Retries(max_retries=3, sleep=waits))
    with pytest.raises(errors.RateLimitExceeded) as caught:
        get_user_info.sync(client=client, fields=FIELDS)
    assert caught.value.log_id == LOG_ID
    assert len(server.requests) == 4 and len(waits) == 3
    response = get_user_info.sync_detailed(client=client, fields=FIELDS)
    assert response.status_code == 429  # the detailed call returns the last answer


def test_the_last_transport_error_is_raised(waits: Waits) -> None:
    server = Server(httpx.ConnectError("refused"))
    with pytest.raises(httpx.ConnectError):
        get_user_info.sync(client=client_for(server, Retries(sleep=waits)), fields=FIELDS)
    assert len(server.requests) == 3


def test_full_jitter_within_exponential_bounds(waits: Waits) -> None:
    draws = iter([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.25])
    retries = Retries(
        max_retries=7, initial_delay=0.5, max_delay=4.0, sleep=waits, random=lambda: next(draws)
    )
    server = Server(*[failing(503)] * 7, ok())
    get_user_info.sync(client=client_for(server, retries), fields=FIELDS)
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 0.0, 0.25 * 4.0]
    assert [retries.backoff(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]


def test_real_jitter_stays_within_the_bounds(waits: Waits) -> None:
    retries = Retries(max_retries=6, sleep=waits)
    for _ in range(50):
        waits.clear()
        server = Server(failing(500))
        get_user_info.sync_detailed(client=client_for(server, retries), fields=FIELDS)
        assert len(waits) == 6
        assert all(0 <= wait <= retries.backoff(n) for n, wait in enumerate(waits, start=1))


@pytest.mark.parametrize(("header", "wait"), [("3", 3.0), ("0", 0.0), ("120", 60.0)])
def test_retry_after_seconds_is_honoured_and_capped(header: str, wait: float, waits: Waits) -> None:
    limited = httpx.Response(
        429, json=envelope("rate_limit_exceeded"), headers={"Retry-After": header}
    )
    server = Server(limited, ok())
    get_user_info.sync(client=client_for(server, Retries(sleep=waits)), fields=FIELDS)
    assert waits == [wait]


def test_retry_after_as_a_date() -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    asked = retry_after(httpx.Response(503, headers={"Retry-After": later}))
    assert asked is not None and 28 <= asked <= 30
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after(httpx.Response(503, headers={"Retry-After": past})) == 0.0
    for junk in ("", "soon", "-1", "1.5", "nan", "\u00b2", "\u0663", "Wed, 99 Foo 2025 00:00:00"):
        header = [(b"Retry-After", junk.encode())]  # as sent: non-ASCII digits in UTF-8
        assert retry_after(httpx.Response(503, headers=header)) is None, junk


def test_per_call_retries_override_the_clients(waits: Waits) -> None:
    server = Server(failing(500), failing(500), ok())
    client = client_for(server, Retries(sleep=waits))
    with pytest.raises(errors.InternalError):
        get_user_info.sync(client=client, fields=FIELDS, retries=Retries(max_retries=0))
    assert len(server.requests) == 1
    assert get_user_info.sync(client=client, fields=FIELDS) is not None  # the client's
    assert len(server.requests) == 3


def test_max_retries_zero_turns_them_off(waits: Waits) -> None:
    server = Server(httpx.ConnectError("refused"))
    with pytest.raises(httpx.ConnectError):
        get_user_info.sync(client=client_for(server, Retries(0, sleep=waits)), fields=FIELDS)
    assert len(server.requests) == 1 and waits == []


def oauth_failing(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": code, "error_description": code, "log_id": LOG_ID})


@pytest.mark.parametrize(
    "answer",
    [
        lambda: oauth_failing(500, "server_error"),
        lambda: oauth_failing(429, "temporarily_unavailable"),
        lambda: httpx.ConnectError("refused"),
    ],
    ids=["500", "429", "refused"],
)
@pytest.mark.parametrize("operation", ["fetchAccessToken", "revokeAccessToken"])
def test_posts_are_never_retried(
    answer: Callable[[], Answer], operation: str, waits: Waits
) -> None:
    server = Server(answer(), ok())
    oauth = client_for(server, Retries(max_retries=5, sleep=waits))
    with pytest.raises((errors.TikTokOAuthError, httpx.ConnectError)):
        if operation == "fetchAccessToken":
            refresh = TokenRequest(
                client_key="k",
                client_secret="s",
                grant_type=GrantType.REFRESH_TOKEN,
                refresh_token="rft.once",
            )
            fetch_access_token.sync(client=oauth, body=refresh)
        else:
            revoke = RevokeRequest(client_key="k", client_secret="s", token="act.x")
            revoke_access_token.sync(client=oauth, body=revoke)
    assert len(server.requests) == 1 and waits == []


def test_each_retry_is_logged_with_the_log_id_and_no_token(
    waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server(failing(429, "rate_limit_exceeded"), httpx.ReadError("reset"), ok())
    draws = iter([0.5, 0.5])
    retries = Retries(sleep=waits, random=lambda: next(draws))
    with caplog.at_level(logging.INFO, logger="tiktok_user_info_client.retries"):
        get_user_info.sync(client=client_for(server, retries), fields=FIELDS)
    assert [record.getMessage() for record in caplog.records] == [
        f"GET /v2/user/info/ failed (HTTP 429, log_id {LOG_ID}); retry 1 of 2 in 0.25 s",
        "GET /v2/user/info/ failed (ReadError, log_id None); retry 2 of 2 in 0.50 s",
    ]
    assert [record.__dict__["log_id"] for record in caplog.records] == [LOG_ID, None]
    assert EXAMPLE_TOKEN not in caplog.text


def test_async_retries_the_same(waits: Waits) -> None:
    server = Server(failing(502), httpx.ConnectTimeout("slow"), ok())

    def blocking(_: float) -> None:
        pytest.fail("an async call must not block its event loop")

    retries = Retries(sleep=blocking, async_sleep=waits.sleep_async)

    async def call() -> None:
        async with client_for(server, retries) as client:
            assert await get_user_info.asyncio(client=client, fields=FIELDS) is not None

    asyncio.run(call())
    assert len(server.requests) == 3 and len(waits) == 2


def test_the_default_sleeps_really_wait() -> None:
    server = Server(failing(500), ok())
    began = time.monotonic()
    get_user_info.sync(client=client_for(server, Retries(random=lambda: 1.0)), fields=FIELDS)
    assert 0.5 <= time.monotonic() - began < 2


@pytest.mark.parametrize(
    ("options", "raised"),
    [
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 1.5}, TypeError),
        ({"initial_delay": -0.1}, ValueError),
        ({"max_delay": float("inf")}, ValueError),
        ({"max_retry_after": float("nan")}, ValueError),
        ({"initial_delay": "1"}, TypeError),
    ],
)
def test_bad_settings_are_refused(options: dict[str, Any], raised: type[Exception]) -> None:
    with pytest.raises(raised):
        Retries(**options)


# Against the running mock: its scenarios and network faults.


def mock_client(mock: TikTokMock, retries: Retries) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=mock.url, token=EXAMPLE_TOKEN, retries=retries, httpx_args={"trust_env": False}
    )


def outcomes(mock: TikTokMock) -> list[tuple[int | None, str | None]]:
    return [(request.status, request.fault) for request in mock.requests]


def test_retries_survive_two_429s_and_a_connection_reset(
    tiktok_mock: TikTokMock, waits: Waits
) -> None:
    tiktok_mock.add_scenario("getUserInfo", error="rate_limit_exceeded", times=2)
    tiktok_mock.add_scenario("getUserInfo", fault="reset")
    retries = Retries(max_retries=3, sleep=waits)
    with mock_client(tiktok_mock, retries) as client:
        reply = get_user_info.sync(client=client, fields=FIELDS)
    assert reply is not None and reply.error.code == "ok"
    assert outcomes(tiktok_mock) == [(429, None), (429, None), (None, "reset"), (200, None)]
    assert all(0 <= wait <= retries.backoff(n) for n, wait in enumerate(waits, start=1))
    assert len(waits) == 3


def test_the_default_budget_survives_two_429s(tiktok_mock: TikTokMock) -> None:
    tiktok_mock.add_scenario("getUserInfo", error="rate_limit_exceeded", times=2)
    with mock_client(tiktok_mock, Retries()) as client:
        reply = get_user_info.sync(client=client, fields=FIELDS)
    assert reply is not None and reply.error.code == "ok"
    assert outcomes(tiktok_mock) == [(429, None), (429, None), (200, None)]


def test_giving_up_raises_rate_limit_exceeded_with_the_log_id(
    tiktok_mock: TikTokMock, waits: Waits
) -> None:
    tiktok_mock.add_scenario("getUserInfo", error="rate_limit_exceeded", times=3)
    with mock_client(tiktok_mock, Retries(sleep=waits)) as client:
        with pytest.raises(errors.RateLimitExceeded) as caught:
            get_user_info.sync(client=client, fields=FIELDS)
    answered = tiktok_mock.requests
    assert [request.status for request in answered] == [429, 429, 429]
    assert caught.value.log_id == answered[-1].log_id
    assert json.loads(caught.value.content)["error"]["log_id"] == caught.value.log_id
    assert len(waits) == 2


@pytest.mark.parametrize("fault", ["empty", "truncated", "garbage", "html"])
def test_every_retried_network_fault_is_survived(
    tiktok_mock: TikTokMock, fault: str, waits: Waits
) -> None:
    tiktok_mock.add_scenario("getUserInfo", fault=fault)
    with mock_client(tiktok_mock, Retries(sleep=waits)) as client:
        assert get_user_info.sync(client=client, fields=FIELDS) is not None
    assert outcomes(tiktok_mock)[-1] == (200, None) and len(tiktok_mock.requests) == 2


def test_a_refresh_is_never_retried_even_when_asked(tiktok_mock: TikTokMock, waits: Waits) -> None:
    tiktok_mock.add_scenario("fetchAccessToken", error="temporarily_unavailable")
    body = TokenRequest(
        client_key="mock_client_key",
        client_secret="mock_client_secret",
        grant_type=GrantType.REFRESH_TOKEN,
        refresh_token="rft.unknown",
    )
    with mock_client(tiktok_mock, Retries(max_retries=5, sleep=waits)) as oauth:
        with pytest.raises(errors.TemporarilyUnavailable):
            fetch_access_token.sync(client=oauth, body=body)
    assert [request.status for request in tiktok_mock.requests] == [429]


def test_waits_of_a_real_client_stay_within_bounds(tiktok_mock: TikTokMock) -> None:
    """The default sleep and jitter, timed: two 500s wait at most 0.5 s and 1 s."""
    tiktok_mock.add_scenario("getUserInfo", error="internal_error", times=2)
    began = time.monotonic()
    with mock_client(tiktok_mock, Retries()) as client:
        get_user_info.sync(client=client, fields=FIELDS)
    assert time.monotonic() - began < 1.5 + 1.0
    times = [datetime.fromisoformat(request.time).timestamp() for request in tiktok_mock.requests]
    assert len(times) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(0 <= gap <= bound + 0.25 for gap, bound in zip(gaps, (0.5, 1.0), strict=True))


# The retry transport the client installs.


def test_a_request_of_the_clients_httpx_client_is_retried_too(waits: Waits) -> None:
    server = Server(failing(503), ok())
    client = client_for(server, Retries(sleep=waits))
    assert client.get_httpx_client().get("/v2/user/info/?fields=open_id").status_code == 200
    assert len(server.requests) == 2 and len(waits) == 1


def test_a_post_of_the_clients_httpx_client_is_not(waits: Waits) -> None:
    server = Server(failing(503), ok())
    client = client_for(server, Retries(sleep=waits))
    assert client.get_httpx_client().post("/v2/oauth/token/").status_code == 503
    assert len(server.requests) == 1 and waits == []


def test_a_request_carries_its_own_retries_in_its_extensions(waits: Waits) -> None:
    server = Server(failing(500))
    client = client_for(server, Retries(sleep=waits))
    assert RETRIES_EXTENSION == "retries"
    once = {RETRIES_EXTENSION: Retries(max_retries=0)}
    assert client.get_httpx_client().get("/", extensions=once).status_code == 500
    assert len(server.requests) == 1 and waits == []


def test_an_extension_that_is_not_retries_is_refused() -> None:
    client = client_for(Server(ok()), Retries())
    with pytest.raises(TypeError, match="the 'retries' extension must be a Retries, not 2"):
        get_user_info.sync(client=client, fields=FIELDS, retries=2)  # type: ignore[arg-type]


@pytest.mark.parametrize("how", ["environment", "argument"])
def test_the_proxies_httpx_mounts_retry_too(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = "http://127.0.0.1:9"
    monkeypatch.setenv("HTTPS_PROXY", proxy if how == "environment" else "")
    client = AuthenticatedClient(
        base_url="https://open.tiktokapis.com",
        token="t",
        httpx_args={"proxy": proxy} if how == "argument" else {},
    )
    sync, async_ = client.get_httpx_client(), client.get_async_httpx_client()
    mounted = [*sync._mounts.values(), *async_._mounts.values()]
    assert mounted and all(isinstance(t, RetryTransport | AsyncRetryTransport) for t in mounted)
    assert isinstance(sync._transport, RetryTransport)
    assert isinstance(async_._transport, AsyncRetryTransport)


def test_an_httpx_client_set_by_hand_retries_only_with_a_retry_transport(waits: Waits) -> None:
    client = client_for(Server(ok()), Retries(sleep=waits))
    server = Server(failing(503), ok())
    client.set_httpx_client(
        httpx.Client(base_url="https://x", transport=httpx.MockTransport(server))
    )
    with pytest.raises(errors.UnexpectedStatus):  # 503, not retried
        get_user_info.sync(client=client, fields=FIELDS)
    server = Server(failing(503), ok())
    transport = RetryTransport(httpx.MockTransport(server), Retries(max_retries=0))
    client.set_httpx_client(httpx.Client(base_url="https://x", transport=transport))
    assert get_user_info.sync(client=client, fields=FIELDS) is not None  # as the client says
    assert len(server.requests) == 2 and len(waits) == 1
