"""The spec's verdict on an exchange, without the values that failed it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.conformance import json_type, request_findings, response_findings
from mock_server.contract import Contract, ErrorReply
from mock_server.spec import load_document
from tests.support.strategies import from_schema

CONTRACT = Contract.from_document(load_document())
INFO = CONTRACT.operations["getUserInfo"]
TOKEN = CONTRACT.operations["fetchAccessToken"]
HEADERS = [(b"x-tt-logid", b"20221129194722CBE87ED59D524E727021")]


def body(**error: str) -> bytes:
    return json.dumps(
        {"data": {}, "error": {"message": "", "log_id": HEADERS[0][1].decode(), **error}}
    ).encode()


def checks(status: int, payload: bytes, headers: list[tuple[bytes, bytes]] = HEADERS) -> list[str]:
    return [f.check for f in response_findings(CONTRACT, INFO, status, headers, payload)]


def test_a_valid_answer_has_no_finding() -> None:
    assert checks(401, body(code="access_token_invalid")) == []


def test_a_schema_error_names_where_and_the_keyword_not_the_value() -> None:
    (finding,) = response_findings(CONTRACT, INFO, 200, HEADERS, b'{"data": {}, "error": {}}')
    assert finding.check == "body['error']"
    assert finding.expected == "required code, message, log_id"
    payload = json.dumps(
        {
            "data": {"user": {"follower_count": "secret-value"}},
            "error": {"code": "ok", "message": "", "log_id": "x"},
        }
    ).encode()
    found = response_findings(CONTRACT, INFO, 200, HEADERS, payload)
    assert "secret-value" not in repr(found)
    assert {f.expected for f in found} >= {"type integer"}


def test_a_documented_code_at_another_status_is_drift() -> None:
    (finding,) = response_findings(CONTRACT, INFO, 200, HEADERS, body(code="invalid_params"))
    assert (finding.kind, finding.check, finding.expected) == (
        "drift",
        "status of invalid_params",
        "400",
    )


def test_an_undocumented_code_that_is_not_a_name_is_described() -> None:
    (finding,) = response_findings(CONTRACT, INFO, 400, HEADERS, body(code="a secret value!"))
    assert finding.actual == "a name that is not a plain identifier"


def test_an_oauth_error_code_is_read_from_oauths_shape() -> None:
    payload = json.dumps(
        {"error": "new_oauth_code", "error_description": "", "log_id": HEADERS[0][1].decode()}
    ).encode()
    (finding,) = response_findings(CONTRACT, TOKEN, 400, HEADERS, payload)
    assert (finding.check, finding.actual) == ("error code", "new_oauth_code")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "boolean"),
        (1, "integer"),
        (1.5, "number"),
        ("s", "string"),
        (None, "null"),
        ([], "array"),
        ({}, "object"),
    ],
)
def test_json_types(value: object, expected: str) -> None:
    assert json_type(value) == expected


def test_request_findings() -> None:
    problem = ErrorReply(400, "invalid_params", "Fields lists at most 14 names")
    found = request_findings(INFO, [], problem, None)
    assert [(f.check, f.actual) for f in found] == [
        ("request Authorization", "none"),
        ("request fields", "Fields lists at most 14 names"),
    ]
    assert [f.actual for f in request_findings(TOKEN, [], None, "Content-Type must be x")] == [
        "Content-Type must be x"
    ]
    form = {"client_key": "k", "client_secret": "s", "grant_type": "authorization_code"}
    assert request_findings(TOKEN, [], None, form) == []


def test_a_body_the_schema_admits_is_no_violation() -> None:
    """Checked on every body the response schema admits; the run must meet bodies with a
    user, not only empty envelopes."""
    seen: list[dict[str, Any]] = []

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=from_schema(dict(INFO.responses[200].schema)))
    def check(body: dict[str, Any]) -> None:
        found = response_findings(CONTRACT, INFO, 200, HEADERS, json.dumps(body).encode())
        assert [f for f in found if f.kind == "violation"] == []
        seen.append(body)

    check()
    users = [b for b in seen if isinstance(b.get("data"), dict) and b["data"].get("user")]
    assert len(seen) >= 100 and len(users) >= 20


@settings(max_examples=300, deadline=None)
@given(status=st.sampled_from([200, 400, 401, 418, 429, 500]), body=st.binary(max_size=200))
def test_any_answer_is_checked_and_never_raises(status: int, body: bytes) -> None:
    found = response_findings(CONTRACT, INFO, status, [], body)
    assert found, "no header, so at least the missing x-tt-logid or the status is found"
