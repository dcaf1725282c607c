"""Every token the mock knows, in one store with one reset.

The access tokens that `GET /v2/user/info/` checks: the fixtures', those the OAuth endpoints
issue, and those tests and the admin API add; with the OAuth flow's authorization codes and
refresh tokens. `reset()` goes back to the fixtures.

What the OAuth endpoints issue is kept in order of expiry (a heap), so forgetting what has
expired costs only what is forgotten, never a walk through the store; and each kind is
bounded: past `MAX_ISSUED` access tokens, refresh tokens or codes, the one nearest its expiry
is forgotten first. With the default fixtures' users an issued access token takes about
2.4 KB, a refresh token or a code about 0.7 KB: all that is issued stays under 200 MB,
whatever the load.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any, Generic, TypeVar

from .answers import json_bytes
from .fixtures import Code, Fixtures, Grant

__all__ = ["MAX_ISSUED", "Entry", "IssuedCode", "Refresh", "TokenStore"]

MAX_ISSUED = 50_000
"""How many issued access tokens, refresh tokens and codes (each kind) the store keeps."""
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Entry:
    """An access token, its grant, and its user's fields each encoded once as a JSON member."""

    token: str
    grant: Grant
    fragments: Mapping[str, bytes]

    @classmethod
    def of(cls, token: str, grant: Grant) -> Entry:
        fragments = {name: json_bytes({name: value})[1:-1] for name, value in grant.user.items()}
        return cls(token, grant, fragments)


@dataclass(frozen=True)
class IssuedCode:
    """A code from the authorize page: single-use, until `expires_at`, maybe with PKCE."""

    code: Code
    expires_at: float
    challenge: str | None = None
    """The PKCE S256 `code_challenge` the authorization request gave, if any."""


@dataclass(frozen=True)
class Refresh:
    """An issued refresh token: what it renews, for which client, and until when."""

    user: Mapping[str, Any]
    scopes: frozenset[str]
    client_key: str
    access_token: str
    expires_at: float


class Expiring(Generic[K, V]):
    """Items that expire, in order of expiry: at most `limit`, the one nearest its expiry
    forgotten first past it; `forgotten` hears of each item forgotten, whatever the reason."""

    def __init__(self, limit: int, forgotten: Callable[[K, V], None] | None = None) -> None:
        self._limit = limit
        self._forgotten = forgotten
        self._items: dict[K, tuple[int, V]] = {}
        self._heap: list[tuple[float, int, K]] = []
        """(expiry, serial number, key): an entry whose serial number is no longer its
        key's is stale, and skipped when popped."""
        self._serials = count()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[V]:
        return (value for _, value in self._items.values())

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        return None if item is None else item[1]

    def put(self, key: K, value: V, expires_at: float) -> None:
        self.pop(key)
        serial = next(self._serials)
        self._items[key] = (serial, value)
        heapq.heappush(self._heap, (expires_at, serial, key))
        while len(self._items) > self._limit:
            self._pop_first()

    def pop(self, key: K) -> V | None:
        item = self._items.pop(key, None)
        if item is None:
            return None
        if self._forgotten is not None:
            self._forgotten(key, item[1])
        if len(self._heap) > 2 * len(self._items) + 64:  # drop the stale entries
            self._heap = [e for e in self._heap if self._serial(e[2]) == e[1]]
            heapq.heapify(self._heap)
        return item[1]

    def expire(self, now: float) -> None:
        """Forget what expires at `now` or before: as many steps as entries it pops."""
        while self._heap and self._heap[0][0] <= now:
            self._pop_first()

    def _pop_first(self) -> None:
        _, serial, key = heapq.heappop(self._heap)
        if self._serial(key) == serial:
            self.pop(key)

    def _serial(self, key: K) -> int | None:
        item = self._items.get(key)
        return None if item is None else item[0]

    def clear(self) -> None:
        self._items.clear()
        self._heap.clear()


