"""The bodies of the mock's answers."""

from __future__ import annotations

import json

from mock_server.answers import Answer, json_bytes, ok_body
from mock_server.contract import ErrorReply

LOG_ID = "20220829194722CBE87ED59D524E727021"


def test_an_envelope_error() -> None:
    answer = Answer.error(ErrorReply(401, "access_token_invalid", 'A "quoted" message'), LOG_ID)
    assert (answer.status, answer.log_id, answer.content_type) == (401, LOG_ID, b"application/json")
    assert json.loads(answer.body) == {
        "data": {},
        "error": {
            "code": "access_token_invalid",
            "message": 'A "quoted" message',
            "log_id": LOG_ID,
        },
    }


def test_an_oauth_error() -> None:
    answer = Answer.error(ErrorReply(400, "invalid_grant", "Expired.", oauth=True), LOG_ID)
    assert json.loads(answer.body) == {
        "error": "invalid_grant",
        "error_description": "Expired.",
        "log_id": LOG_ID,
    }


def test_the_success_envelope_around_encoded_members() -> None:
    members = json_bytes({"display_name": "ผู้ใช้"})[1:-1]
    assert json.loads(ok_body(members, LOG_ID)) == {
        "data": {"user": {"display_name": "ผู้ใช้"}},
        "error": {"code": "ok", "message": "", "log_id": LOG_ID},
    }
    assert "ผู้ใช้".encode() in members  # UTF-8, not \\u escapes


def test_json_answers_keep_their_headers() -> None:
    answer = Answer.json(201, {"a": 1}, headers=((b"location", b"/x"),))
    assert (answer.status, answer.body, answer.log_id, answer.headers) == (
        201,
        b'{"a":1}',
        None,
        ((b"location", b"/x"),),
    )
