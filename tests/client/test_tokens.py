"""The token manager: it refreshes before expiry and once on access_token_invalid, one
refresh at a time across threads and tasks, hands new tokens to `save`, and never sends a
spent refresh token again."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

import attrs
import httpx
import pytest

from mock_server.pytest_plugin import TikTokMock
from tests.support.clock import Clock
from tests.support.seeds import ENDPOINT_EXAMPLE
from tiktok_user_info_client import (
    AuthenticatedClient,
    Client,
    Retries,
    TokenManager,
    Tokens,
    errors,
    exchange_code,
)
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import TokenResponse, UserField, UserInfoResponse

FIELDS = [UserField.OPEN_ID]
LOG_ID = "20240102030405ABCDEF0123456789ABCDEF"
TTL = 86400


def envelope_error(code: str) -> dict[str, Any]:
    return {"data": {}, "error": {"code": code, "message": code, "log_id": LOG_ID}}


class FakeTikTok:
    """The token endpoint, rotating `act.N`/`rft.N` on each refresh (after `delay` seconds),
    and user info, which takes the current access token unless told to refuse all."""

    def __init__(self, delay: float = 0.0, refuse_all: bool = False) -> None:
        self.generation = 0
        self.delay = delay
        self.refuse_all = refuse_all
        self.refresh_tokens: list[str] = []
        self.user_info_tokens: list[str] = []
        self.failure: Exception | None = None
        self._lock = threading.Lock()

    def tokens(self, clock: Callable[[], float]) -> Tokens:
        return Tokens.from_response(self._granted(), clock())

    def _granted(self) -> TokenResponse:
        n = self.generation
        return TokenResponse(
            access_token=f"act.{n}",
            expires_in=TTL,
            open_id="open-1",
            refresh_expires_in=10 * TTL,
            refresh_token=f"rft.{n}",
            scope="user.info.basic",
            token_type="Bearer",
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/oauth/token/":
            return self._token(parse_qs(request.content.decode()))
        token = request.headers["authorization"].removeprefix("Bearer ")
        self.user_info_tokens.append(token)
        if self.refuse_all or token != f"act.{self.generation}":
            return httpx.Response(401, json=envelope_error("access_token_invalid"))
        return httpx.Response(200, json=ENDPOINT_EXAMPLE)

    def _token(self, form: dict[str, list[str]]) -> httpx.Response:
        assert form["grant_type"] == ["refresh_token"]
        assert (form["client_key"], form["client_secret"]) == (["key"], ["secret"])
        (refresh,) = form["refresh_token"]
        self.refresh_tokens.append(refresh)
        if self.failure is not None:
            raise self.failure
        time.sleep(self.delay)
        with self._lock:
            if refresh != f"rft.{self.generation}":
                body = {"error": "invalid_grant", "error_description": "used", "log_id": LOG_ID}
                return httpx.Response(400, json=body)
            self.generation += 1
            return httpx.Response(200, json=self._granted().to_dict())


def manager_for(
    tiktok: FakeTikTok,
    clock: Callable[[], float],
    save: Callable[[Tokens], object] | None = None,
    tokens: Tokens | None = None,
) -> TokenManager:
    oauth = Client(
        base_url="https://open.tiktokapis.com",
        httpx_args={"transport": httpx.MockTransport(tiktok)},
    )
    return TokenManager(
        tokens or tiktok.tokens(clock),
        client=oauth,
        client_key="key",
        client_secret="secret",
        save=save,
        clock=clock,
    )


def api_for(tiktok: FakeTikTok, manager: TokenManager) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url="https://open.tiktokapis.com",
        token=manager,
        httpx_args={"transport": httpx.MockTransport(tiktok)},
        retries=Retries(sleep=lambda _: None),
    )


def on_threads(api: AuthenticatedClient, calls: int = 20) -> list[UserInfoResponse | None]:
    """`calls` user-info calls at once, each on its own thread."""
    start = threading.Barrier(calls)

    def call(_: int) -> UserInfoResponse | None:
        start.wait()
        return get_user_info.sync(client=api, fields=FIELDS)

    with ThreadPoolExecutor(calls) as pool:
        return list(pool.map(call, range(calls)))


def in_tasks(api: AuthenticatedClient, calls: int = 20) -> list[UserInfoResponse | None]:
    """`calls` user-info calls at once, each in its own asyncio task, on a new event loop."""

    async def gather() -> list[UserInfoResponse | None]:
        async with api:
            return await asyncio.gather(
                *(get_user_info.asyncio(client=api, fields=FIELDS) for _ in range(calls))
            )

    return asyncio.run(gather())


def all_ok(replies: list[UserInfoResponse | None]) -> bool:
    return all(reply is not None and reply.error.code == "ok" for reply in replies)


def test_tokens_from_a_token_response() -> None:
    tokens = FakeTikTok().tokens(lambda: 1000.0)
    assert tokens == Tokens(
        access_token="act.0",
        refresh_token="rft.0",
        expires_at=1000.0 + TTL,
        refresh_expires_at=1000.0 + 10 * TTL,
        open_id="open-1",
        scope="user.info.basic",
    )
    assert Tokens(**attrs.asdict(tokens)) == tokens  # what an app stores and loads


def test_fresh_tokens_are_sent_as_they_are(clock: Clock) -> None:
    tiktok = FakeTikTok()
    manager = manager_for(tiktok, clock)
    with api_for(tiktok, manager) as api:
        for _ in range(3):
            get_user_info.sync(client=api, fields=FIELDS)
    assert tiktok.user_info_tokens == ["act.0"] * 3 and tiktok.refresh_tokens == []


def test_a_refresh_a_minute_before_expiry(clock: Clock) -> None:
    tiktok, saved = FakeTikTok(), list[Tokens]()
    manager = manager_for(tiktok, clock, saved.append)
    with api_for(tiktok, manager) as api:
        clock.advance(TTL - 61)
        get_user_info.sync(client=api, fields=FIELDS)
        assert tiktok.refresh_tokens == []
        clock.advance(1)
        get_user_info.sync(client=api, fields=FIELDS)
    assert tiktok.refresh_tokens == ["rft.0"]
    assert tiktok.user_info_tokens == ["act.0", "act.1"]
    assert saved == [manager.tokens] and manager.tokens.access_token == "act.1"
    assert manager.tokens.expires_at == clock() + TTL


def test_access_token_invalid_refreshes_once_and_sends_again(clock: Clock) -> None:
    tiktok = FakeTikTok()
    tiktok.generation = 5  # rft.5 works, but TikTok refuses act.0 (revoked, say)
    refused = attrs.evolve(tiktok.tokens(clock), access_token="act.0")
    manager = manager_for(tiktok, clock, tokens=refused)
    with api_for(tiktok, manager) as api:
        reply = get_user_info.sync(client=api, fields=FIELDS)
    assert isinstance(reply, UserInfoResponse) and reply.error.code == "ok"
    assert tiktok.refresh_tokens == ["rft.5"]
    assert tiktok.user_info_tokens == ["act.0", "act.6"]


def test_a_second_refusal_is_the_callers(clock: Clock) -> None:
    tiktok = FakeTikTok(refuse_all=True)
    with api_for(tiktok, manager_for(tiktok, clock)) as api:
        with pytest.raises(errors.AccessTokenInvalid):
            get_user_info.sync(client=api, fields=FIELDS)
    assert tiktok.user_info_tokens == ["act.0", "act.1"] and tiktok.refresh_tokens == ["rft.0"]


def expired(clock: Clock) -> None:
    clock.advance(TTL)


def test_twenty_threads_refresh_once(clock: Clock) -> None:
    tiktok, saved = FakeTikTok(delay=0.2), list[Tokens]()
    manager = manager_for(tiktok, clock, saved.append)
    expired(clock)
    with api_for(tiktok, manager) as api:
        assert all_ok(on_threads(api))
    assert tiktok.refresh_tokens == ["rft.0"] and len(saved) == 1
    assert tiktok.user_info_tokens == ["act.1"] * 20


def test_twenty_tasks_refresh_once(clock: Clock) -> None:
    tiktok = FakeTikTok(delay=0.2)
    manager = manager_for(tiktok, clock)
    expired(clock)
    assert all_ok(in_tasks(api_for(tiktok, manager)))
    assert tiktok.refresh_tokens == ["rft.0"]


def test_threads_and_tasks_together_refresh_once(clock: Clock) -> None:
    tiktok = FakeTikTok(delay=0.2)
    manager = manager_for(tiktok, clock)
    expired(clock)
    with api_for(tiktok, manager) as api, ThreadPoolExecutor(1) as pool:
        tasks = pool.submit(in_tasks, api_for(tiktok, manager), 10)
        replies = [*on_threads(api, 10), *tasks.result()]
    assert len(replies) == 20 and all_ok(replies)
    assert tiktok.refresh_tokens == ["rft.0"]


def test_a_spent_refresh_token_is_never_sent_again(clock: Clock) -> None:
    tiktok = FakeTikTok()
    manager = manager_for(tiktok, clock)
    with api_for(tiktok, manager) as api:
        for _ in range(3):
            expired(clock)
            get_user_info.sync(client=api, fields=FIELDS)
        spent = manager.tokens
        tiktok.generation += 1  # another process refreshed: act.3 and rft.3 no longer work
        with pytest.raises(errors.InvalidGrant) as refused:
            get_user_info.sync(client=api, fields=FIELDS)
    assert tiktok.refresh_tokens == ["rft.0", "rft.1", "rft.2", "rft.3"]
    assert refused.value.log_id == LOG_ID
    assert manager.tokens is spent  # kept: a refused refresh changes nothing


def test_no_call_uses_new_tokens_before_save_returns(clock: Clock) -> None:
    tiktok = FakeTikTok()
    saving, saved = threading.Event(), threading.Event()

    def save(_: Tokens) -> None:
        saving.set()
        assert saved.wait(5)

    manager = manager_for(tiktok, clock, save)
    expired(clock)
    with api_for(tiktok, manager) as api, ThreadPoolExecutor(1) as pool:
        refreshing = pool.submit(get_user_info.sync, client=api, fields=FIELDS)
        assert saving.wait(5)
        assert manager.tokens.access_token == "act.0"
        saved.set()
        refreshing.result()
    assert manager.tokens.access_token == "act.1"


def test_a_failing_save_is_raised_and_the_new_tokens_kept(clock: Clock) -> None:
    tiktok = FakeTikTok()

    def save(_: Tokens) -> None:
        raise OSError("disk full")

    manager = manager_for(tiktok, clock, save)
    expired(clock)
    with api_for(tiktok, manager) as api:
        with pytest.raises(OSError, match="disk full"):
            get_user_info.sync(client=api, fields=FIELDS)
        assert manager.tokens.refresh_token == "rft.1"
        get_user_info.sync(client=api, fields=FIELDS)
    assert tiktok.refresh_tokens == ["rft.0"]


def test_a_refresh_that_fails_in_transit_is_not_retried(clock: Clock) -> None:
    """The call's retries are for its own request, never for the refresh it needed."""
    tiktok = FakeTikTok()
    tiktok.failure = httpx.ConnectError("refused")
    manager = manager_for(tiktok, clock)
    expired(clock)
    with api_for(tiktok, manager) as api:
        with pytest.raises(httpx.ConnectError):
            get_user_info.sync(client=api, fields=FIELDS)
    assert tiktok.refresh_tokens == ["rft.0"] and tiktok.user_info_tokens == []


