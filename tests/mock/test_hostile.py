"""Malformed and hostile requests over a real socket: each gets its answer, never a 5xx.

Where the request is not valid HTTP (or breaks the HTTP server's own limits), granian
answers with its own 4xx and an empty body; everything else reaches the mock and gets a
TikTok envelope. After every case the mock must still answer a normal request.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from mock_server.bodies import MAX_JSON_DEPTH
from mock_server.process import running_mock
from tests.support.rawhttp import build, exchange
from tests.support.seeds import EXAMPLE_TOKEN as TOKEN
from tests.support.waiting import until

INFO = "/v2/user/info/"
OK = (200, "ok")
TOKEN_INVALID = (401, "access_token_invalid")
INVALID_PARAMS = (400, "invalid_params")
SERVER_400 = (400, None)
"""granian's own answer to bytes that are not an HTTP request: 400, empty body."""
AUTH = f"Authorization: Bearer {TOKEN}\r\n".encode()


def raw(request_line: bytes, *headers: bytes) -> bytes:
    return request_line + b"\r\nHost: 127.0.0.1\r\n" + b"".join(headers) + b"\r\n"


CASES: dict[str, tuple[bytes, tuple[int, str | None]]] = {
    # The query
    "query of 60 KB reaches the mock": (build(INFO + "?fields=" + "a" * 60_000), INVALID_PARAMS),
    "query of 64 KB": (build(INFO + "?fields=" + "a" * 65_536), (414, None)),
    "query of 200 KB": (build(INFO + "?fields=" + "a" * 200_000), (414, None)),
    "10,000 unknown field names": (
        build(INFO + "?fields=" + ",".join(f"f{n}" for n in range(10_000))),
        INVALID_PARAMS,
    ),
    "7,000 repeats of a known field (56 KB)": (
        build(INFO + "?fields=" + ",".join(["open_id"] * 7_000)),
        INVALID_PARAMS,
    ),
    "invalid percent-encoding": (build(INFO + "?fields=open%ZZid"), INVALID_PARAMS),
    "a lone percent sign": (build(INFO + "?fields=%"), INVALID_PARAMS),
    "percent-encoded non-UTF-8": (build(INFO + "?fields=%FF%FE"), INVALID_PARAMS),
    "raw non-UTF-8 bytes in the query": (
        raw(b"GET " + INFO.encode() + b"?fields=\xff\xfe HTTP/1.1", AUTH),
        SERVER_400,
    ),
    "a NUL byte in the target": (
        raw(b"GET " + INFO.encode() + b"?fields=open\x00id HTTP/1.1", AUTH),
        SERVER_400,
    ),
    "a space in the target": (
        raw(b"GET " + INFO.encode() + b"?fields=open id HTTP/1.1", AUTH),
        SERVER_400,
    ),
    "fields given twice": (build(INFO + "?fields=open_id&fields=union_id"), INVALID_PARAMS),
    "fields with percent-encoded commas": (build(INFO + "?fields=open_id%2Cunion_id"), OK),
    "fields empty": (build(INFO + "?fields="), INVALID_PARAMS),
    "fields only commas": (build(INFO + "?fields=,,,"), INVALID_PARAMS),
    "fields missing, other parameters given": (build(INFO + "?field=open_id&x=1"), INVALID_PARAMS),
    "a thousand parameters": (
        build(INFO + "?" + "&".join(f"p{n}=v" for n in range(1000))),
        INVALID_PARAMS,
    ),
    "a field name with emoji": (build(INFO + "?fields=%F0%9F%98%80"), INVALID_PARAMS),
    # The Authorization header
    "no Authorization header": (build(authorization=None), TOKEN_INVALID),
    "an empty Authorization header": (build(authorization=""), TOKEN_INVALID),
    "an empty Bearer": (build(authorization="Bearer"), TOKEN_INVALID),
    "Bearer and a space": (build(authorization="Bearer "), TOKEN_INVALID),
    "bearer in lowercase": (build(authorization=f"bearer {TOKEN}"), OK),
    "BEARER in uppercase": (build(authorization=f"BEARER {TOKEN}"), OK),
    "Basic credentials": (build(authorization="Basic dXNlcjpwYXNz"), TOKEN_INVALID),
    "a token with a space": (build(authorization="Bearer act.mock basic"), TOKEN_INVALID),
    "a token with a tab": (build(authorization="Bearer act.mock\tbasic"), TOKEN_INVALID),
    "a token with a control character": (
        build(authorization="Bearer act.mock\x01basic"),
        SERVER_400,
    ),
    "a token with non-UTF-8 bytes": (
        raw(
            b"GET " + INFO.encode() + b"?fields=open_id HTTP/1.1",
            b"Authorization: Bearer \xff\xfe\r\n",
        ),
        TOKEN_INVALID,
    ),
    "an Authorization header of 16 KB": (
        build(authorization="Bearer " + "a" * 16_384),
        TOKEN_INVALID,
    ),
    "two Authorization headers": (
        build(headers=[("Authorization", "Bearer act.mock.basic")]),
        TOKEN_INVALID,
    ),
    "the token as a query parameter": (
        build(INFO + f"?fields=open_id&access_token={TOKEN}", authorization=None),
        TOKEN_INVALID,
    ),
    # Other headers and framing
    "CR inside a header value": (
        raw(b"GET " + INFO.encode() + b"?fields=open_id HTTP/1.1", b"X-A: a\rb\r\n", AUTH),
        SERVER_400,
    ),
    "CRLF injected into a header value": (
        raw(
            b"GET " + INFO.encode() + b"?fields=open_id HTTP/1.1",
            b"X-A: a\r\nInjected: b\r\n",
            AUTH,
        ),
        OK,
    ),
    "a header line without a colon": (
        raw(b"GET " + INFO.encode() + b"?fields=open_id HTTP/1.1", b"NoColon\r\n", AUTH),
        SERVER_400,
    ),
    "non-UTF-8 bytes in another header": (
        raw(b"GET " + INFO.encode() + b"?fields=open_id HTTP/1.1", b"X-Thing: \xff\xfe\r\n", AUTH),
        OK,
    ),
    "500 headers": (build(headers=[(f"X-H{n}", "v") for n in range(500)]), (431, None)),
    "an invalid Content-Length": (build(headers=[("Content-Length", "abc")]), SERVER_400),
    "a GET with a body": (build(headers=[("Content-Length", "5")]) + b"hello", OK),
    "a chunked GET": (build(headers=[("Transfer-Encoding", "chunked")]) + b"0\r\n\r\n", OK),
    "an unknown Prefer": (build(headers=[("Prefer", "dealy=100")]), INVALID_PARAMS),
    "Prefer forcing an undocumented status": (
        build(headers=[("Prefer", "code=418")]),
        INVALID_PARAMS,
    ),
    # Protocol versions and request lines
    "HTTP/1.0": (build(version="HTTP/1.0"), OK),
    "HTTP/0.9": (b"GET " + INFO.encode() + b"?fields=open_id\r\n\r\n", SERVER_400),
    "bare LF line endings": (build().replace(b"\r\n", b"\n"), OK),
    "an absolute URI": (build("http://127.0.0.1" + INFO + "?fields=open_id"), OK),
    "a TLS handshake": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 50, SERVER_400),
    "not a request line": (b"FOO BAR BAZ\r\n\r\n", SERVER_400),
    # Methods and paths
    **{
        f"{method}": (build(method=method), (405, "method_not_allowed"))
        for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND")
    },
    "HEAD": (build(method="HEAD"), (405, None)),
    "the path without its slash": (build("/v2/user/info?fields=open_id"), (404, "not_found")),
    "a path with dot segments": (
        build("/v2/user/../user/info/?fields=open_id"),
        (404, "not_found"),
    ),
    "the path in capitals": (build("/V2/USER/INFO/?fields=open_id"), (404, "not_found")),
    "OPTIONS *": (build("*", method="OPTIONS"), (404, "not_found")),
}


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with running_mock("--rate-limit", "0") as mock:
        yield int(mock.url.rsplit(":", 1)[1])


