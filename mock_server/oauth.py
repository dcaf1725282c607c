"""TikTok's OAuth endpoints, offline: authorization codes, token issue, rotation, revocation.

Codes from the authorize page are single-use and expire after ten minutes, as TikTok's
do; the fixtures' codes are documented test codes that work any number of times, so test
suites and contract runs repeat without a restart. A token
request issues an access token (`act.`) that works against `/v2/user/info/` with the
granted scopes until `expires_in` runs out, and a refresh token (`rft.`) that works once:
refreshing rotates it. An access token stays valid until it expires even after its
refresh token is used; revoking it ends both.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .fixtures import Code, Fixtures, Grant

__all__ = ["CODE_TTL", "OAuth", "OAuthReply"]

CODE_TTL = 600.0
REFRESH_TTL = 31_536_000
GRANT_TYPES = ("authorization_code", "refresh_token")


@dataclass(frozen=True)
class OAuthReply:
    """An answer of the OAuth endpoints: a status, a JSON body, and extra headers."""

    status: int
    body: Mapping[str, Any]
    headers: tuple[tuple[bytes, bytes], ...] = ()


@dataclass(frozen=True)
class _Refresh:
    user: Mapping[str, Any]
    scopes: frozenset[str]
    client_key: str
    access_token: str
    expires_at: float


def _error(status: int, error: str, description: str) -> OAuthReply:
    return OAuthReply(status, {"error": error, "error_description": description})


INVALID_CLIENT = _error(401, "invalid_client", "Client key or secret is invalid.")


class OAuth:
    """The OAuth state of one mock: its clients, codes and issued refresh tokens.

    `add_grant` and `remove_grant` are the mock's, so that issued access tokens work
    against the user info endpoint.
    """

    def __init__(
        self,
        fixtures: Fixtures,
        add_grant: Callable[[str, Grant], None],
        remove_grant: Callable[[str], None],
        *,
        scopes: frozenset[str],
        token_ttl: int,
        clock: Callable[[], float],
    ) -> None:
        self.fixtures = fixtures
        self._scopes = scopes
        self._add_grant = add_grant
        self._remove_grant = remove_grant
        self.token_ttl = token_ttl
        self._clock = clock
        self._access: dict[str, float] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the fixtures: issued codes and tokens forgotten."""
        for access in self._access:
            self._remove_grant(access)
        self._access = {}
        self._codes: dict[str, Code] = dict(self.fixtures.codes)
        self._code_expiry: dict[str, float] = {}
        self._refresh: dict[str, _Refresh] = {}

    def authorize(self, query: Mapping[str, str]) -> OAuthReply:
        """The mock's authorize page: consent given at once, redirecting with a fresh code.

        `mock_user` names the fixture user who consents (default: the first user).
        """
        for name in ("client_key", "response_type", "scope", "redirect_uri"):
            if not query.get(name):
                return _error(400, "invalid_request", f"Missing parameter: {name}")
        client = self.fixtures.clients.get(query["client_key"])
        if client is None:
            return _error(400, "unauthorized_client", "Client key is invalid.")
        if query["response_type"] != "code":
            return _error(400, "unsupported_response_type", "response_type must be code.")
        scopes = frozenset(scope for scope in query["scope"].split(",") if scope)
        if not scopes <= self._scopes:
            unknown = ", ".join(sorted(scopes - self._scopes))
            return _error(400, "invalid_scope", f"Unknown scopes: {unknown}")
        if client.redirect_uris and query["redirect_uri"] not in client.redirect_uris:
            return _error(400, "invalid_request", "redirect_uri is not registered.")
        user_name = query.get("mock_user") or next(iter(self.fixtures.users))
        user = self.fixtures.users.get(user_name)
        if user is None:
            return _error(400, "invalid_request", f"Unknown mock_user: {user_name}")
        code = "code." + secrets.token_urlsafe(24)
        self._codes[code] = Code(user, scopes, query["client_key"], query["redirect_uri"])
        self._code_expiry[code] = self._clock() + CODE_TTL
        params = {"code": code, "scopes": ",".join(sorted(scopes)), "state": query.get("state", "")}
        location = query["redirect_uri"] + ("&" if "?" in query["redirect_uri"] else "?")
        return OAuthReply(302, {}, ((b"location", (location + urlencode(params)).encode()),))

    def token(self, form: Mapping[str, str]) -> OAuthReply:
        """`POST /v2/oauth/token/`."""
        for name in ("client_key", "client_secret", "grant_type"):
            if not form.get(name):
                return _error(400, "invalid_request", f"Missing parameter: {name}")
        empty = next((name for name, value in form.items() if not value), None)
        if empty is not None:
            return _error(400, "invalid_request", f"Empty parameter: {empty}")
        if form["grant_type"] not in GRANT_TYPES:
            return _error(
                400, "unsupported_grant_type", f"Unsupported grant type: {form['grant_type']}"
            )
        if not self._client_ok(form):
            return INVALID_CLIENT
        if form["grant_type"] == "authorization_code":
            return self._exchange_code(form)
        return self._refresh_token(form)

    def revoke(self, form: Mapping[str, str]) -> OAuthReply:
        """`POST /v2/oauth/revoke/`: 200 even for an unknown token, as RFC 7009 has it."""
        for name in ("client_key", "client_secret", "token"):
            if not form.get(name):
                return _error(400, "invalid_request", f"Missing parameter: {name}")
        if not self._client_ok(form):
            return INVALID_CLIENT
        self._remove_grant(form["token"])
        self._access.pop(form["token"], None)
        for refresh, issued in list(self._refresh.items()):
            if issued.access_token == form["token"]:
                del self._refresh[refresh]
        return OAuthReply(200, {})

    def _client_ok(self, form: Mapping[str, str]) -> bool:
        client = self.fixtures.clients.get(form["client_key"])
        given = form["client_secret"].encode()
        return client is not None and secrets.compare_digest(client.secret.encode(), given)

    def _exchange_code(self, form: Mapping[str, str]) -> OAuthReply:
        if not form.get("code"):
            return _error(400, "invalid_request", "Missing parameter: code")
        code = self._codes.get(form["code"])
        expiry = self._code_expiry.get(form["code"])
        if code is None or (expiry is not None and self._clock() >= expiry):
            return _error(400, "invalid_grant", "Authorization code is expired.")
        if code.client_key != form["client_key"]:
            return _error(400, "invalid_grant", "Authorization code was issued to another client.")
        if code.redirect_uri is not None and form.get("redirect_uri") != code.redirect_uri:
            return _error(
                400, "invalid_grant", "redirect_uri does not match the authorization request."
            )
        if form["code"] not in self.fixtures.codes:
            del self._codes[form["code"]]
            del self._code_expiry[form["code"]]
        return self._issue(code.user, code.scopes, code.client_key)

    def _refresh_token(self, form: Mapping[str, str]) -> OAuthReply:
        if not form.get("refresh_token"):
            return _error(400, "invalid_request", "Missing parameter: refresh_token")
        issued = self._refresh.get(form["refresh_token"])
        if issued is None or self._clock() >= issued.expires_at:
            return _error(400, "invalid_grant", "Refresh token is invalid or expired.")
        if issued.client_key != form["client_key"]:
            return _error(400, "invalid_grant", "Refresh token was issued to another client.")
        del self._refresh[form["refresh_token"]]
        return self._issue(issued.user, issued.scopes, issued.client_key)

    def _issue(
        self, user: Mapping[str, Any], scopes: frozenset[str], client_key: str
    ) -> OAuthReply:
        now = self._clock()
        self._sweep(now)
        access = "act." + secrets.token_urlsafe(32)
        refresh = "rft." + secrets.token_urlsafe(32)
        self._add_grant(access, Grant(user, scopes, expires_at=now + self.token_ttl))
        self._access[access] = now + self.token_ttl
        self._refresh[refresh] = _Refresh(user, scopes, client_key, access, now + REFRESH_TTL)
        return OAuthReply(
            200,
            {
                "access_token": access,
                "expires_in": self.token_ttl,
                "open_id": user.get("open_id", ""),
                "refresh_expires_in": REFRESH_TTL,
                "refresh_token": refresh,
                "scope": ",".join(sorted(scopes)),
                "token_type": "Bearer",
            },
        )

    def _sweep(self, now: float) -> None:
        """Forget expired codes, access tokens and refresh tokens."""
        for access in [a for a, expiry in self._access.items() if now >= expiry]:
            self._remove_grant(access)
            del self._access[access]
        for code in [code for code, expiry in self._code_expiry.items() if now >= expiry]:
            self._codes.pop(code, None)
            del self._code_expiry[code]
        for refresh in [r for r, issued in self._refresh.items() if now >= issued.expires_at]:
            del self._refresh[refresh]
