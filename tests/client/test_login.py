"""Logging in: the authorize URL with its scopes, state and PKCE; the redirect back; the code
exchange. (tests/client/test_login_flow.py runs the whole login against the mock.)"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tiktok_user_info_client import (
    Client,
    Retries,
    Tokens,
    authorize_url,
    code_from_redirect,
    errors,
    exchange_code,
    scopes_for,
)
from tiktok_user_info_client.login import AUTHORIZE_BASE_URL, AUTHORIZE_PATH, code_challenge
from tiktok_user_info_client.models import UserField

REDIRECT = "https://app.example/auth/callback"
FIELDS = [UserField.DISPLAY_NAME, UserField.FOLLOWER_COUNT, UserField.BIO_DESCRIPTION]


def query_of(url: str) -> dict[str, str]:
    pairs = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert all(len(values) == 1 for values in pairs.values())
    return {name: values[0] for name, values in pairs.items()}


def test_the_authorize_url_is_the_specs(raw_document: dict[str, Any]) -> None:
    flows = raw_document["components"]["securitySchemes"]["oauth2"]["flows"]
    assert AUTHORIZE_BASE_URL + AUTHORIZE_PATH == flows["authorizationCode"]["authorizationUrl"]


def test_what_the_authorize_url_asks() -> None:
    login = authorize_url(client_key="key", redirect_uri=REDIRECT, fields=FIELDS)
    assert login.url.startswith("https://www.tiktok.com/v2/auth/authorize/?")
    assert query_of(login.url) == {
        "client_key": "key",
        "response_type": "code",
        "scope": ",".join(sorted(scopes_for(FIELDS))),
        "redirect_uri": REDIRECT,
        "state": login.state,
        "code_challenge": code_challenge(login.code_verifier),
        "code_challenge_method": "S256",
    }
    assert "scope=user.info.basic,user.info.profile,user.info.stats&" in login.url  # literal commas


def test_scopes_from_fields_and_scopes_together() -> None:
    login = authorize_url(
        client_key="k", redirect_uri=REDIRECT, fields=["open_id"], scopes=["video.list"]
    )
    assert query_of(login.url)["scope"] == "user.info.basic,video.list"
    only = authorize_url(client_key="k", redirect_uri=REDIRECT, scopes=["user.info.stats"])
    assert query_of(only.url)["scope"] == "user.info.stats"


def test_a_random_state_and_verifier_each_time_unless_a_state_is_given() -> None:
    logins = [
        authorize_url(client_key="k", redirect_uri=REDIRECT, fields=FIELDS) for _ in range(50)
    ]
    assert len({login.state for login in logins}) == 50
    assert len({login.code_verifier for login in logins}) == 50
    for login in logins:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", login.state)
        assert re.fullmatch(r"[A-Za-z0-9_-]{64}", login.code_verifier)  # RFC 7636: 43 to 128
    given = authorize_url(client_key="k", redirect_uri=REDIRECT, fields=FIELDS, state="s&t=1")
    assert given.state == "s&t=1" and query_of(given.url)["state"] == "s&t=1"


def test_the_code_challenge_is_rfc_7636s_s256() -> None:
    """The worked example of RFC 7636, appendix B."""
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_base_url_can_point_at_a_mock() -> None:
    login = authorize_url(
        client_key="k", redirect_uri=REDIRECT, fields=FIELDS, base_url="http://127.0.0.1:8080/"
    )
    assert login.url.startswith("http://127.0.0.1:8080/v2/auth/authorize/?client_key=k&")


@pytest.mark.parametrize(
    ("options", "raised", "message"),
    [
        ({"client_key": ""}, ValueError, "needs a client_key"),
        ({"redirect_uri": ""}, ValueError, "needs a redirect_uri"),
        ({"fields": []}, ValueError, "needs the fields the app reads, or scopes"),
        ({"state": ""}, ValueError, "non-empty state"),
        ({"fields": ["nickname"]}, KeyError, "nickname"),
        ({"fields": "display_name"}, ValueError, "a list of fields, not the string 'display_name'"),
        ({"scopes": "user.info.basic"}, ValueError, "a list of scopes, not the string"),
    ],
)
def test_bad_input_is_refused(
    options: dict[str, Any], raised: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {"client_key": "k", "redirect_uri": REDIRECT, "fields": FIELDS}
    with pytest.raises(raised, match=message):
        authorize_url(**(arguments | options))


def test_the_code_from_the_redirect() -> None:
    url = f"{REDIRECT}?code=code.abc%2A1&scopes=user.info.basic&state=xyz"
    assert code_from_redirect(url, state="xyz") == "code.abc*1"


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ("code=c&state=other", "state_mismatch", "the redirect's state is not the one sent"),
        ("code=c", "state_mismatch", "the redirect's state is not the one sent"),
        (
            "error=access_denied&error_description=The+user+denied+access.&state=xyz",
            "access_denied",
            "The user denied access.",
        ),
        ("error=server_error&state=xyz", "server_error", "the authorization failed"),
        ("state=xyz", "missing_code", "the redirect carries no code"),
        ("code=&state=xyz", "missing_code", "the redirect carries no code"),
    ],
)
def test_a_redirect_without_a_usable_code(query: str, code: str, message: str) -> None:
    with pytest.raises(errors.LoginError) as caught:
        code_from_redirect(f"{REDIRECT}?{query}", state="xyz")
    assert (caught.value.code, caught.value.message) == (code, message)


def test_an_empty_state_is_refused_not_matched() -> None:
    for redirect in (f"{REDIRECT}?code=forged", f"{REDIRECT}?code=forged&state="):
        with pytest.raises(ValueError, match="state is empty"):
            code_from_redirect(redirect, state="")


def test_a_forged_error_redirect_is_a_state_mismatch() -> None:
    with pytest.raises(errors.LoginError, match="state_mismatch"):
        code_from_redirect(f"{REDIRECT}?error=access_denied&state=evil", state="xyz")


TOKEN = {
    "access_token": "act.1",
    "expires_in": 7200,
    "open_id": "open-1",
    "refresh_expires_in": 86400,
    "refresh_token": "rft.1",
    "scope": "user.info.basic",
    "token_type": "Bearer",
}


def oauth_answering(status: int, body: Any) -> tuple[Client, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(status, json=body)

    client = Client(
        base_url="https://open.tiktokapis.com",
        httpx_args={"transport": httpx.MockTransport(answer)},
        retries=Retries(max_retries=5),
    )
    return client, sent


def test_exchange_code_sends_the_verifier_once() -> None:
    client, sent = oauth_answering(200, TOKEN)
    tokens = exchange_code(
        client,
        client_key="k",
        client_secret="s",
        code="code.1",
        redirect_uri=REDIRECT,
        code_verifier="v" * 43,
        clock=lambda: 1000.0,
    )
    assert tokens == Tokens(
        access_token="act.1",
        refresh_token="rft.1",
        expires_at=1000.0 + 7200,
        refresh_expires_at=1000.0 + 86400,
        open_id="open-1",
        scope="user.info.basic",
    )
    (request,) = sent
    assert request.url.path == "/v2/oauth/token/"
    assert parse_qs(request.content.decode()) == {
        "client_key": ["k"],
        "client_secret": ["s"],
        "grant_type": ["authorization_code"],
        "code": ["code.1"],
        "redirect_uri": [REDIRECT],
        "code_verifier": ["v" * 43],
    }


def test_exchange_code_without_pkce_sends_no_verifier() -> None:
    client, sent = oauth_answering(200, TOKEN)
    exchange_code(client, client_key="k", client_secret="s", code="c", redirect_uri=REDIRECT)
    assert "code_verifier" not in parse_qs(sent[0].content.decode())


@pytest.mark.parametrize(
    ("status", "code", "raised"),
    [
        (400, "invalid_grant", errors.InvalidGrant),
        (401, "invalid_client", errors.InvalidClient),
        (500, "server_error", errors.ServerError),
    ],
)
def test_exchange_code_raises_tiktoks_error_and_never_retries(
    status: int, code: str, raised: type[errors.TikTokOAuthError]
) -> None:
    body = {"error": code, "error_description": "no", "log_id": "L"}
    client, sent = oauth_answering(status, body)
    with pytest.raises(raised) as caught:
        exchange_code(client, client_key="k", client_secret="s", code="c", redirect_uri=REDIRECT)
    assert caught.value.log_id == "L" and len(sent) == 1


def test_exchange_code_raises_for_an_undocumented_status_even_when_told_not_to() -> None:
    client, _ = oauth_answering(403, {"forbidden": True})
    client.raise_on_unexpected_status = False
    with pytest.raises(errors.UnexpectedStatus):
        exchange_code(client, client_key="k", client_secret="s", code="c", redirect_uri=REDIRECT)
