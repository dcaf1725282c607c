"""Typed errors: one class per documented code, derived from the spec, raised by sync() and
asyncio() with the code, message, log_id, status and headers of the response."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from mock_server.spec import response_examples
from tests.support.specs import operation
from tiktok_user_info_client import AuthenticatedClient, Client, Retries, errors
from tiktok_user_info_client.api.oauth import fetch_access_token, revoke_access_token
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import (
    GrantType,
    OAuthError,
    RevokeRequest,
    TokenRequest,
    UserField,
    UserInfoResponse,
)

FIELDS = [UserField.OPEN_ID]
LOG_ID = "20240102030405ABCDEF0123456789ABCDEF"
ENVELOPE = {
    "data": {},
    "error": {"code": "rate_limit_exceeded", "message": "slow", "log_id": LOG_ID},
}


def answering(
    status: int, body: Any, headers: dict[str, str] | None = None, **options: Any
) -> AuthenticatedClient:
    """A client whose transport answers `body` (JSON unless bytes), with retries off."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    transport = httpx.MockTransport(
        lambda _: httpx.Response(status, content=content, headers=headers)
    )
    return AuthenticatedClient(
        base_url="https://open.tiktokapis.com",
        token="t",
        httpx_args={"transport": transport},
        retries=Retries(max_retries=0),
        **options,
    )


def documented_codes(document: dict[str, Any], schema: str) -> list[str]:
    codes: list[str] = document["components"]["schemas"][schema]["enum"]
    return [code for code in codes if code != "ok"]


def test_one_class_per_documented_code(document: dict[str, Any]) -> None:
    families = [
        (errors.API_ERRORS, "ErrorCode", errors.TikTokError),
        (errors.OAUTH_ERRORS, "OAuthErrorCode", errors.TikTokOAuthError),
    ]
    for classes, schema, base in families:
        assert list(classes) == documented_codes(document, schema)
        for code, cls in classes.items():
            assert cls.__name__ == "".join(word.title() for word in code.split("_"))
            assert cls.__bases__ == (base,)
            assert getattr(errors, cls.__name__) is cls and cls.__name__ in errors.__all__
    names = {"AccessTokenInvalid", "ScopeNotAuthorized", "ScopePermissionMissed", "InvalidParams"}
    assert names | {"RateLimitExceeded", "InternalError"} == {
        cls.__name__ for cls in errors.API_ERRORS.values()
    }
    assert {"InvalidGrant", "InvalidClient"} <= {
        cls.__name__ for cls in errors.OAUTH_ERRORS.values()
    }
    assert issubclass(errors.TikTokOAuthError, errors.TikTokError)
    assert issubclass(errors.TikTokError, errors.ClientError)


def test_the_log_id_header_is_the_specs(raw_document: dict[str, Any]) -> None:
    responses = raw_document["paths"]["/v2/user/info/"]["get"]["responses"]
    for response in responses.values():
        assert response["headers"] == {errors.LOG_ID_HEADER: {"$ref": "#/components/headers/LogId"}}


def test_every_documented_error_of_user_info_raises_its_class(document: dict[str, Any]) -> None:
    raised: set[str] = set()
    for example in response_examples(operation(document)):
        client = answering(example.status, example.value, {"x-tt-logid": "header-id"})
        if example.value["error"]["code"] == "ok":
            assert isinstance(get_user_info.sync(client=client, fields=FIELDS), UserInfoResponse)
            continue
        with pytest.raises(errors.TikTokError) as caught:
            get_user_info.sync(client=client, fields=FIELDS)
        error = example.value["error"]
        assert type(caught.value) is errors.API_ERRORS[error["code"]], example.name
        assert (caught.value.code, caught.value.message) == (error["code"], error["message"])
        assert caught.value.log_id == error["log_id"]  # the body's, before the header's
        assert caught.value.status_code == example.status
        assert caught.value.headers["x-tt-logid"] == "header-id"
        assert json.loads(caught.value.content) == example.value
        assert str(caught.value) == (
            f"{error['code']}: {error['message']} (HTTP {example.status}, log_id {error['log_id']})"
        )
        raised.add(error["code"])
    assert raised == set(errors.API_ERRORS)  # the spec has an example of every code


def test_every_documented_oauth_error_raises_its_class(document: dict[str, Any]) -> None:
    token = TokenRequest(client_key="k", client_secret="s", grant_type=GrantType.REFRESH_TOKEN)
    revoke = RevokeRequest(client_key="k", client_secret="s", token="t")
    raised: list[tuple[str, str]] = []
    for path, call in (
        ("/v2/oauth/token/", lambda client: fetch_access_token.sync(client=client, body=token)),
        ("/v2/oauth/revoke/", lambda client: revoke_access_token.sync(client=client, body=revoke)),
    ):
        for example in response_examples(operation(document, path, "post")):
            if example.status == 200:
                continue
            with pytest.raises(errors.TikTokOAuthError) as caught:
                call(answering(example.status, example.value))
            body = example.value
            assert type(caught.value) is errors.OAUTH_ERRORS[body["error"]], example.name
            assert (caught.value.code, caught.value.message) == (
                body["error"],
                body["error_description"],
            )
            assert (caught.value.log_id, caught.value.status_code) == (
                body["log_id"],
                example.status,
            )
            raised.append((path, body["error"]))
    for path in ("/v2/oauth/token/", "/v2/oauth/revoke/"):
        assert {"invalid_client", "temporarily_unavailable", "server_error"} <= {
            code for where, code in raised if where == path
        }


