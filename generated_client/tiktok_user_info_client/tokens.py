"""A user's access and refresh tokens, and an `httpx.Auth` that keeps them fresh."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from http import HTTPStatus

import httpx
from attrs import define

from . import errors
from .api.oauth import fetch_access_token
from .client import AuthenticatedClient, Client
from .models.error_code import ErrorCode
from .models.grant_type import GrantType
from .models.token_request import TokenRequest
from .models.token_response import TokenResponse

__all__ = ["TokenManager", "Tokens", "fetch_tokens"]

logger = logging.getLogger(__name__)


@define(frozen=True)
class Tokens:
    """What the token endpoint grants: store it (`attrs.asdict(tokens)`), and build it back
    with `Tokens(**stored)`."""

    access_token: str
    refresh_token: str
    expires_at: float
    """When the access token expires, in seconds since the epoch (as `time.time()`)."""
    refresh_expires_at: float
    """When the refresh token expires, in seconds since the epoch."""
    open_id: str
    """The user's `open_id` in the app."""
    scope: str
    """The scopes the user granted, comma-separated."""

    @classmethod
    def from_response(cls, response: TokenResponse, issued_at: float) -> Tokens:
        """The tokens of `response`, whose lifetimes count from `issued_at` (`time.time()`)."""
        return cls(
            access_token=response.access_token,
            refresh_token=response.refresh_token,
            expires_at=issued_at + response.expires_in,
            refresh_expires_at=issued_at + response.refresh_expires_in,
            open_id=response.open_id,
            scope=response.scope,
        )


def fetch_tokens(
    client: Client | AuthenticatedClient,
    body: TokenRequest,
    clock: Callable[[], float] = time.time,
) -> Tokens:
    """Send `body` to the token endpoint once (never retried: codes and refresh tokens are
    single-use) and return the tokens it grants.

    Raises the `errors.TikTokOAuthError` it answers (`errors.InvalidGrant`, ...), or the
    other `errors.ClientError`s and httpx errors of any call.
    """
    sent_at = clock()
    response = fetch_access_token.sync_detailed(client=client, body=body)
    errors.raise_for_error(response)
    if not isinstance(response.parsed, TokenResponse):
        raise errors.UnexpectedStatus(response.status_code, response.content, response.headers)
    return Tokens.from_response(response.parsed, sent_at)


class TokenManager(httpx.Auth):
    """An `httpx.Auth` that sends a user's access token, refreshing it with the refresh token
    `margin` seconds before it expires, and once when the API answers `access_token_invalid`
    (the request is then sent again, once).

    Give it to `AuthenticatedClient(token=manager, ...)`. `client` (a `Client` for the token
    endpoint's base URL) sends the refreshes. One refresh runs at a time for all the calls
    that share the manager, threads and asyncio tasks alike (an async call waits for it on
    a worker thread); the calls that waited use its tokens. A refresh token is sent once:
    the new tokens replace it before `save` (if given) receives them, to store for the next
    run; no call uses them before `save` returns. A refresh TikTok refuses raises its
    `errors.TikTokOAuthError` (`errors.InvalidGrant` when the user must log in again) from
    the call that needed it; if `save` raises, the call raises that, and the manager keeps
    the new tokens.
    """

    def __init__(
        self,
        tokens: Tokens,
        *,
        client: Client | AuthenticatedClient,
        client_key: str,
        client_secret: str,
        save: Callable[[Tokens], object] | None = None,
        margin: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tokens = tokens
        self._client = client
        self._client_key = client_key
        self._client_secret = client_secret
        self._save = save
        self._margin = margin
        self._clock = clock
        self._lock = threading.Lock()

    @property
    def tokens(self) -> Tokens:
        """The tokens the manager holds now."""
        return self._tokens

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        tokens = self._tokens
        if self._expiring(tokens):
            tokens = self._renew(tokens)
        response = yield _authorized(request, tokens)
        if response.status_code == HTTPStatus.UNAUTHORIZED and _refused(response.read()):
            yield _authorized(request, self._renew(tokens))

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        tokens = self._tokens
        if self._expiring(tokens):
            tokens = await asyncio.to_thread(self._renew, tokens)
        response = yield _authorized(request, tokens)
        if response.status_code == HTTPStatus.UNAUTHORIZED and _refused(await response.aread()):
            yield _authorized(request, await asyncio.to_thread(self._renew, tokens))

    def _expiring(self, tokens: Tokens) -> bool:
        return self._clock() >= tokens.expires_at - self._margin

    def _renew(self, seen: Tokens) -> Tokens:
        """Fresh tokens for a call that found `seen` stale: the ones another call got while
        this one waited, else a refresh's."""
        with self._lock:
            if self._tokens is not seen:
                return self._tokens
            body = TokenRequest(
                client_key=self._client_key,
                client_secret=self._client_secret,
                grant_type=GrantType.REFRESH_TOKEN,
                refresh_token=seen.refresh_token,
            )
            fresh = fetch_tokens(self._client, body, self._clock)
            logger.info("refreshed the access token of open_id %s", fresh.open_id)
            try:
                if self._save is not None:
                    self._save(fresh)
            finally:  # kept even when saving fails: `seen.refresh_token` is spent
                self._tokens = fresh
            return fresh


def _authorized(request: httpx.Request, tokens: Tokens) -> httpx.Request:
    request.headers["Authorization"] = f"Bearer {tokens.access_token}"
    return request


def _refused(content: bytes) -> bool:
    """Whether a 401's body says the API refused the access token (`access_token_invalid`)."""
    try:
        return bool(json.loads(content)["error"]["code"] == ErrorCode.ACCESS_TOKEN_INVALID)
    except (ValueError, KeyError, TypeError):
        return False
