"""The OAuth endpoints, offline: codes, token issue, expiry, rotation and revocation."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from mock_server.app import MockApp
from mock_server.contract import Contract
from mock_server.fixtures import load_fixtures
from mock_server.oauth import CODE_TTL
from mock_server.spec import load_document, operation

DOCUMENT = load_document()
CLIENT = {"client_key": "mock_client_key", "client_secret": "mock_client_secret"}
TOKEN, REVOKE = "/v2/oauth/token/", "/v2/oauth/revoke/"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> MockApp:
    contract = Contract.from_document(DOCUMENT)
    return MockApp(contract, load_fixtures(contract), token_ttl=3600, clock=clock)


def send(
    app: MockApp,
    method: str,
    target: str,
    *,
    data: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return await client.request(method, target, data=data, headers=headers)

    return asyncio.run(call())


def token(app: MockApp, **form: str) -> httpx.Response:
    response = send(app, "POST", TOKEN, data={**CLIENT, **form})
    assert_documented(response, "post", TOKEN)
    return response


def assert_documented(response: httpx.Response, method: str, path: str) -> None:
    """The answer is one the spec documents for the operation, body and log id header."""
    documented = operation(DOCUMENT, path, method)["responses"][str(response.status_code)]
    schema = documented["content"]["application/json"]["schema"]
    assert not list(OAS30Validator(schema).iter_errors(response.json()))
    assert OAS30Validator(documented["headers"]["x-tt-logid"]["schema"]).is_valid(
        response.headers["x-tt-logid"]
    )


def user_info(app: MockApp, access_token: str, fields: str = "open_id") -> httpx.Response:
    return send(
        app,
        "GET",
        f"/v2/user/info/?fields={fields}",
        headers={"Authorization": f"Bearer {access_token}"},
    )


def test_a_fixture_code_gets_tokens_that_read_the_user(app: MockApp) -> None:
    response = token(app, grant_type="authorization_code", code="code.example")
    issued = response.json()
    assert response.status_code == 200
    assert issued["access_token"].startswith("act.")
    assert issued["refresh_token"].startswith("rft.")
    assert (issued["expires_in"], issued["token_type"]) == (3600, "Bearer")
    assert issued["scope"] == "user.info.basic,user.info.profile,user.info.stats"
    assert issued["open_id"] == "723f24d7-e717-40f8-a2b6-cb8464cd23b4"
    reply = user_info(app, issued["access_token"], "display_name,follower_count")
    assert reply.json()["data"]["user"] == {"display_name": "User Name", "follower_count": 100}


def test_an_issued_token_has_only_the_granted_scopes(app: MockApp) -> None:
    issued = token(app, grant_type="authorization_code", code="code.mock.basic").json()
    assert issued["scope"] == "user.info.basic"
    assert user_info(app, issued["access_token"], "display_name").status_code == 200
    denied = user_info(app, issued["access_token"], "follower_count").json()
    assert denied["error"]["code"] == "scope_not_authorized"


def test_an_issued_code_works_once_a_fixture_code_always(app: MockApp) -> None:
    code = parse_qs(urlsplit(authorize(app).headers["location"]).query)["code"][0]
    uri = "https://app.example/callback"
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": uri}
    assert token(app, **form).status_code == 200
    again = token(app, **form)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    for _ in range(3):
        assert token(app, grant_type="authorization_code", code="code.example").status_code == 200


def test_access_tokens_expire_after_expires_in(app: MockApp, clock: Clock) -> None:
    issued = token(app, grant_type="authorization_code", code="code.example").json()
    clock.now += 3599
    assert user_info(app, issued["access_token"]).status_code == 200
    clock.now += 1
    expired = user_info(app, issued["access_token"]).json()
    assert expired["error"]["code"] == "access_token_invalid"


def test_refresh_tokens_rotate(app: MockApp) -> None:
    first = token(app, grant_type="authorization_code", code="code.example").json()
    second = token(app, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == first["scope"]
    assert user_info(app, second["access_token"]).status_code == 200
    old = token(app, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert (old.status_code, old.json()["error"]) == (400, "invalid_grant")
    third = token(app, grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert third.status_code == 200


def test_revoking_ends_the_access_and_the_refresh_token(app: MockApp) -> None:
    issued = token(app, grant_type="authorization_code", code="code.example").json()
    response = send(app, "POST", REVOKE, data={**CLIENT, "token": issued["access_token"]})
    assert_documented(response, "post", REVOKE)
    assert (response.status_code, response.json()) == (200, {})
    assert user_info(app, issued["access_token"]).status_code == 401
    refreshed = token(app, grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert refreshed.json()["error"] == "invalid_grant"
    again = send(app, "POST", REVOKE, data={**CLIENT, "token": issued["access_token"]})
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error", "description"),
    [
        ({"grant_type": "authorization_code", "code": "code.nope"}, 400, "invalid_grant", "Authorization code is expired."),
        ({"grant_type": "refresh_token", "refresh_token": "rft.nope"}, 400, "invalid_grant", "Refresh token is invalid or expired."),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", "Unsupported grant type: password"),
        ({"grant_type": "authorization_code"}, 400, "invalid_request", "Missing parameter: code"),
        ({"grant_type": "refresh_token"}, 400, "invalid_request", "Missing parameter: refresh_token"),
        ({"grant_type": ""}, 400, "invalid_request", "Missing parameter: grant_type"),
        ({"grant_type": "authorization_code", "code": "code.example", "refresh_token": ""}, 400, "invalid_request", "Empty parameter: refresh_token"),
        ({"grant_type": "authorization_code", "code": "code.example", "code_verifier": ""}, 400, "invalid_request", "Empty parameter: code_verifier"),
        ({"client_secret": "wrong", "grant_type": "authorization_code", "code": "code.example"}, 401, "invalid_client", "Client key or secret is invalid."),
        ({"client_key": "other", "grant_type": "authorization_code", "code": "code.example"}, 401, "invalid_client", "Client key or secret is invalid."),
        ({"client_secret": "sécret", "grant_type": "authorization_code"}, 401, "invalid_client", "Client key or secret is invalid."),
    ],
)  # fmt: skip
def test_token_errors(
    app: MockApp, form: dict[str, str], status: int, error: str, description: str
) -> None:
    response = token(app, **form)
    body = response.json()
    assert (response.status_code, body["error"], body["error_description"]) == (
        status,
        error,
        description,
    )
    assert body["log_id"] == response.headers["x-tt-logid"]


@pytest.mark.parametrize(
    ("content", "content_type", "description"),
    [
        (b"grant_type=authorization_code", "application/json", "Content-Type must be application/x-www-form-urlencoded"),
        (b"grant_type=a&grant_type=b", "application/x-www-form-urlencoded", "Parameter given twice: grant_type"),
        (b"grant_type=%FF", "application/x-www-form-urlencoded", "The request body is not a valid form"),
        (b"x=" + b"a" * 20_000, "application/x-www-form-urlencoded", "The request body is over 16384 bytes"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_a_form(
    app: MockApp, content: bytes, content_type: str, description: str
) -> None:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return await client.post(TOKEN, content=content, headers={"Content-Type": content_type})

    response = asyncio.run(call())
    assert_documented(response, "post", TOKEN)
    assert response.json()["error_description"] == description


def authorize(app: MockApp, **query: str) -> httpx.Response:
    params = {
        "client_key": "mock_client_key",
        "response_type": "code",
        "scope": "user.info.basic,user.info.stats",
        "redirect_uri": "https://app.example/callback",
        "state": "xyz",
        **query,
    }
    return send(app, "GET", f"/v2/auth/authorize/?{httpx.QueryParams(params)}")


def test_the_authorize_page_redirects_with_a_fresh_code(app: MockApp) -> None:
    response = authorize(app, mock_user="mock")
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://app.example/callback"
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"] and query["scopes"] == ["user.info.basic,user.info.stats"]
    code = query["code"][0]
    wrong_uri = token(app, grant_type="authorization_code", code=code, redirect_uri="https://x")
    assert wrong_uri.json()["error"] == "invalid_grant"
    issued = token(
        app, grant_type="authorization_code", code=code, redirect_uri="https://app.example/callback"
    ).json()
    assert issued["open_id"] == "5f1e6c1a-0f4b-4e7e-9d3c-2a6b8f0c1d2e"
    assert user_info(app, issued["access_token"], "video_count").json()["data"]["user"] == {
        "video_count": 321
    }


def test_issued_codes_expire(app: MockApp, clock: Clock) -> None:
    location = authorize(app).headers["location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    clock.now += CODE_TTL
    uri = "https://app.example/callback"
    expired = token(app, grant_type="authorization_code", code=code, redirect_uri=uri)
    assert expired.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"client_key": "nobody"}, "unauthorized_client"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "user.info.everything"}, "invalid_scope"),
        ({"scope": ""}, "invalid_request"),
        ({"mock_user": "nobody"}, "invalid_request"),
    ],
)
def test_authorize_errors(app: MockApp, query: dict[str, str], error: str) -> None:
    response = authorize(app, **query)
    assert (response.status_code, response.json()["error"]) == (400, error)


def test_reset_forgets_issued_codes_and_tokens(app: MockApp) -> None:
    issued = token(app, grant_type="authorization_code", code="code.example").json()
    code = parse_qs(urlsplit(authorize(app).headers["location"]).query)["code"][0]
    app.reset_state()
    assert user_info(app, issued["access_token"]).status_code == 401
    form = {"code": code, "redirect_uri": "https://app.example/callback"}
    assert token(app, grant_type="authorization_code", **form).json()["error"] == "invalid_grant"


def test_other_methods_on_oauth_paths(app: MockApp) -> None:
    response = send(app, "GET", TOKEN)
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