def test_an_undocumented_code_raises_the_familys_base() -> None:
    body = {"data": {}, "error": {"code": "brand_new", "message": "new", "log_id": LOG_ID}}
    with pytest.raises(errors.TikTokError) as caught:
        get_user_info.sync(client=answering(401, body), fields=FIELDS)
    assert type(caught.value) is errors.TikTokError and caught.value.code == "brand_new"

    oauth = {"error": "slow_down", "error_description": "later", "log_id": LOG_ID}
    body_ = TokenRequest(client_key="k", client_secret="s", grant_type=GrantType.REFRESH_TOKEN)
    with pytest.raises(errors.TikTokOAuthError) as oauth_caught:
        fetch_access_token.sync(client=answering(400, oauth), body=body_)
    assert type(oauth_caught.value) is errors.TikTokOAuthError
    assert oauth_caught.value.code == "slow_down"


def test_raising_is_the_default_since_3_0_0() -> None:
    from importlib.metadata import version

    assert int(version("tiktok-user-info-client").split(".")[0]) >= 3
    assert AuthenticatedClient(base_url="https://x", token="t").raise_on_error is True
    assert Client(base_url="https://x").raise_on_error is True


def test_raise_on_error_false_returns_the_error_body() -> None:
    client = answering(429, ENVELOPE, raise_on_error=False)
    reply = get_user_info.sync(client=client, fields=FIELDS)
    assert isinstance(reply, UserInfoResponse) and reply.error.code == "rate_limit_exceeded"
    oauth = {"error": "invalid_grant", "error_description": "used", "log_id": LOG_ID}
    body = TokenRequest(client_key="k", client_secret="s", grant_type=GrantType.REFRESH_TOKEN)
    client = answering(400, oauth, raise_on_error=False)
    assert isinstance(fetch_access_token.sync(client=client, body=body), OAuthError)


def test_detailed_functions_never_raise_tiktok_errors() -> None:
    response = get_user_info.sync_detailed(client=answering(429, ENVELOPE), fields=FIELDS)
    assert response.status_code == 429
    assert isinstance(response.parsed, UserInfoResponse)


def test_asyncio_raises_the_same() -> None:
    async def call() -> None:
        async with answering(429, ENVELOPE) as client:
            await get_user_info.asyncio(client=client, fields=FIELDS)

    with pytest.raises(errors.RateLimitExceeded) as caught:
        asyncio.run(call())
    assert caught.value.log_id == LOG_ID


def test_an_error_with_code_ok_is_no_error() -> None:
    body = {"data": {}, "error": {"code": "ok", "message": "", "log_id": LOG_ID}}
    assert get_user_info.sync(client=answering(200, body), fields=FIELDS) is not None


@pytest.mark.parametrize(
    ("status", "content", "raised", "message"),
    [
        (502, b"<html>bad gateway</html>", errors.UnexpectedStatus, "Unexpected status code: 502"),
        (200, b'{"data": {}, "error": {"code"', errors.UnexpectedContent, "Unexpected content"),
    ],
)
def test_errors_without_the_envelope_carry_the_headers_log_id(
    status: int, content: bytes, raised: type[errors.ClientError], message: str
) -> None:
    client = answering(status, content, {"x-tt-logid": LOG_ID, "x-extra": "1"})
    with pytest.raises(raised) as caught:
        get_user_info.sync(client=client, fields=FIELDS)
    assert caught.value.log_id == LOG_ID
    assert caught.value.headers["x-extra"] == "1"
    assert str(caught.value).startswith(f"{message}")
    assert f"(log_id {LOG_ID})" in str(caught.value)


def test_a_proxy_page_has_no_log_id() -> None:
    with pytest.raises(errors.UnexpectedStatus) as caught:
        get_user_info.sync(client=answering(403, b"<html>forbidden</html>"), fields=FIELDS)
    assert caught.value.log_id is None and "log_id" not in str(caught.value)


def test_an_undocumented_status_with_the_envelope_has_its_log_id() -> None:
    with pytest.raises(errors.UnexpectedStatus) as caught:
        get_user_info.sync(client=answering(418, ENVELOPE), fields=FIELDS)
    assert caught.value.log_id == LOG_ID


def test_errors_can_be_built_by_an_apps_own_tests() -> None:
    error = errors.RateLimitExceeded("rate_limit_exceeded", "slow", status_code=429, log_id="L")
    assert (error.code, error.message, error.status_code, error.log_id) == (
        "rate_limit_exceeded",
        "slow",
        429,
        "L",
    )
    assert error.content == b"" and dict(error.headers) == {}
    assert str(errors.TikTokError("x", "y", status_code=400)) == "x: y (HTTP 400)"


def test_login_error() -> None:
    error = errors.LoginError("access_denied", "The user denied access.")
    assert (error.code, error.message) == ("access_denied", "The user denied access.")
    assert str(error) == "access_denied: The user denied access."
