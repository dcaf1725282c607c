"""The journal: what it keeps, how it redacts, how it filters."""

from __future__ import annotations

import time

import pytest

from mock_server.asgi import Scope
from mock_server.journal import REDACTED, Journal


def scope(path: str = "/v2/user/info/", query: bytes = b"", **headers: str) -> Scope:
    return {
        "method": "GET",
        "path": path,
        "query_string": query,
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


def test_it_keeps_the_last_requests_only() -> None:
    journal = Journal(size=3)
    for status in range(5):
        journal.record(
            scope(), journal.arrival(), status=status, log_id=None, operation="getUserInfo"
        )
    assert [r.status for r in journal.requests()] == [2, 3, 4]
    assert Journal(size=0).requests() == []


def test_a_request_answered_after_a_clearing_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal()
    monkeypatch.setattr(time, "time", lambda: 1_000_000_000.25)
    before, arrival = journal.arrival(), journal.arrival()
    journal.record(scope("/kept"), arrival, status=200, log_id=None, operation=None)
    journal.clear()
    journal.record(scope("/late"), before, status=200, log_id=None, operation=None)
    after = journal.arrival()
    monkeypatch.setattr(time, "time", lambda: 1_000_000_009.0)  # answered 9 s later
    journal.record(scope("/after"), after, status=200, log_id=None, operation=None)
    [kept] = journal.requests()
    assert (kept.path, kept.time) == ("/after", "2001-09-09T01:46:40.250Z")


def test_credentials_are_redacted_everywhere() -> None:
    journal = Journal()
    journal.record(
        scope(
            query=b"code=abc&state=s&Token=t&fields=open_id",
            authorization="Bearer act.secret",
            cookie="session=1",
            proxy_authorization="Basic xyz",
            prefer="code=429",
        ),
        journal.arrival(),
        status=200,
        log_id="L",
        operation=None,
        form={
            "client_secret": "s3",
            "client_key": "k",
            "refresh_token": "rft.x",
            "code_verifier": "v",
        },
    )
    (recorded,) = journal.requests()
    assert recorded.query == f"code={REDACTED}&state=s&Token={REDACTED}&fields=open_id"
    assert recorded.headers == {
        "authorization": f"Bearer {REDACTED}",
        "cookie": REDACTED,
        "proxy-authorization": f"Basic {REDACTED}",
        "prefer": "code=429",
    }
    assert recorded.form == {
        "client_secret": REDACTED,
        "client_key": "k",
        "refresh_token": REDACTED,
        "code_verifier": REDACTED,
    }
    assert all(
        secret not in repr(recorded) for secret in ("act.secret", "s3", "rft.x", "abc", "xyz")
    )


def test_a_header_given_twice_is_joined() -> None:
    journal = Journal()
    request = scope()
    request["headers"] = [
        (b"prefer", b"code=429"),
        (b"prefer", b"delay=5"),
        (b"authorization", b"act.x"),
    ]
    journal.record(request, journal.arrival(), status=400, log_id=None, operation=None)
    (recorded,) = journal.requests()
    assert recorded.headers == {"prefer": "code=429, delay=5", "authorization": REDACTED}


def test_filters_combine_and_limit_takes_the_last() -> None:
    journal = Journal()
    for path, status, operation in [
        ("/a", 200, "x"),
        ("/b", 401, "x"),
        ("/a", 401, "y"),
        ("/a", 401, "x"),
    ]:
        journal.record(
            scope(path), journal.arrival(), status=status, log_id=None, operation=operation
        )
    assert len(journal.requests(path="/a", status=401)) == 2
    assert [r.operation for r in journal.requests(status=401, limit=1)] == ["x"]
    assert journal.requests(limit=0) == []
    assert journal.requests(method="POST") == []
    journal.clear()
    assert journal.requests() == []