def assert_still_serving(port: int) -> None:
    (response,) = exchange(port, build())
    assert response.status == 200


def test_the_suite_has_at_least_40_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES)
def test_hostile_request(port: int, name: str) -> None:
    data, (status, code) = CASES[name]
    responses = exchange(port, data, bodyless=name == "HEAD")
    assert responses, "no answer"
    response = responses[0]
    assert response.status == status
    if code is None:
        if status != 405:  # HEAD: an envelope's headers, no body
            assert response.body == b""
    else:
        body = json.loads(response.body)
        assert body["error"]["code"] == code
        assert response.headers["x-tt-logid"] == body["error"]["log_id"]
    assert_still_serving(port)


def test_pipelined_requests_are_answered_in_order(port: int) -> None:
    requests = [
        build(INFO + "?fields=open_id"),
        build(INFO + "?fields=nickname"),
        build(authorization=None),
        build(INFO + "?fields=display_name"),
    ]
    responses = exchange(port, b"".join(requests), expect=4)
    assert [r.status for r in responses] == [200, 400, 401, 200]
    assert json.loads(responses[3].body)["data"]["user"] == {"display_name": "User Name"}


def test_a_client_that_disconnects_mid_request(port: int) -> None:
    for partial in (
        b"GET /v2/user/in",
        build()[:-10],
        build(headers=[("Content-Length", "100")]) + b"abc",
    ):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(partial)
    assert_still_serving(port)