class TokenStore:
    """The tokens, codes and refresh tokens of one mock.

    Access tokens are looked up by SHA-256 digest and then compared in constant time, so
    neither the lookup nor the comparison reveals how much of a guessed token was right.
    Those with an end (the issued ones) expire, and are bounded by `limit`, as are the
    codes and refresh tokens.
    """

    def __init__(
        self, fixtures: Fixtures, clock: Callable[[], float], *, limit: int = MAX_ISSUED
    ) -> None:
        self.fixtures = fixtures
        self._clock = clock
        self._fixture_entries = {
            _digest(token): Entry.of(token, grant) for token, grant in fixtures.grants.items()
        }
        self._entries = dict(self._fixture_entries)
        """The access tokens without an end: the fixtures' and those added."""
        self._issued: Expiring[bytes, Entry] = Expiring(limit)
        self._codes: Expiring[str, IssuedCode] = Expiring(limit)
        self._refresh: Expiring[str, Refresh] = Expiring(limit, self._unlink)
        self._refresh_of: dict[str, str] = {}
        """The refresh token issued with each access token, while it works."""

    def reset(self) -> None:
        """Back to the fixtures: every token added or issued since is forgotten."""
        self._entries = dict(self._fixture_entries)
        for kind in (self._issued, self._codes, self._refresh):
            kind.clear()
        self._refresh_of.clear()

    # Access tokens

    def find(self, token: str) -> Entry | None:
        """The entry of `token`, or None if the mock does not know it."""
        digest = _digest(token)
        entry = self._entries.get(digest) or self._issued.get(digest)
        if entry is None or not hmac.compare_digest(entry.token, token):
            return None
        return entry

    def add(self, token: str, grant: Grant) -> None:
        """Make `token` grant `grant` from now on, replacing what it granted before."""
        digest, entry = _digest(token), Entry.of(token, grant)
        self.remove(token)
        if grant.expires_at is None:
            self._entries[digest] = entry
        else:
            self._issued.put(digest, entry, grant.expires_at)

    def remove(self, token: str) -> bool:
        """Make `token` unknown from now on; whether it was known."""
        digest = _digest(token)
        return (self._entries.pop(digest, None) or self._issued.pop(digest)) is not None

    def grants(self) -> dict[str, Grant]:
        """Every access token the mock knows, with what it grants."""
        entries = [*self._entries.values(), *self._issued]
        return {entry.token: entry.grant for entry in entries}

    # Authorization codes

    def add_code(self, code: str, issued: IssuedCode) -> None:
        self.sweep()
        self._codes.put(code, issued, issued.expires_at)

    def code(self, code: str) -> IssuedCode | None:
        """The code, if it works now: a fixture code always, an issued one until used or
        expired."""
        fixture = self.fixtures.codes.get(code)
        if fixture is not None:
            return IssuedCode(fixture, float("inf"))
        issued = self._codes.get(code)
        if issued is None or self._clock() >= issued.expires_at:
            return None
        return issued

    def spend_code(self, code: str) -> bool:
        """Use `code` up; whether it was there to use (fixture codes are never used up)."""
        return code in self.fixtures.codes or self._codes.pop(code) is not None

    # Refresh tokens

    def add_refresh(self, token: str, refresh: Refresh) -> None:
        self.sweep()
        self._refresh.put(token, refresh, refresh.expires_at)
        self._refresh_of[refresh.access_token] = token

    def refresh(self, token: str) -> Refresh | None:
        """The refresh token, if it works now: not used, revoked or expired."""
        refresh = self._refresh.get(token)
        if refresh is None or self._clock() >= refresh.expires_at:
            return None
        return refresh

    def spend_refresh(self, token: str) -> bool:
        """Use the refresh token up; whether it was there to use."""
        return self._refresh.pop(token) is not None

    def revoke(self, access_token: str) -> None:
        """End `access_token` and the refresh token issued with it."""
        self.remove(access_token)
        refresh = self._refresh_of.get(access_token)
        if refresh is not None:
            self._refresh.pop(refresh)

    def sweep(self) -> None:
        """Forget the expired codes, issued access tokens and refresh tokens: as many steps
        as there are to forget, whatever the store holds."""
        now = self._clock()
        for kind in (self._issued, self._codes, self._refresh):
            kind.expire(now)

    def _unlink(self, token: str, refresh: Refresh) -> None:
        if self._refresh_of.get(refresh.access_token) == token:
            del self._refresh_of[refresh.access_token]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
