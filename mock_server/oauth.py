"""TikTok's OAuth endpoints, offline: the consent page, token issue, rotation, revocation.

Codes from the authorize page are single-use and expire after ten minutes, as TikTok's
do; the fixtures' codes are documented test codes that work any number of times, so test
suites and contract runs repeat without a restart. A code asked for with PKCE
(`code_challenge`, method `S256` as RFC 7636 defines it) is exchanged only with the
matching `code_verifier`. A token request issues an access token (`act.`) that works
against `/v2/user/info/` with the granted scopes until `expires_in` runs out, and a
refresh token (`rft.`) that works once: refreshing rotates it. An access token stays valid
until it expires even after its refresh token is used; revoking it ends both.

The error codes, their statuses and their general messages are the spec's examples; the
state lives in the mock's `State`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .contract import Contract, ErrorReply
from .fixtures import Code, Grant
from .store import IssuedCode, Refresh

if TYPE_CHECKING:
    from .state import State

__all__ = ["CODE_TTL", "REFRESH_TTL", "Consent", "OAuth", "OAuthReply"]

CODE_TTL = 600.0
REFRESH_TTL = 31_536_000
REFRESH_INVALID = "Refresh token is invalid or expired."


@dataclass(frozen=True)
class OAuthReply:
    """An answer of the OAuth endpoints: a status, a JSON body, and extra headers."""

    status: int
    body: Mapping[str, Any]
    headers: tuple[tuple[bytes, bytes], ...] = ()

    @classmethod
    def error(cls, reply: ErrorReply) -> OAuthReply:
        return cls(reply.status, {"error": reply.code, "error_description": reply.message})


@dataclass(frozen=True)
class Consent:
    """What the user does on the consent screen: deny, or grant some of the scopes asked for
    (None: all of them)."""

    deny: bool = False
    scopes: frozenset[str] | None = None


class OAuth:
    """The OAuth endpoints of one mock, over its state."""

    def __init__(
        self, contract: Contract, state: State, *, token_ttl: int, clock: Callable[[], float]
    ) -> None:
        self._state = state
        self._scopes = contract.scopes
        self._token = contract.operations["fetchAccessToken"]
        token_form = self._token.form_schema
        self._required = {
            name: tuple(op.form_schema["required"]) for name, op in contract.operations.items()
            if op.form_schema
        }  # fmt: skip
        self._grant_types = frozenset(token_form["properties"]["grant_type"]["enum"])
        # A PKCE code challenge or verifier: 43 to 128 unreserved characters (RFC 7636), as
        # the spec's code_verifier.
        self._pkce = re.compile(token_form["properties"]["code_verifier"]["pattern"])
        self.token_ttl = token_ttl
        self._clock = clock

    def _error(self, code: str, message: str | None = None) -> OAuthReply:
        """The documented error `code` of the token endpoint, with its example's message
        unless given another."""
        reply = self._token.error(code)
        assert reply is not None, code  # the spec documents every code used here
        return OAuthReply.error(reply if message is None else reply.with_message(message))

    async def authorize(
        self, query: Mapping[str, str], consent: Consent | None = None
    ) -> OAuthReply:
        """The mock's consent page: the user decides at once, and it redirects.

        `mock_user` names the fixture user who consents (default: the first user);
        `mock_consent=deny` denies, `mock_scopes` grants fewer scopes than asked; without
        them, `consent` (from the admin API) decides, else the user grants every scope.
        """
        for name in ("client_key", "response_type", "scope", "redirect_uri"):
            if not query.get(name):
                return self._error("invalid_request", f"Missing parameter: {name}")
        fixtures = self._state.fixtures
        client = fixtures.clients.get(query["client_key"])
        if client is None:
            return _stand_in_error("unauthorized_client", "Client key is invalid.")
        if query["response_type"] != "code":
            return _stand_in_error("unsupported_response_type", "response_type must be code.")
        asked = _scope_list(query["scope"])
        if not asked <= self._scopes:
            unknown = ", ".join(sorted(asked - self._scopes))
            return _stand_in_error("invalid_scope", f"Unknown scopes: {unknown}")
        if client.redirect_uris and query["redirect_uri"] not in client.redirect_uris:
            return self._error("invalid_request", "redirect_uri is not registered.")
        challenge = query.get("code_challenge")
        if challenge is not None or "code_challenge_method" in query:
            if query.get("code_challenge_method") != "S256":
                return self._error("invalid_request", "code_challenge_method must be S256.")
            if challenge is None or not self._pkce.fullmatch(challenge):
                return self._error(
                    "invalid_request", "code_challenge must be 43 to 128 URL-safe characters."
                )
        user_name = query.get("mock_user") or next(iter(fixtures.users))
        user = fixtures.users.get(user_name)
        if user is None:
            return self._error("invalid_request", f"Unknown mock_user: {user_name}")
        decided = _consent_of(query)
        if isinstance(decided, str):
            return self._error("invalid_request", decided)
        consent = decided or consent or Consent()
        state = {"state": query["state"]} if "state" in query else {}
        if consent.deny:
            denied = {"error": "access_denied", "error_description": "The user denied access."}
            return _redirect(query["redirect_uri"], {**denied, **state})
        granted = asked if consent.scopes is None else consent.scopes
        if not granted <= asked:
            extra = ", ".join(sorted(granted - asked))
            return self._error("invalid_request", f"Cannot grant scopes not asked for: {extra}")
        code = "code." + secrets.token_urlsafe(24)
        issued = Code(user, granted, query["client_key"], query["redirect_uri"])
        await self._state.add_code(code, IssuedCode(issued, self._clock() + CODE_TTL, challenge))
        return _redirect(
            query["redirect_uri"], {"code": code, "scopes": ",".join(sorted(granted)), **state}
        )

    async def token(self, form: Mapping[str, str]) -> OAuthReply:
        """`POST /v2/oauth/token/`."""
        refused = self.refusal("fetchAccessToken", form)
        if refused is not None:
            return refused
        if not self._client_ok(form):
            return self._error("invalid_client")
        if form["grant_type"] == "authorization_code":
            return await self._exchange_code(form)
        return await self._refresh_token(form)

    async def revoke(self, form: Mapping[str, str]) -> OAuthReply:
        """`POST /v2/oauth/revoke/`: 200 even for an unknown token, as RFC 7009 has it."""
        refused = self.refusal("revokeAccessToken", form)
        if refused is not None:
            return refused
        if not self._client_ok(form):
            return self._error("invalid_client")
        await self._state.revoke(form["token"])
        return OAuthReply(200, {})

    def refusal(self, operation_id: str, form: Mapping[str, str]) -> OAuthReply | None:
        """What the form of `operation_id` earns before any client, code or token is looked
        up (its parameters, grant type and PKCE verifier), or None if it passes."""
        missing = self._missing(form, self._required[operation_id])
        if missing is not None or operation_id != self._token.operation_id:
            return missing
        empty = next((name for name, value in form.items() if not value), None)
        if empty is not None:
            return self._error("invalid_request", f"Empty parameter: {empty}")
        if form["grant_type"] not in self._grant_types:
            return self._error(
                "unsupported_grant_type", f"Unsupported grant type: {form['grant_type']}"
            )
        verifier = form.get("code_verifier")
        if verifier is not None and not self._pkce.fullmatch(verifier):
            return self._error(
                "invalid_request", "code_verifier must be 43 to 128 URL-safe characters."
            )
        return None

    def _missing(self, form: Mapping[str, str], names: tuple[str, ...]) -> OAuthReply | None:
        name = next((name for name in names if not form.get(name)), None)
        return (
            None if name is None else self._error("invalid_request", f"Missing parameter: {name}")
        )

    def _client_ok(self, form: Mapping[str, str]) -> bool:
        client = self._state.fixtures.clients.get(form["client_key"])
        given = form["client_secret"].encode()
        return client is not None and secrets.compare_digest(client.secret.encode(), given)

    async def _exchange_code(self, form: Mapping[str, str]) -> OAuthReply:
        for name in ("code", "redirect_uri"):
            if not form.get(name):
                return self._error("invalid_request", f"Missing parameter: {name}")
        issued = await self._state.code(form["code"])
        if issued is None:
            return self._error("invalid_grant")
        code = issued.code
        if code.client_key != form["client_key"]:
            return self._error("invalid_grant", "Authorization code was issued to another client.")
        if code.redirect_uri is not None and form.get("redirect_uri") != code.redirect_uri:
            return self._error(
                "invalid_grant", "redirect_uri does not match the authorization request."
            )
        if issued.challenge is not None:
            verifier = form.get("code_verifier")
            if verifier is None:
                return self._error("invalid_grant", "code_verifier is required for this code.")
            if not secrets.compare_digest(_s256(verifier), issued.challenge):
                return self._error("invalid_grant", "code_verifier does not match the challenge.")
        if not await self._state.spend_code(form["code"]):  # another request was first
            return self._error("invalid_grant")
        return await self._issue(code.user, code.scopes, code.client_key)

    async def _refresh_token(self, form: Mapping[str, str]) -> OAuthReply:
        if not form.get("refresh_token"):
            return self._error("invalid_request", "Missing parameter: refresh_token")
        refresh = await self._state.refresh(form["refresh_token"])
        if refresh is None:
            return self._error("invalid_grant", REFRESH_INVALID)
        if refresh.client_key != form["client_key"]:
            return self._error("invalid_grant", "Refresh token was issued to another client.")
        if not await self._state.spend_refresh(form["refresh_token"]):  # another was first
            return self._error("invalid_grant", REFRESH_INVALID)
        return await self._issue(refresh.user, refresh.scopes, refresh.client_key)

    async def _issue(
        self, user: Mapping[str, Any], scopes: frozenset[str], client_key: str
    ) -> OAuthReply:
        now = self._clock()
        access = "act." + secrets.token_urlsafe(32)
        refresh = "rft." + secrets.token_urlsafe(32)
        await self._state.add_token(access, Grant(user, scopes, expires_at=now + self.token_ttl))
        await self._state.add_refresh(
            refresh, Refresh(user, scopes, client_key, access, now + REFRESH_TTL)
        )
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


def _scope_list(text: str) -> frozenset[str]:
    return frozenset(scope for scope in text.split(",") if scope)


def _consent_of(query: Mapping[str, str]) -> Consent | str | None:
    """The consent the query's `mock_consent` and `mock_scopes` ask for, None if neither,
    or what is wrong with them."""
    decision = query.get("mock_consent")
    if decision not in (None, "allow", "deny"):
        return f"mock_consent must be allow or deny, not {decision}"
    if decision is None and "mock_scopes" not in query:
        return None
    scopes = query.get("mock_scopes")
    return Consent(decision == "deny", None if scopes is None else _scope_list(scopes))


def _s256(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _stand_in_error(error: str, description: str) -> OAuthReply:
    """An error of the consent page's own, which the API spec does not describe."""
    return OAuthReply(400, {"error": error, "error_description": description})


def _redirect(uri: str, params: Mapping[str, str]) -> OAuthReply:
    location = uri + ("&" if "?" in uri else "?") + urlencode(params)
    return OAuthReply(302, {}, ((b"location", location.encode()),))
