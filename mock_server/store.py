"""Every token the mock knows, in one store with one reset.

The access tokens that `GET /v2/user/info/` checks: the fixtures', those the OAuth endpoints
issue, and those tests and the admin API add; with the OAuth flow's authorization codes and
refresh tokens. `reset()` goes back to the fixtures.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .answers import json_bytes
from .fixtures import Code, Fixtures, Grant

__all__ = ["Entry", "IssuedCode", "Refresh", "TokenStore"]


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


class TokenStore:
    """The tokens, codes and refresh tokens of one mock.

    Access tokens are looked up by SHA-256 digest and then compared in constant time, so
    neither the lookup nor the comparison reveals how much of a guessed token was right.
    """

    def __init__(self, fixtures: Fixtures, clock: Callable[[], float]) -> None:
        self.fixtures = fixtures
        self._clock = clock
        self._fixture_entries = {
            _digest(token): Entry.of(token, grant) for token, grant in fixtures.grants.items()
        }
        self.reset()

    def reset(self) -> None:
        """Back to the fixtures: every token added or issued since is forgotten."""
        self._entries = dict(self._fixture_entries)
        self._codes: dict[str, IssuedCode] = {}
        self._refresh: dict[str, Refresh] = {}

    # Access tokens

    def find(self, token: str) -> Entry | None:
        """The entry of `token`, or None if the mock does not know it."""
        entry = self._entries.get(_digest(token))
        if entry is None or not hmac.compare_digest(entry.token, token):
            return None
        return entry

    def add(self, token: str, grant: Grant) -> None:
        """Make `token` grant `grant` from now on, replacing what it granted before."""
        self._entries[_digest(token)] = Entry.of(token, grant)

    def remove(self, token: str) -> bool:
        """Make `token` unknown from now on; whether it was known."""
        return self._entries.pop(_digest(token), None) is not None

    def grants(self) -> dict[str, Grant]:
        """Every access token the mock knows, with what it grants."""
        return {entry.token: entry.grant for entry in self._entries.values()}

    # Authorization codes

    def add_code(self, code: str, issued: IssuedCode) -> None:
        self._codes[code] = issued

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

    def spend_code(self, code: str) -> None:
        """Use `code` up (fixture codes are never used up)."""
        self._codes.pop(code, None)

    # Refresh tokens

    def add_refresh(self, token: str, refresh: Refresh) -> None:
        self._refresh[token] = refresh

    def refresh(self, token: str) -> Refresh | None:
        """The refresh token, if it works now: not used, revoked or expired."""
        refresh = self._refresh.get(token)
        if refresh is None or self._clock() >= refresh.expires_at:
            return None
        return refresh

    def spend_refresh(self, token: str) -> None:
        self._refresh.pop(token, None)

    def revoke(self, access_token: str) -> None:
        """End `access_token` and the refresh tokens issued with it."""
        self.remove(access_token)
        for token in [t for t, r in self._refresh.items() if r.access_token == access_token]:
            del self._refresh[token]

    def sweep(self) -> None:
        """Forget expired codes, issued access tokens and refresh tokens."""
        now = self._clock()
        for key in [k for k, e in self._entries.items() if e.grant.issued_and_ended(now)]:
            del self._entries[key]
        for code in [c for c, issued in self._codes.items() if now >= issued.expires_at]:
            del self._codes[code]
        for token in [t for t, refresh in self._refresh.items() if now >= refresh.expires_at]:
            del self._refresh[token]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
