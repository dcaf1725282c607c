"""The OAuth endpoints, offline: consent, codes, PKCE, token issue, expiry, rotation and
revocation."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from mock_server.app import MockApp
from mock_server.bodies import MAX_BODY_BYTES
from mock_server.contract import Contract
from mock_server.fixtures import DEFAULT_FIXTURES, load_fixtures
from mock_server.oauth import CODE_TTL, OAuth
from mock_server.spec import load_document
from mock_server.store import TokenStore
from tests.support.clock import Clock
from tests.support.inprocess import call
from tests.support.specs import operation

DOCUMENT = load_document()
CLIENT = {"client_key": "mock_client_key", "client_secret": "mock_client_secret"}
TOKEN, REVOKE = "/v2/oauth/token/", "/v2/oauth/revoke/"
CALLBACK = "https://app.example/callback"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
"""RFC 7636's example verifier; its S256 challenge is below."""
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.fixture
def app(clock: Clock) -> MockApp:
    contract = Contract.from_document(DOCUMENT)
    return MockApp(contract, load_fixtures(contract), token_ttl=3600, clock=clock)


def send(
    app: MockApp,
    method: str,
    target: str,
    *,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    headers = dict(headers or {})
    if data is not None:
        headers["content-type"] = "application/x-www-form-urlencoded"
    return call(app, method, target, headers, urlencode(data or {}).encode())


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
    response = token(
        app, grant_type="authorization_code", code="code.example", redirect_uri=CALLBACK
    )
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
    issued = token(
        app, grant_type="authorization_code", code="code.mock.basic", redirect_uri=CALLBACK
    ).json()
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
        assert (
            token(
                app, grant_type="authorization_code", code="code.example", redirect_uri=CALLBACK
            ).status_code
            == 200
        )


def test_access_tokens_expire_after_expires_in(app: MockApp, clock: Clock) -> None:
    issued = token(
        app, grant_type="authorization_code", code="code.example", redirect_uri=CALLBACK
    ).json()
    clock.advance(3599)
    assert user_info(app, issued["access_token"]).status_code == 200
    clock.advance(1)
    expired = user_info(app, issued["access_token"]).json()
    assert expired["error"]["code"] == "access_token_invalid"


def test_refresh_tokens_rotate(app: MockApp) -> None:
    first = token(
        app, grant_type="authorization_code", code="code.example", redirect_uri=CALLBACK
    ).json()
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
    issued = token(
        app, grant_type="authorization_code", code="code.example", redirect_uri=CALLBACK
    ).json()
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
        ({"grant_type": "authorization_code", "redirect_uri": CALLBACK, "code": "code.nope"}, 400, "invalid_grant", "Authorization code is expired."),
        ({"grant_type": "refresh_token", "refresh_token": "rft.nope"}, 400, "invalid_grant", "Refresh token is invalid or expired."),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", "Unsupported grant type: password"),
        ({"grant_type": "authorization_code"}, 400, "invalid_request", "Missing parameter: code"),
        ({"grant_type": "authorization_code", "code": "code.example"}, 400, "invalid_request", "Missing parameter: redirect_uri"),
        ({"grant_type": "refresh_token"}, 400, "invalid_request", "Missing parameter: refresh_token"),
        ({"grant_type": ""}, 400, "invalid_request", "Missing parameter: grant_type"),
        ({"grant_type": "authorization_code", "redirect_uri": CALLBACK, "code": "code.example", "refresh_token": ""}, 400, "invalid_request", "Empty parameter: refresh_token"),
        ({"grant_type": "authorization_code", "redirect_uri": CALLBACK, "code": "code.example", "code_verifier": ""}, 400, "invalid_request", "Empty parameter: code_verifier"),
        ({"client_secret": "wrong", "grant_type": "authorization_code", "redirect_uri": CALLBACK, "code": "code.example"}, 401, "invalid_client", "Client key or secret is invalid."),
        ({"client_key": "other", "grant_type": "authorization_code", "redirect_uri": CALLBACK, "code": "code.example"}, 401, "invalid_client", "Client key or secret is invalid."),
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
        (b"x=" + b"a" * MAX_BODY_BYTES, "application/x-www-form-urlencoded", f"The request body is over {MAX_BODY_BYTES} bytes"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_a_form(
    app: MockApp, content: bytes, content_type: str, description: str
) -> None:
    response = call(app, "POST", TOKEN, {"Content-Type": content_type}, content)
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
    clock.advance(CODE_TTL)
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
    issued = token(
        app, grant_type="authorization_code", code="code.example", redirect_uri=CALLBACK
    ).json()
    code = parse_qs(urlsplit(authorize(app).headers["location"]).query)["code"][0]
    app.state.reset()
    assert user_info(app, issued["access_token"]).status_code == 401
    form = {"code": code, "redirect_uri": "https://app.example/callback"}
    assert token(app, grant_type="authorization_code", **form).json()["error"] == "invalid_grant"


def test_other_methods_on_oauth_paths_are_405_in_oauths_shape(app: MockApp) -> None:
    for path in (TOKEN, "/v2/oauth/revoke/"):
        response = send(app, "GET", path)
        assert (response.status_code, response.headers["allow"]) == (405, "POST")
        assert response.json() == {
            "error": "invalid_request",
            "error_description": "The method is not allowed for this path.",
            "log_id": response.headers["x-tt-logid"],
        }


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def test_pkce_needs_the_matching_verifier(app: MockApp) -> None:
    assert (
        base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")
        == CHALLENGE.encode()
    )
    pkce = {"code_challenge": CHALLENGE, "code_challenge_method": "S256"}
    code = code_of(authorize(app, **pkce))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    missing = token(app, **form).json()
    assert (missing["error"], missing["error_description"]) == (
        "invalid_grant",
        "code_verifier is required for this code.",
    )
    wrong = token(app, **form, code_verifier=VERIFIER[:-1] + "x").json()
    assert wrong["error_description"] == "code_verifier does not match the challenge."
    assert token(app, **form, code_verifier=VERIFIER).status_code == 200  # tries did not spend it
    assert token(app, **form, code_verifier=VERIFIER).json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("verifier", "description"),
    [
        ("short", "code_verifier must be 43 to 128 URL-safe characters."),
        (VERIFIER + "=", "code_verifier must be 43 to 128 URL-safe characters."),
        ("x" * 129, "Parameter too long: code_verifier (at most 128 characters)"),
    ],
)
def test_a_malformed_verifier_is_refused_for_any_code(
    app: MockApp, verifier: str, description: str
) -> None:
    """The spec's pattern for `code_verifier` (RFC 7636), enforced with or without PKCE."""
    form = {
        "grant_type": "authorization_code",
        "redirect_uri": CALLBACK,
        "code": "code.example",
        "code_verifier": verifier,
    }
    refused = token(app, **form).json()
    assert (refused["error"], refused["error_description"]) == ("invalid_request", description)
    assert token(app, **{**form, "code_verifier": VERIFIER}).status_code == 200


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ({"code_challenge": CHALLENGE}, "code_challenge_method must be S256."),
        ({"code_challenge": CHALLENGE, "code_challenge_method": "plain"}, "code_challenge_method must be S256."),
        ({"code_challenge_method": "S256"}, "code_challenge must be 43 to 128 URL-safe characters."),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "code_challenge must be 43 to 128 URL-safe characters."),
        ({"mock_consent": "maybe"}, "mock_consent must be allow or deny, not maybe"),
        ({"mock_scopes": "user.info.profile"}, "Cannot grant scopes not asked for: user.info.profile"),
    ],
)  # fmt: skip
def test_authorize_refuses_a_bad_pkce_or_consent_request(
    app: MockApp, query: dict[str, str], description: str
) -> None:
    response = authorize(app, **query)
    assert response.status_code == 400
    assert (response.json()["error"], response.json()["error_description"]) == (
        "invalid_request",
        description,
    )


