"""The generated client: wire format, forward compatibility, scopes, and the spec's examples."""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import socket
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import tiktok_user_info_client
from mock_server.spec import response_examples
from tests.support.seeds import ENDPOINT_EXAMPLE
from tests.support.seeds import EXAMPLE_TOKEN as TOKEN
from tests.support.specs import operation
from tiktok_user_info_client import FIELD_SCOPES, AuthenticatedClient, scopes_for
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import ErrorCode, User, UserField, UserInfoResponse
from tiktok_user_info_client.models import user as user_module


def client_answering(
    body: Any, status: int = 200
) -> tuple[AuthenticatedClient, list[httpx.Request]]:
    """A client whose transport records each request and answers `body`."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    client = AuthenticatedClient(
        base_url="https://open.tiktokapis.com",
        token=TOKEN,
        httpx_args={"transport": httpx.MockTransport(handler)},
    )
    return client, seen


def test_fields_are_sent_comma_separated_with_literal_commas() -> None:
    client, seen = client_answering(ENDPOINT_EXAMPLE)
    get_user_info.sync(client=client, fields=[UserField.OPEN_ID, UserField.UNION_ID])
    (request,) = seen
    assert request.url.raw_path == b"/v2/user/info/?fields=open_id,union_id"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_every_field_in_the_order_given() -> None:
    client, seen = client_answering(ENDPOINT_EXAMPLE)
    fields = list(reversed(UserField))
    get_user_info.sync(client=client, fields=fields)
    assert seen[0].url.raw_path == b"/v2/user/info/?fields=" + ",".join(fields).encode()


def test_the_bytes_on_the_socket() -> None:
    """What a server reads off the wire: one `fields` key, literal commas, no %2C."""
    received: list[bytes] = []
    body = json.dumps(ENDPOINT_EXAMPLE).encode()

    with socket.create_server(("127.0.0.1", 0)) as server:

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                received.append(data)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
                )

        thread = threading.Thread(target=serve)
        thread.start()
        port = server.getsockname()[1]
        with AuthenticatedClient(base_url=f"http://127.0.0.1:{port}", token=TOKEN) as client:
            parsed = get_user_info.sync(
                client=client, fields=[UserField.OPEN_ID, UserField.UNION_ID, UserField.AVATAR_URL]
            )
        thread.join(timeout=5)

    request_line, *header_lines = received[0].decode().split("\r\n")
    assert request_line == "GET /v2/user/info/?fields=open_id,union_id,avatar_url HTTP/1.1"
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in header_lines if line)}
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert isinstance(parsed, UserInfoResponse)
    assert parsed.to_dict() == ENDPOINT_EXAMPLE


def test_async_sends_the_same_request() -> None:
    client, seen = client_answering(ENDPOINT_EXAMPLE)

    async def call() -> UserInfoResponse | None:
        async with client:
            return await get_user_info.asyncio(client=client, fields=[UserField.DISPLAY_NAME])

    parsed = asyncio.run(call())
    assert seen[0].url.raw_path == b"/v2/user/info/?fields=display_name"
    assert parsed is not None and parsed.to_dict() == ENDPOINT_EXAMPLE


def test_unknown_error_code_and_user_field_parse() -> None:
    body = {
        "data": {"user": {"open_id": "o-1", "pronouns": "they/them"}},
        "error": {
            "code": "brand_new_code",
            "message": "new",
            "log_id": "2024" + "0" * 10 + "A" * 20,
        },
    }
    client, _ = client_answering(body, status=401)
    parsed = get_user_info.sync_detailed(client=client, fields=[UserField.OPEN_ID]).parsed
    assert parsed is not None
    assert parsed.error.code == "brand_new_code" and not isinstance(parsed.error.code, ErrorCode)
    assert isinstance(parsed.data.user, User)
    assert parsed.data.user.open_id == "o-1"
    assert parsed.data.user["pronouns"] == "they/them"
    assert parsed.to_dict() == body


def test_documented_error_codes_parse_into_the_enum() -> None:
    body = {
        "data": {},
        "error": {"code": "scope_not_authorized", "message": "m", "log_id": "1" * 14 + "F" * 20},
    }
    client, _ = client_answering(body, status=401)
    parsed = get_user_info.sync_detailed(client=client, fields=[UserField.FOLLOWER_COUNT]).parsed
    assert parsed is not None and parsed.error.code is ErrorCode.SCOPE_NOT_AUTHORIZED


def test_field_scopes_are_the_spec_annotations(document: dict[str, Any]) -> None:
    properties = document["components"]["schemas"]["User"]["properties"]
    assert dict(FIELD_SCOPES) == {name: prop["x-tiktok-scope"] for name, prop in properties.items()}
    assert set(FIELD_SCOPES) == set(UserField)
    assert tiktok_user_info_client.__all__.count("FIELD_SCOPES") == 1


def test_scopes_for_computes_what_to_request() -> None:
    assert scopes_for([UserField.OPEN_ID, UserField.DISPLAY_NAME]) == {"user.info.basic"}
    assert scopes_for([UserField.FOLLOWER_COUNT, UserField.USERNAME, "open_id"]) == {
        "user.info.stats",
        "user.info.profile",
        "user.info.basic",
    }
    with pytest.raises(KeyError, match="nickname"):
        scopes_for(["nickname"])


def test_every_user_attribute_docstring_names_its_scope() -> None:
    """Attribute docstrings are the string statement right after each annotated attribute."""
    (cls,) = [
        node
        for node in ast.parse(inspect.getsource(user_module)).body
        if isinstance(node, ast.ClassDef) and node.name == "User"
    ]
    docstrings = {}
    for statement, following in zip(cls.body, cls.body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id != "additional_properties"
        ):
            assert isinstance(following, ast.Expr), statement.target.id
            docstrings[statement.target.id] = ast.literal_eval(following.value)
    assert set(docstrings) == set(FIELD_SCOPES)
    for name, scope in FIELD_SCOPES.items():
        assert f"Scope: ``{scope}``." in docstrings[name], name


def test_every_spec_example_parses_into_the_envelope(document: dict[str, Any]) -> None:
    for example in response_examples(operation(document)):
        client, _ = client_answering(example.value, status=example.status)
        response = get_user_info.sync_detailed(client=client, fields=[UserField.OPEN_ID])
        assert isinstance(response.parsed, UserInfoResponse), example.name
        assert response.parsed.to_dict() == example.value, example.name
        assert isinstance(response.parsed.error.code, ErrorCode), example.name
        if "user" in example.value["data"]:
            assert isinstance(response.parsed.data.user, User), example.name


def test_every_oauth_example_parses_into_its_model(document: dict[str, Any]) -> None:
    from tiktok_user_info_client.api.oauth import fetch_access_token, revoke_access_token
    from tiktok_user_info_client.models import (
        GrantType,
        OAuthError,
        RevokeRequest,
        RevokeResponse,
        TokenRequest,
        TokenResponse,
    )

    def token(client: AuthenticatedClient) -> TokenResponse | OAuthError | None:
        body = TokenRequest(client_key="k", client_secret="s", grant_type=GrantType.REFRESH_TOKEN)
        return fetch_access_token.sync_detailed(client=client, body=body).parsed

    def revoke(client: AuthenticatedClient) -> RevokeResponse | OAuthError | None:
        body = RevokeRequest(client_key="k", client_secret="s", token="t")
        return revoke_access_token.sync_detailed(client=client, body=body).parsed

    calls: dict[str, Callable[[AuthenticatedClient], object]] = {
        "/v2/oauth/token/": token,
        "/v2/oauth/revoke/": revoke,
    }
    for path, call in calls.items():
        for example in response_examples(operation(document, path, "post")):
            client, seen = client_answering(example.value, status=example.status)
            parsed = call(client)
            assert isinstance(parsed, TokenResponse | RevokeResponse | OAuthError)
            assert isinstance(parsed, OAuthError) == (example.status >= 400), example.name
            assert parsed.to_dict() == example.value, example.name
            assert seen[0].headers["content-type"] == "application/x-www-form-urlencoded"


def test_the_client_covers_every_documented_status(document: dict[str, Any]) -> None:
    source = inspect.getsource(get_user_info)
    for status in operation(document)["responses"]:
        assert f"response.status_code == {status}" in source


def test_the_token_stays_out_of_the_callers_headers_and_the_repr() -> None:
    headers = {"User-Agent": "app/1"}
    client = AuthenticatedClient(base_url="http://x", token="act.secret", headers=headers)
    assert client.get_httpx_client().headers["authorization"] == "Bearer act.secret"
    assert client.get_async_httpx_client().headers["authorization"] == "Bearer act.secret"
    assert headers == {"User-Agent": "app/1"}
    assert "act.secret" not in repr(client)