def test_refreshes_are_logged_without_tokens(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    tiktok = FakeTikTok()
    manager = manager_for(tiktok, clock)
    expired(clock)
    with caplog.at_level(logging.INFO, logger="tiktok_user_info_client"):
        with api_for(tiktok, manager) as api:
            get_user_info.sync(client=api, fields=FIELDS)
    assert caplog.messages == ["refreshed the access token of open_id open-1"]
    assert "act." not in caplog.text and "rft." not in caplog.text


# Against the running mock.

KEY, SECRET = "mock_client_key", "mock_client_secret"


def mock_tokens(oauth: Client) -> Tokens:
    return exchange_code(
        oauth,
        client_key=KEY,
        client_secret=SECRET,
        code="code.example",
        redirect_uri="https://app/cb",
    )


def refreshes(mock: TikTokMock) -> list[str]:
    return [
        request.form["grant_type"]
        for request in mock.requests
        if request.operation == "fetchAccessToken" and request.form
    ]


def mock_api(mock: TikTokMock, manager: TokenManager) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=mock.url, token=manager, httpx_args={"trust_env": False})


def test_the_mock_sees_one_refresh_under_20_concurrent_calls(tiktok_mock: TikTokMock) -> None:
    later = Clock(time.time() + TTL)  # the access token has expired
    saved: list[Tokens] = []
    with Client(base_url=tiktok_mock.url, httpx_args={"trust_env": False}) as oauth:
        tokens = mock_tokens(oauth)
        manager = TokenManager(
            tokens,
            client=oauth,
            client_key=KEY,
            client_secret=SECRET,
            save=saved.append,
            clock=later,
        )
        with mock_api(tiktok_mock, manager) as api:
            assert all_ok(on_threads(api))
    assert refreshes(tiktok_mock) == ["authorization_code", "refresh_token"]
    assert len(saved) == 1 and saved[0].access_token != tokens.access_token
    user_info = [r for r in tiktok_mock.requests if r.operation == "getUserInfo"]
    assert [r.status for r in user_info] == [200] * 20


