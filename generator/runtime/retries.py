"""Retries of GET requests: exponential backoff with full jitter, `Retry-After` honoured.

The client puts a `RetryTransport` (`AsyncRetryTransport`) in front of the transports of each
httpx client it builds (`install_retries`); it retries a GET as the request's `retries`
extension says, else as the client's `retries`. An httpx client given to the client's
`set_httpx_client` retries only through a retry transport of its own."""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from attrs import define, field

from .errors import error_of, log_id_of

__all__ = [
    "RETRIES_EXTENSION",
    "RETRY_ERRORS",
    "RETRY_METHODS",
    "RETRY_STATUSES",
    "AsyncRetryTransport",
    "Retries",
    "RetryTransport",
    "install_retries",
    "retry_after",
]

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""The statuses worth another try: rate limited, TikTok's or a proxy's passing failure."""

RETRY_METHODS = frozenset({"GET"})
"""The methods retried: TikTok's POSTs spend authorization codes and refresh tokens."""

RETRIES_EXTENSION = "retries"
"""The request extension that carries a call's `Retries`, read by the retry transports."""

RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
"""The transport errors worth another try: timeouts, refused, reset or dropped connections."""


def _count(_: object, attribute: Any, value: object) -> None:
    """A validator: `value` is a whole number, 0 or more (not a bool, though bool is an int)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"'{attribute.name}' must be a whole number, not {value!r}")
    if value < 0:
        raise ValueError(f"'{attribute.name}' must be 0 or more, not {value!r}")


def _seconds(_: object, attribute: Any, value: object) -> None:
    """A validator: `value` is a finite number of seconds, 0 or more (not a bool)."""
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
    response has a `Retry-After` header, what that asks. One that asks more than
    `max_retry_after` seconds is not waited for (the retry would meet the same answer):
    the call raises at once that response's error (`errors.error_of`; for TikTok's 429,
    `errors.RateLimitExceeded`), its message giving the seconds asked, the cap and the
    log id.
    Each retry is logged at INFO on the logger `tiktok_user_info_client.retries`, with
    the failure's status or error and its log id, never a token.

    `sleep`, `async_sleep` and `random` are there for tests to replace.
    """

    max_retries: int = field(default=2, validator=_count)
    initial_delay: float = field(default=0.5, validator=_seconds)
    max_delay: float = field(default=8.0, validator=_seconds)
    max_retry_after: float = field(default=60.0, validator=_seconds)
    sleep: Callable[[float], object] = field(default=time.sleep, eq=False, repr=False)
    async_sleep: Callable[[float], Awaitable[object]] = field(
        default=asyncio.sleep, eq=False, repr=False
    )
    random: Callable[[], float] = field(default=random.random, eq=False, repr=False)

    def backoff(self, retry: int) -> float:
        """The longest wait before retry number `retry` (from 1) without `Retry-After`."""
        return min(self.max_delay, self.initial_delay * 2.0 ** min(retry - 1, 64))

    def wait(self, retry: int, response: httpx.Response | None = None) -> float:
        """Seconds to wait before retry number `retry` (from 1), after `response` if any.

        Raises the response's error (`errors.error_of`) when its `Retry-After` asks more
        than `max_retry_after`."""
        if response is None or (asked := retry_after(response)) is None:
            return self.random() * self.backoff(retry)
        if asked > self.max_retry_after:
            raise error_of(
                response,
                f"not retried: Retry-After asks {asked:g} s, more than"
                f" max_retry_after ({self.max_retry_after:g} s)",
            )
        return asked

    def _wait_after(
        self, retry: int, request: httpx.Request, outcome: httpx.Response | Exception
    ) -> float | None:
        """The wait before retry number `retry` of `request` after `outcome` (its response,
        or the error it raised), logged; None when the outcome stands (a method or a status
        not worth a retry, or the retries spent). Raises as `wait` does."""
        if retry > self.max_retries or request.method not in RETRY_METHODS:
            return None
        if isinstance(outcome, httpx.Response):
            if outcome.status_code not in RETRY_STATUSES:
                return None
            wait = self.wait(retry, outcome)
            log_id = log_id_of(outcome.headers, outcome.content)
            failure = f"HTTP {outcome.status_code}"
        else:
            wait = self.wait(retry)
            log_id, failure = None, type(outcome).__name__
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


def _retries_of(request: httpx.Request, default: Retries) -> Retries:
    """The `Retries` of `request`'s extension, else `default`."""
    retries = request.extensions.get(RETRIES_EXTENSION) or default
    if not isinstance(retries, Retries):
        raise TypeError(f"the {RETRIES_EXTENSION!r} extension must be a Retries, not {retries!r}")
    return retries


class RetryTransport(httpx.BaseTransport):
    """Sends each request through `transport`, retrying a GET as its `retries` extension
    says, else as `retries`. A GET's body is read here, so that a connection dropped in the
    middle of it is retried too."""

    def __init__(self, transport: httpx.BaseTransport, retries: Retries) -> None:
        self.transport = transport
        self.retries = retries

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        retries = _retries_of(request, self.retries)
        retry = 0
        while True:
            retry += 1
            outcome: httpx.Response | Exception
            try:
                outcome = self.transport.handle_request(request)
                if request.method in RETRY_METHODS:
                    outcome.read()
            except RETRY_ERRORS as error:
                outcome = error
            if (wait := retries._wait_after(retry, request, outcome)) is None:
                return _outcome(outcome)
            retries.sleep(wait)

    def close(self) -> None:
        self.transport.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """`RetryTransport` for an `httpx.AsyncClient`: it waits with `Retries.async_sleep`."""

    def __init__(self, transport: httpx.AsyncBaseTransport, retries: Retries) -> None:
        self.transport = transport
        self.retries = retries

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        retries = _retries_of(request, self.retries)
        retry = 0
        while True:
            retry += 1
            outcome: httpx.Response | Exception
            try:
                outcome = await self.transport.handle_async_request(request)
                if request.method in RETRY_METHODS:
                    await outcome.aread()
            except RETRY_ERRORS as error:
                outcome = error
            if (wait := retries._wait_after(retry, request, outcome)) is None:
                return _outcome(outcome)
            await retries.async_sleep(wait)

    async def aclose(self) -> None:
        await self.transport.aclose()


def _outcome(outcome: httpx.Response | Exception) -> httpx.Response:
    """The response that stands, or the error raised to the caller."""
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def install_retries(client: httpx.Client | httpx.AsyncClient, retries: Retries) -> None:
    """Put a retry transport in front of each transport of `client`: its own and those of
    the proxies it mounted (from `proxy`, `mounts` or the environment's proxy variables)."""
    retrying = RetryTransport if isinstance(client, httpx.Client) else AsyncRetryTransport
    wrap: Callable[[Any], Any] = functools.partial(retrying, retries=retries)
    client._transport = wrap(client._transport)
    client._mounts = {
        pattern: None if mounted is None else wrap(mounted)
        for pattern, mounted in client._mounts.items()
    }
