"""Retries of GET requests: exponential backoff with full jitter, `Retry-After` honoured."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from attrs import define, field, validators

from .errors import log_id_of

__all__ = ["RETRY_ERRORS", "RETRY_STATUSES", "Retries", "retry_after", "send", "send_async"]

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""The statuses worth another try: rate limited, TikTok's or a proxy's passing failure."""

RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
"""The transport errors worth another try: timeouts, refused, reset or dropped connections."""


def _seconds(_: object, attribute: Any, value: object) -> None:
    """A validator: `value` is a finite number of seconds, 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"'{attribute.name}' must be a number of seconds, not {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"'{attribute.name}' must be finite and 0 or more, not {value!r}")


@define(frozen=True)
class Retries:
    """How a GET request is retried, on a status in `RETRY_STATUSES` or an error in
    `RETRY_ERRORS`, at most `max_retries` times (0 turns retries off).

    Before retry number n (from 1) it waits a random time between 0 and
    `min(max_delay, initial_delay * 2 ** (n - 1))` seconds ("full jitter"), or, when the
    response has a `Retry-After` header, what that asks, up to `max_retry_after` seconds.
    Each retry is logged at INFO on the logger `tiktok_user_info_client.retries`, with
    the failure's status or error and its log id, never a token.

    `sleep`, `async_sleep` and `random` are there for tests to replace.
    """

    max_retries: int = field(default=2, validator=[validators.instance_of(int), validators.ge(0)])
    initial_delay: float = field(default=0.5, validator=_seconds)
    max_delay: float = field(default=8.0, validator=_seconds)
    max_retry_after: float = field(default=60.0, validator=_seconds)
    sleep: Callable[[float], object] = field(default=time.sleep, eq=False, repr=False)
    async_sleep: Callable[[float], Awaitable[object]] = field(default=asyncio.sleep, eq=False, repr=False)
    random: Callable[[], float] = field(default=random.random, eq=False, repr=False)

    def backoff(self, retry: int) -> float:
        """The longest wait before retry number `retry` (from 1) without `Retry-After`."""
        return min(self.max_delay, self.initial_delay * 2.0 ** min(retry - 1, 64))

    def wait(self, retry: int, response: httpx.Response | None = None) -> float:
        """Seconds to wait before retry number `retry` (from 1), after `response` if any."""
        asked = retry_after(response) if response is not None else None
        if asked is not None:
            return min(asked, self.max_retry_after)
        return self.random() * self.backoff(retry)

    def _next(
        self,
        retry: int,
        request: httpx.Request,
        response: httpx.Response | None = None,
        error: Exception | None = None,
    ) -> float | None:
        """The wait before retry number `retry` after `response` or `error`, logged; None
        when the answer stands (a status not worth a retry, or the retries spent)."""
        if response is not None and response.status_code not in RETRY_STATUSES:
            return None
        if retry > self.max_retries or (error is not None and not _raised_by(error, request)):
            return None
        wait = self.wait(retry, response)
        log_id = None
        if response is not None:
            log_id = log_id_of(response.headers, response.content)
            failure = f"HTTP {response.status_code}"
        else:
            failure = type(error).__name__
        logger.info(
            "%s %s failed (%s, log_id %s); retry %d of %d in %.2f s",
            request.method,
            request.url.path,
            failure,
            log_id,
            retry,
            self.max_retries,
            wait,
            extra={"log_id": log_id, "retry": retry, "wait": wait},
        )
        return wait


def _raised_by(error: Exception, request: httpx.Request) -> bool:
    """Whether `error` is the failure of `request` itself, not of another request made on
    its behalf (a token refresh by the client's httpx.Auth is never retried)."""
    try:
        return isinstance(error, httpx.RequestError) and error.request is request
    except RuntimeError:  # an error raised without its request
        return False


def retry_after(response: httpx.Response) -> float | None:
    """The seconds that `response`'s `Retry-After` asks to wait (a number of seconds, or an
    HTTP date), or None if it has none that parses."""
    value = response.headers.get("retry-after", "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def send(client: httpx.Client, request: dict[str, Any], retries: Retries) -> httpx.Response:
    """Send `request` (the keywords of `client.request`), retrying as `retries` says; the
    last response, or the last error raised."""
    retry = 0
    while True:
        retry += 1
        attempt = client.build_request(**request)
        try:
            response = client.send(attempt)
        except RETRY_ERRORS as error:
            if (wait := retries._next(retry, attempt, error=error)) is None:
                raise
        else:
            if (wait := retries._next(retry, attempt, response=response)) is None:
                return response
        retries.sleep(wait)


async def send_async(client: httpx.AsyncClient, request: dict[str, Any], retries: Retries) -> httpx.Response:
    """`send` for an `httpx.AsyncClient`."""
    retry = 0
    while True:
        retry += 1
        attempt = client.build_request(**request)
        try:
            response = await client.send(attempt)
        except RETRY_ERRORS as error:
            if (wait := retries._next(retry, attempt, error=error)) is None:
                raise
        else:
            if (wait := retries._next(retry, attempt, response=response)) is None:
                return response
        await retries.async_sleep(wait)
