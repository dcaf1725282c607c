"""An app's whole login-to-profile flow against the running mock, with the generated client."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tiktok_user_info_client import (
    AuthenticatedClient,
    Client,
    TokenManager,
    Tokens,
    authorize_url,
    code_from_redirect,
    errors,
    exchange_code,
    scopes_for,
)
from tiktok_user_info_client.api.oauth import fetch_access_token, revoke_access_token
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import (
    GrantType,
    OAuthError,
    OAuthErrorCode,
    RevokeRequest,
    TokenRequest,
    TokenResponse,
    UserField,
)
from tiktok_user_info_client.types import UNSET, Unset

CLIENT_KEY, CLIENT_SECRET = "mock_client_key", "mock_client_secret"
REDIRECT_URI = "https://app.example/auth/callback"
FIELDS = [UserField.DISPLAY_NAME, UserField.FOLLOWER_COUNT]


def consent(mock_url: str, **extra: str) -> dict[str, list[str]]:
    """What the browser does: the consent page redirects back; the redirect's parameters."""
    scope = ",".join(sorted(scopes_for(FIELDS)))
    response = httpx.get(
        f"{mock_url}/v2/auth/authorize/",
        params={
            "client_key": CLIENT_KEY,
            "response_type": "code",
            "scope": scope,
            "redirect_uri": REDIRECT_URI,
            "state": "csrf-123",
            **extra,
        },
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["csrf-123"]
    return query


def login(mock_url: str, **extra: str) -> str:
    """The code the consent page gives."""
    return consent(mock_url, **extra)["code"][0]


def exchange(
    client: Client,
    grant_type: GrantType,
    *,
    code: str | Unset = UNSET,
    redirect_uri: str | Unset = UNSET,
    refresh_token: str | Unset = UNSET,
    code_verifier: str | Unset = UNSET,
) -> TokenResponse | OAuthError:
    body = TokenRequest(
        client_key=CLIENT_KEY,
        client_secret=CLIENT_SECRET,
        grant_type=grant_type,
        code=code,
        redirect_uri=redirect_uri,
        refresh_token=refresh_token,
        code_verifier=code_verifier,
    )
    reply = fetch_access_token.sync(client=client, body=body)
    assert reply is not None
    return reply


def test_login_to_profile_refresh_and_logout(mock_url: str) -> None:
    with Client(base_url=mock_url) as oauth:
        code = login(mock_url)
        tokens = exchange(oauth, GrantType.AUTHORIZATION_CODE, code=code, redirect_uri=REDIRECT_URI)
        assert isinstance(tokens, TokenResponse)
        assert set(tokens.scope.split(",")) == scopes_for(FIELDS)

        with AuthenticatedClient(base_url=mock_url, token=tokens.access_token) as api:
            profile = get_user_info.sync(client=api, fields=FIELDS)
        assert profile is not None and profile.data.to_dict() == {
            "user": {"display_name": "User Name", "follower_count": 100}
        }

        refreshed = exchange(oauth, GrantType.REFRESH_TOKEN, refresh_token=tokens.refresh_token)
        assert isinstance(refreshed, TokenResponse)
        with pytest.raises(errors.InvalidGrant) as reused:
            exchange(oauth, GrantType.REFRESH_TOKEN, refresh_token=tokens.refresh_token)
        assert reused.value.status_code == 400 and reused.value.log_id

        revoked = revoke_access_token.sync(
            client=oauth,
            body=RevokeRequest(
                client_key=CLIENT_KEY, client_secret=CLIENT_SECRET, token=refreshed.access_token
            ),
        )
        assert revoked is not None and revoked.to_dict() == {}

    with (
        AuthenticatedClient(base_url=mock_url, token=refreshed.access_token) as api,
        pytest.raises(errors.AccessTokenInvalid),
    ):
        get_user_info.sync(client=api, fields=FIELDS)


@pytest.mark.parametrize("secret", ["wrong", "mock_client_secret ", "MOCK_CLIENT_SECRET"])
def test_a_wrong_client_secret(mock_url: str, secret: str) -> None:
    with Client(base_url=mock_url) as oauth:
        body = TokenRequest(
            client_key=CLIENT_KEY,
            client_secret=secret,
            grant_type=GrantType.AUTHORIZATION_CODE,
            code="c",
        )
        reply = fetch_access_token.sync_detailed(client=oauth, body=body)
    assert reply.status_code == 401
    assert (
        isinstance(reply.parsed, OAuthError) and reply.parsed.error == OAuthErrorCode.INVALID_CLIENT
    )


def test_a_pkce_login_needs_the_verifier(mock_url: str) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    code = login(mock_url, code_challenge=challenge.decode(), code_challenge_method="S256")
    with Client(base_url=mock_url) as oauth:
        with pytest.raises(errors.InvalidGrant):
            exchange(oauth, GrantType.AUTHORIZATION_CODE, code=code, redirect_uri=REDIRECT_URI,
                     code_verifier=secrets.token_urlsafe(48))  # fmt: skip
        tokens = exchange(oauth, GrantType.AUTHORIZATION_CODE, code=code, redirect_uri=REDIRECT_URI,
                          code_verifier=verifier)  # fmt: skip
    assert isinstance(tokens, TokenResponse)


def test_the_user_denies_or_grants_less(mock_url: str) -> None:
    denied = consent(mock_url, mock_consent="deny")
    assert denied["error"] == ["access_denied"] and "code" not in denied
    code = login(mock_url, mock_scopes="user.info.basic")
    with Client(base_url=mock_url) as oauth:
        tokens = exchange(oauth, GrantType.AUTHORIZATION_CODE, code=code, redirect_uri=REDIRECT_URI)
    assert isinstance(tokens, TokenResponse) and tokens.scope == "user.info.basic"
    with (
        AuthenticatedClient(base_url=mock_url, token=tokens.access_token) as api,
        pytest.raises(errors.ScopeNotAuthorized),
    ):
        get_user_info.sync(client=api, fields=FIELDS)


def follow_consent(url: str) -> str:
    """What the browser does with the authorize URL: the URL it is redirected to."""
    response = httpx.get(url)
    assert response.status_code == 302
    location: str = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    return location


def test_the_pkce_login_from_authorize_url_to_the_profile(mock_url: str) -> None:
    login = authorize_url(
        client_key=CLIENT_KEY, redirect_uri=REDIRECT_URI, fields=FIELDS, base_url=mock_url
    )
    code = code_from_redirect(follow_consent(login.url), state=login.state)
    saved: list[Tokens] = []
    with Client(base_url=mock_url) as oauth:
        for wrong in ("x" * 43, None):  # the mock checks the verifier: a code asked for
            with pytest.raises(errors.InvalidGrant):  # with PKCE needs the right one
                exchange_code(
                    oauth,
                    client_key=CLIENT_KEY,
                    client_secret=CLIENT_SECRET,
                    code=code,
                    redirect_uri=REDIRECT_URI,
                    code_verifier=wrong,
                )
        tokens = exchange_code(
            oauth,
            client_key=CLIENT_KEY,
            client_secret=CLIENT_SECRET,
            code=code,
            redirect_uri=REDIRECT_URI,
            code_verifier=login.code_verifier,
        )
        assert set(tokens.scope.split(",")) == scopes_for(FIELDS)
        manager = TokenManager(
            tokens,
            client=oauth,
            client_key=CLIENT_KEY,
            client_secret=CLIENT_SECRET,
            save=saved.append,
        )
        with AuthenticatedClient(base_url=mock_url, token=manager) as api:
            profile = get_user_info.sync(client=api, fields=FIELDS)
    assert profile is not None and profile.data.to_dict() == {
        "user": {"display_name": "User Name", "follower_count": 100}
    }
    assert saved == []  # fresh tokens: nothing refreshed


def test_a_denied_consent_raises_a_login_error(mock_url: str) -> None:
    queued = httpx.post(
        f"{mock_url}/__mock/scenarios", json={"operation": "authorize", "consent": "deny"}
    )
    assert queued.status_code == 201
    login = authorize_url(
        client_key=CLIENT_KEY, redirect_uri=REDIRECT_URI, fields=FIELDS, base_url=mock_url
    )
    with pytest.raises(errors.LoginError) as denied:
        code_from_redirect(follow_consent(login.url), state=login.state)
    assert denied.value.code == "access_denied"