def test_the_user_can_deny(app: MockApp) -> None:
    response = authorize(app, mock_consent="deny")
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert parse_qs(location.query) == {
        "error": ["access_denied"],
        "error_description": ["The user denied access."],
        "state": ["xyz"],
    }


def test_the_user_can_grant_fewer_scopes(app: MockApp) -> None:
    response = authorize(app, mock_scopes="user.info.basic")
    assert parse_qs(urlsplit(response.headers["location"]).query)["scopes"] == ["user.info.basic"]
    form = {"grant_type": "authorization_code", "code": code_of(response), "redirect_uri": CALLBACK}
    issued = token(app, **form).json()
    assert issued["scope"] == "user.info.basic"
    denied = user_info(app, issued["access_token"], "follower_count").json()
    assert denied["error"]["code"] == "scope_not_authorized"


def test_the_admin_api_decides_the_next_consents(app: MockApp) -> None:
    app.admin.add_scenario({"operation": "authorize", "consent": "deny"})
    app.admin.add_scenario({"operation": "authorize", "scopes": ["user.info.stats"], "times": 2})
    assert "error=access_denied" in authorize(app).headers["location"]
    for _ in range(2):
        assert "scopes=user.info.stats&" in authorize(app).headers["location"]
    assert "scopes=user.info.basic%2Cuser.info.stats&" in authorize(app).headers["location"]
    app.admin.add_scenario({"operation": "authorize", "consent": "deny"})
    assert "code=" in authorize(app, mock_consent="allow").headers["location"]  # the query wins