def test_a_client_that_leaves_before_a_delayed_answer(port: int) -> None:
    admin = f"http://127.0.0.1:{port}/__mock/"

    def answered() -> int:
        return len(httpx.get(admin + "requests", params={"status": "200"}).json()["requests"])

    before = answered()
    scenario = {"operation": "getUserInfo", "delay_ms": 200}
    httpx.post(admin + "scenarios", json=scenario).raise_for_status()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(build())
        # The request took the scenario as it arrived: it is in its delay; the client leaves.
        until(lambda: httpx.get(admin + "scenarios").json()["scenarios"] == [])
    until(lambda: answered() > before)  # the answer went out to no one
    assert_still_serving(port)


def test_many_connections_at_once(port: int) -> None:
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
    try:
        for sock in sockets:
            sock.sendall(b"GET / HTTP/1.1\r\n")  # never finished
        assert_still_serving(port)
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.parametrize("route", ["tokens", "scenarios"])
def test_an_admin_body_nested_deep_is_refused(port: int, route: str) -> None:
    """Each JSON body nested deeper than the admin API reads gets a 400, however deep: around
    Python's recursion limit (1000 frames), where the depth the parser allows and the depth
    a check can reach part, as well as far above it."""
    refused = {
        "error": "invalid_request",
        "message": f"The request body nests arrays and objects more than {MAX_JSON_DEPTH} deep",
    }
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/__mock/") as client:
        for depth in [MAX_JSON_DEPTH + 1, *range(900, 1001), 5_000, 30_000]:
            nested = "[" * depth + "]" * depth
            for body in [
                '{"token": "act.deep", "user": ' + '{"a": ' * depth + "1" + "}" * (depth + 1),
                '{"token": ' + nested + ', "user": {"open_id": "a"}}',
                '{"operation": "getUserInfo", "fault": ' + nested + "}",
            ]:
                response = client.post(
                    route, content=body, headers={"content-type": "application/json"}
                )
                assert (response.status_code, response.json()) == (400, refused), depth
    assert_still_serving(port)
