"""Logging a user in: TikTok's authorize URL with PKCE, the redirect back, the code exchange."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from attrs import define

from .client import AuthenticatedClient, Client
from .errors import LoginError
from .models.grant_type import GrantType
from .models.token_request import TokenRequest
from .scopes import scopes_for
from .tokens import Tokens, fetch_tokens
from .types import UNSET

__all__ = [
    "AUTHORIZE_BASE_URL",
    "AUTHORIZE_PATH",
    "Authorization",
    "authorize_url",
    "code_challenge",
    "code_from_redirect",
    "exchange_code",
]

AUTHORIZE_BASE_URL = "https://www.tiktok.com"
"""Where TikTok's authorize page is; `authorize_url(base_url=...)` points elsewhere (a mock)."""
AUTHORIZE_PATH = "/v2/auth/authorize/"


@define(frozen=True)
class Authorization:
    """Where to send the user, and what the app keeps (in the user's session) until TikTok
    redirects back: the `state` to check, and the PKCE `code_verifier` for the exchange."""

    url: str
    state: str
    code_verifier: str


def code_challenge(code_verifier: str) -> str:
    """The PKCE `code_challenge` of `code_verifier` for method S256 (RFC 7636): the
    SHA-256 digest, base64url-encoded without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    *,
    client_key: str,
    redirect_uri: str,
    fields: Iterable[str] = (),
    scopes: Iterable[str] = (),
    state: str | None = None,
    base_url: str = AUTHORIZE_BASE_URL,
) -> Authorization:
    """TikTok's authorize URL asking the user for the scopes that `fields` (the `User`
    fields the app reads, as `scopes_for` computes them) and `scopes` need, with a random
    `state` unless given one, and PKCE (S256) with a new code verifier.

    Raises `ValueError` when `client_key`, `redirect_uri` or a given `state` is empty,
    nothing asks for a scope, or `fields` or `scopes` is one string rather than a list of
    them, and `KeyError` naming a field `User` does not have.
    """
    for name, names in (("fields", fields), ("scopes", scopes)):
        if isinstance(names, str):
            raise ValueError(f"authorize_url needs a list of {name}, not the string {names!r}")
    asked = sorted(scopes_for(fields) | set(scopes))
    for name, value in (("client_key", client_key), ("redirect_uri", redirect_uri)):
        if not value:
            raise ValueError(f"authorize_url needs a {name}")
    if not asked:
        raise ValueError("authorize_url needs the fields the app reads, or scopes")
    if state is None:
        state = secrets.token_urlsafe(24)
    elif not state:
        raise ValueError("authorize_url needs a non-empty state, or none to make one")
    verifier = secrets.token_urlsafe(48)  # 64 characters; RFC 7636 asks for 43 to 128
    query = {
        "client_key": client_key,
        "response_type": "code",
        "scope": ",".join(asked),
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    url = base_url.rstrip("/") + AUTHORIZE_PATH + "?" + urlencode(query, safe=",", quote_via=quote)
    return Authorization(url=url, state=state, code_verifier=verifier)


def code_from_redirect(redirect_url: str, *, state: str) -> str:
    """The authorization code in the URL TikTok redirected the user to, after checking that
    it carries `state`, the one `authorize_url` sent.

    Raises `errors.LoginError`: `state_mismatch` for another state, TikTok's `error` (such
    as `access_denied`, when the user declines), or `missing_code`; `ValueError` if
    `state` is empty (a lost session's state must not match a redirect without one).
    """
    if not state:
        raise ValueError("state is empty: pass the state that authorize_url sent")
    query = parse_qs(urlsplit(redirect_url).query)
    got = query.get("state", [""])[0]
    if not hmac.compare_digest(got.encode(), state.encode()):
        raise LoginError("state_mismatch", "the redirect's state is not the one sent")
    if "error" in query:
        description = query.get("error_description", ["the authorization failed"])[0]
        raise LoginError(query["error"][0], description)
    code = query.get("code", [""])[0]
    if not code:
        raise LoginError("missing_code", "the redirect carries no code")
    return code


def exchange_code(
    client: Client | AuthenticatedClient,
    *,
    client_key: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str | None = None,
    clock: Callable[[], float] = time.time,
) -> Tokens:
    """Exchange an authorization code for the user's tokens at the token endpoint of
    `client`'s base URL, once (codes are single-use, so it is never retried).

    `redirect_uri` must be the one `authorize_url` was given, and `code_verifier` its
    `Authorization.code_verifier`. Raises the `errors.TikTokOAuthError` TikTok answers
    (`errors.InvalidGrant` for a used, expired or unknown code or a wrong verifier).
    """
    body = TokenRequest(
        client_key=client_key,
        client_secret=client_secret,
        grant_type=GrantType.AUTHORIZATION_CODE,
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=UNSET if code_verifier is None else code_verifier,
    )
    return fetch_tokens(client, body, clock)
