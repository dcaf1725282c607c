"""The journal: what it keeps, how it redacts, how it filters."""

from __future__ import annotations

import time
from functools import partial

import pytest

from mock_server.asgi import Scope
from mock_server.journal import DEFAULT_SIZE, REDACTED, Journal
from tests.support.cost import bytecodes


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


def test_reading_the_last_few_costs_the_same_however_full_it_is() -> None:
    few, full = Journal(), Journal()
    for journal, count in ((few, 10), (full, DEFAULT_SIZE)):
        for n in range(count):
            journal.record(
                scope(query=f"code={n}".encode(), authorization="Bearer act.x"),
                journal.arrival(),
                status=200 + n % 2,
                log_id=None,
                operation="getUserInfo",
            )
    costs = [bytecodes(partial(journal.requests, limit=3))[1] for journal in (few, full)]
    assert costs[1] <= costs[0] * 1.25, costs
    assert [r.status for r in full.requests(limit=3)] == [201, 200, 201]
    assert [r.query for r in full.requests(status=200, limit=2)] == [f"code={REDACTED}"] * 2
    assert len(full.requests()) == DEFAULT_SIZE and full.requests(limit=0) == []


def test_it_keeps_no_more_bytes_than_its_bound() -> None:
    journal = Journal(size=100, max_bytes=1000)
    request = scope(path="/p", query=b"q" * 97, x_big="v" * 395)  # 2 + 97 + 5 + 396 = 500 bytes
    for status in range(4):
        journal.record(request, journal.arrival(), status=status, log_id=None, operation=None)
    assert [r.status for r in journal.requests()] == [2, 3]
    huge = scope(x_big="v" * 1000)
    journal.record(huge, journal.arrival(), status=9, log_id=None, operation=None)
    assert journal.requests() == []  # more than the bound: kept by nothing
    journal.record(request, journal.arrival(), status=5, log_id=None, operation=None)
    journal.clear()
    for status in range(2):
        journal.record(request, journal.arrival(), status=status, log_id=None, operation=None)
    assert [r.status for r in journal.requests()] == [0, 1]
    form = {"client_key": "k" * 485}  # 2 + 10 + 485 bytes
    journal.record(scope("/f"), journal.arrival(), status=7, log_id=None, operation=None, form=form)
    assert [r.status for r in journal.requests()] == [1, 7]
