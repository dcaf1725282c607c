"""A bounded fuzz run of the request handling: any bytes in, a documented envelope out."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator

from mock_server.app import Message, MockApp
from mock_server.server import Options, create_app
from mock_server.spec import load_document

from seeds import EXAMPLE_TOKEN

APP = create_app(Options(rate_limit=5))
DOCUMENT = load_document()
ENVELOPE = DOCUMENT["components"]["schemas"]["UserInfoResponse"]
TOKENS = [EXAMPLE_TOKEN.encode(), b"act.mock.basic", b"act.mock.expired", b"x"]
FIELD_NAMES = [b"open_id", b"follower_count", b"bio_description", b"nickname", b"%2C", b"", b","]

methods = st.sampled_from(["GET", "POST", "HEAD", "DELETE"]) | st.text("ABCDEFGHIJ", min_size=1)
paths = st.sampled_from(["/v2/user/info/", "/", "/v2/user/info"]) | st.text(max_size=30)
queries = st.one_of(
    st.binary(max_size=120),
    st.lists(st.sampled_from(FIELD_NAMES), max_size=6).map(
        lambda names: b"fields=" + b",".join(names)
    ),
    st.lists(st.sampled_from([b"fields=open_id", b"fields=", b"x=1", b"fields"]), max_size=3).map(
        b"&".join
    ),
)
authorizations = st.one_of(
    st.sampled_from(TOKENS).map(lambda token: b"Bearer " + token),
    st.tuples(st.sampled_from([b"Bearer", b"bearer", b"Basic", b""]), st.binary(max_size=40)).map(
        b" ".join
    ),
    st.binary(max_size=60),
)
prefers = st.sampled_from(
    [b"code=429", b"error=internal_error", b"code=200", b"code=418", b"x=1"]
) | (st.binary(max_size=30).filter(lambda value: b"delay" not in value))
headers = st.lists(
    st.one_of(
        authorizations.map(lambda value: (b"authorization", value)),
        prefers.map(lambda value: (b"prefer", value)),
        st.tuples(st.binary(min_size=1, max_size=10), st.binary(max_size=30)),
    ),
    max_size=4,
)


def call(app: MockApp, scope: dict[str, Any], body: bytes = b"") -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


@settings(max_examples=600, derandomize=True, deadline=None)
@given(method=methods, path=paths, query=queries, header_list=headers)
def test_any_request_gets_a_documented_envelope(
    method: str, path: str, query: bytes, header_list: list[tuple[bytes, bytes]]
) -> None:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": header_list,
    }
    start, body = call(APP, scope)
    status = start["status"]
    forced = any(name == b"prefer" for name, _ in header_list)
    assert status in {200, 400, 401, 404, 405, 429} or (status == 500 and forced)
    envelope = json.loads(body["body"])
    assert not list(OAS30Validator(ENVELOPE).iter_errors(envelope))
    assert (b"x-tt-logid", envelope["error"]["log_id"].encode()) in start["headers"]
    assert (envelope["error"]["code"] == "ok") == (status == 200)


FORM_FIELDS = [b"client_key", b"client_secret", b"grant_type", b"code", b"refresh_token", b"token"]
FORM_VALUES = [b"mock_client_key", b"mock_client_secret", b"authorization_code", b"refresh_token"]
form_bodies = st.one_of(
    st.binary(max_size=200),
    st.lists(
        st.tuples(
            st.sampled_from(FORM_FIELDS), st.sampled_from(FORM_VALUES) | st.binary(max_size=20)
        ),
        max_size=6,
    ).map(lambda pairs: b"&".join(name + b"=" + value for name, value in pairs)),
)
content_types = st.sampled_from(
    [b"application/x-www-form-urlencoded", b"application/json", b"text/plain", b""]
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    path=st.sampled_from(["/v2/oauth/token/", "/v2/oauth/revoke/"]),
    body=form_bodies,
    content_type=content_types,
)
def test_any_form_gets_a_documented_oauth_answer(
    path: str, body: bytes, content_type: bytes
) -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"content-type", content_type)],
    }
    start, answer = call(APP, scope, body)
    documented = OPERATIONS[path]["responses"][str(start["status"])]
    schema = documented["content"]["application/json"]["schema"]
    assert not list(OAS30Validator(schema).iter_errors(json.loads(answer["body"])))


OPERATIONS = {path: item["post"] for path, item in DOCUMENT["paths"].items() if "post" in item}
