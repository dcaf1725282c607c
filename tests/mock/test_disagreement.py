"""What the mock would have answered, as far as it can know, against what came."""

from __future__ import annotations

import pytest

from mock_server.app import MockApp
from mock_server.disagreement import Verdict, disagreements, oauth_verdict, user_info_verdict
from mock_server.server import Options, create_app

APP: MockApp = create_app(Options())
INFO = APP.contract.operations["getUserInfo"]
TOKEN = APP.contract.operations["fetchAccessToken"]
BASIC = frozenset({"user.info.basic"})


@pytest.mark.parametrize(
    ("query", "scopes", "verdict"),
    [
        (b"fields=nickname", None, (400, "invalid_params", "fields parser")),
        (b"fields=open_id", None, "invalid_params"),
        (
            b"fields=open_id%2Cfollower_count",
            BASIC,
            (401, "scope_not_authorized", "scope check of the grant it saw"),
        ),
        (b"fields=open_id", BASIC, (200, "ok", "scope check of the grant it saw")),
    ],
)
def test_the_user_info_verdict(
    query: bytes, scopes: frozenset[str] | None, verdict: Verdict
) -> None:
    assert user_info_verdict(APP.user_info, query, scopes) == verdict


def test_the_oauth_verdict() -> None:
    bad = APP.bad_request(TOKEN, "Content-Type must be x")
    assert oauth_verdict(APP.oauth, TOKEN, "Content-Type must be x", bad) == (
        400, "invalid_request", "form checks")  # fmt: skip
    form = {"client_key": "k", "client_secret": "s", "grant_type": "authorization_code"}
    assert oauth_verdict(APP.oauth, TOKEN, form, bad) is None
    assert oauth_verdict(APP.oauth, TOKEN, {**form, "grant_type": "x"}, bad) == (
        400, "unsupported_grant_type", "form checks")  # fmt: skip


@pytest.mark.parametrize(
    ("verdict", "status", "code", "found"),
    [
        ((400, "invalid_params", "fields parser"), 200, "ok", True),
        ((400, "invalid_params", "fields parser"), 400, "invalid_params", False),
        ((400, "invalid_params", "fields parser"), 401, "access_token_invalid", False),
        ((400, "invalid_params", "fields parser"), 429, "rate_limit_exceeded", False),
        ((400, "invalid_params", "fields parser"), 503, None, False),
        ("invalid_params", 400, "invalid_params", True),
        ("invalid_params", 200, "ok", False),
        ((400, "unsupported_grant_type", "form checks"), 200, None, True),
        (None, 200, "ok", False),
    ],
)
def test_what_is_compared(verdict: Verdict, status: int, code: str | None, found: bool) -> None:
    assert bool(disagreements(INFO, verdict, status, code)) is found