OTHER_CLIENT = {"client_key": "other_key", "client_secret": "other_secret"}


@pytest.fixture
def two_clients(clock: Clock, tmp_path: Path) -> MockApp:
    """The default fixtures, plus a second app whose redirect URI is registered, and a user
    without an open_id."""
    data = yaml.safe_load(DEFAULT_FIXTURES.read_text(encoding="utf-8"))
    data["clients"]["other_key"] = {
        "client_secret": "other_secret", "redirect_uris": ["https://other.example/cb"]
    }  # fmt: skip
    data["users"]["nameless"] = {"display_name": "No Open Id"}
    path = tmp_path / "fixtures.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    contract = Contract.from_document(DOCUMENT)
    return MockApp(contract, load_fixtures(contract, path), clock=clock)


@pytest.mark.parametrize(
    ("query", "error", "description"),
    [
        ({"client_key": ""}, "invalid_request", "Missing parameter: client_key"),
        ({"response_type": ""}, "invalid_request", "Missing parameter: response_type"),
        ({"scope": ""}, "invalid_request", "Missing parameter: scope"),
        ({"redirect_uri": ""}, "invalid_request", "Missing parameter: redirect_uri"),
        ({"client_key": "nobody"}, "unauthorized_client", "Client key is invalid."),
        ({"response_type": "token"}, "unsupported_response_type", "response_type must be code."),
        ({"scope": "user.info.basic,b.scope,a.scope"}, "invalid_scope", "Unknown scopes: a.scope, b.scope"),
        ({"client_key": "other_key"}, "invalid_request", "redirect_uri is not registered."),
        ({"mock_user": "nobody"}, "invalid_request", "Unknown mock_user: nobody"),
    ],
)  # fmt: skip
def test_authorize_says_what_is_wrong(
    two_clients: MockApp, query: dict[str, str], error: str, description: str
) -> None:
    response = authorize(two_clients, **query)
    body = response.json()
    assert (response.status_code, body["error"], body["error_description"]) == (
        400,
        error,
        description,
    )
    assert body["log_id"] == response.headers["x-tt-logid"]


def test_authorize_keeps_the_redirect_uris_query_and_an_empty_or_absent_state(app: MockApp) -> None:
    every_scope = ",".join(sorted(Contract.from_document(DOCUMENT).scopes))
    response = authorize(
        app, redirect_uri="https://app.example/cb?tab=1", state="", scope=every_scope
    )
    location = urlsplit(response.headers["location"])
    assert location.query.startswith("tab=1&code=")
    assert parse_qs(location.query, keep_blank_values=True)["state"] == [""]
    assert parse_qs(location.query)["scopes"] == [every_scope]
    params = {"client_key": "mock_client_key", "response_type": "code", "scope": "user.info.basic",
              "redirect_uri": CALLBACK}  # fmt: skip
    stateless = send(app, "GET", f"/v2/auth/authorize/?{httpx.QueryParams(params)}")
    assert "state" not in parse_qs(urlsplit(stateless.headers["location"]).query)
    assert re.fullmatch(r"code\.[\w-]{32}", code_of(stateless))