def test_the_mock_sees_one_refresh_under_20_concurrent_tasks(tiktok_mock: TikTokMock) -> None:
    later = Clock(time.time() + TTL)
    with Client(base_url=tiktok_mock.url, httpx_args={"trust_env": False}) as oauth:
        manager = TokenManager(
            mock_tokens(oauth), client=oauth, client_key=KEY, client_secret=SECRET, clock=later
        )
        assert all_ok(in_tasks(mock_api(tiktok_mock, manager)))
    assert refreshes(tiktok_mock) == ["authorization_code", "refresh_token"]


def test_the_mock_refusing_the_access_token_gets_one_refresh(tiktok_mock: TikTokMock) -> None:
    with Client(base_url=tiktok_mock.url, httpx_args={"trust_env": False}) as oauth:
        tokens = mock_tokens(oauth)
        tiktok_mock.add_scenario(
            "getUserInfo", error="access_token_invalid", token=tokens.access_token
        )
        manager = TokenManager(tokens, client=oauth, client_key=KEY, client_secret=SECRET)
        with mock_api(tiktok_mock, manager) as api:
            reply = get_user_info.sync(client=api, fields=FIELDS)
    assert reply is not None and reply.error.code == "ok"
    assert [(r.operation, r.status) for r in tiktok_mock.requests] == [
        ("fetchAccessToken", 200),
        ("getUserInfo", 401),
        ("fetchAccessToken", 200),
        ("getUserInfo", 200),
    ]