@pytest.mark.parametrize(
    ("form", "description"),
    [
        ({"client_key": ""}, "Missing parameter: client_key"),
        ({"client_secret": ""}, "Missing parameter: client_secret"),
        ({"grant_type": "client_credentials"}, "Unsupported grant type: client_credentials"),
    ],
)
def test_token_says_what_is_wrong(app: MockApp, form: dict[str, str], description: str) -> None:
    response = token(
        app,
        **{
            "grant_type": "authorization_code",
            "redirect_uri": CALLBACK,
            "code": "code.example",
            **form,
        },
    )
    assert response.json()["error_description"] == description


@pytest.mark.parametrize(
    ("form", "description"),
    [
        ({"client_key": ""}, "Missing parameter: client_key"),
        ({"client_secret": ""}, "Missing parameter: client_secret"),
        ({"token": ""}, "Missing parameter: token"),
        ({"client_secret": "wrong"}, "Client key or secret is invalid."),
    ],
)
def test_revoke_says_what_is_wrong(app: MockApp, form: dict[str, str], description: str) -> None:
    response = send(app, "POST", REVOKE, data={**CLIENT, "token": "act.x", **form})
    assert_documented(response, "post", REVOKE)
    assert response.json()["error_description"] == description


def test_a_code_or_refresh_token_of_another_client(two_clients: MockApp) -> None:
    def exchange(client: dict[str, str], **form: str) -> dict[str, str]:
        reply = send(two_clients, "POST", TOKEN, data={**client, **form})
        body: dict[str, str] = reply.json()
        return body

    stolen = exchange(
        OTHER_CLIENT, grant_type="authorization_code", code="code.example", redirect_uri=CALLBACK
    )
    assert (stolen["error"], stolen["error_description"]) == (
        "invalid_grant",
        "Authorization code was issued to another client.",
    )
    issued = exchange(
        CLIENT, grant_type="authorization_code", code="code.example", redirect_uri=CALLBACK
    )
    assert re.fullmatch(r"act\.[\w-]{43}", issued["access_token"])
    assert re.fullmatch(r"rft\.[\w-]{43}", issued["refresh_token"])
    refreshed = exchange(
        OTHER_CLIENT, grant_type="refresh_token", refresh_token=issued["refresh_token"]
    )
    assert refreshed["error_description"] == "Refresh token was issued to another client."
    wrong_uri = exchange(CLIENT, grant_type="authorization_code", code=code_of(authorize(two_clients)),
                         redirect_uri="https://elsewhere.example/cb")  # fmt: skip
    assert (
        wrong_uri["error_description"] == "redirect_uri does not match the authorization request."
    )


def test_a_user_without_an_open_id_gets_an_empty_one(two_clients: MockApp) -> None:
    code = code_of(authorize(two_clients, mock_user="nameless"))
    issued = token(two_clients, grant_type="authorization_code", code=code, redirect_uri=CALLBACK)
    assert issued.json()["open_id"] == ""


def test_the_form_rules_come_from_the_spec() -> None:
    """Required parameters, grant types and the verifier's pattern are the spec's, not
    written again: a document that changes them changes what the mock refuses."""
    document = copy.deepcopy(DOCUMENT)
    form = document["paths"]["/v2/oauth/token/"]["post"]["requestBody"]["content"]
    schema = form["application/x-www-form-urlencoded"]["schema"]
    schema["properties"]["grant_type"]["enum"].append("client_credentials")
    schema["properties"]["code_verifier"]["pattern"] = "^v{3}$"
    schema["required"].append("redirect_uri")
    contract = Contract.from_document(document)
    fixtures = load_fixtures(contract, DEFAULT_FIXTURES)
    oauth = OAuth(contract, TokenStore(fixtures, time.time), token_ttl=60, clock=time.time)
    base = {"client_key": "k", "client_secret": "s", "redirect_uri": "r"}
    assert oauth.refusal("fetchAccessToken", {**base, "grant_type": "client_credentials"}) is None
    missing = oauth.refusal("fetchAccessToken", {"client_key": "k", "client_secret": "s",
                                                 "grant_type": "refresh_token"})  # fmt: skip
    assert (
        missing is not None
        and missing.body["error_description"] == "Missing parameter: redirect_uri"
    )
    pkce = {**base, "grant_type": "authorization_code", "code_verifier": "vvv"}
    assert oauth.refusal("fetchAccessToken", pkce) is None
