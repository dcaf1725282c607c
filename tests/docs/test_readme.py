"""The Python examples of the README and the documentation pages run as written, and pass
mypy strict."""

from __future__ import annotations

import json
import logging
import re
import runpy
import sys
import time
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from mypy import api as mypy_api

from mock_server.bodies import MAX_JSON_DEPTH
from mock_server.contract import Contract
from mock_server.fixtures import longest_token
from mock_server.journal import DEFAULT_BYTES, DEFAULT_SIZE
from mock_server.oauth import CODE_TTL, REFRESH_TTL
from mock_server.pytest_plugin import TikTokMock
from mock_server.scenarios import MAX_SCENARIOS
from mock_server.server import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS
from mock_server.spec import response_examples
from mock_server.store import MAX_ISSUED
from tests.support.growth import ADDED, ISSUED
from tests.support.pages import ALL_BLOCKS, BLOCKS, TEST_FILES, after, everything
from tests.support.seeds import EXAMPLE_TOKEN
from tests.support.specs import operation
from tiktok_user_info_client import Client, Retries, Tokens, errors, exchange_code

PRODUCTION = {
    heading: block
    for heading, block in ALL_BLOCKS
    if heading in ("Timeouts and retries", "Errors", "Logging a user in", "Keeping tokens fresh")
}
"""The examples of "Production use", one under each of its headings, run against the mock."""


@pytest.fixture
def tiktok(monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]) -> list[httpx.Request]:
    """Route every httpx transport to a stand-in for TikTok answering the spec's example user."""
    examples = {e.name: e.value for e in response_examples(operation(document))}
    user = {**examples["ok_with_stats"]["data"]["user"], "username": "example.user"}
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        fields = request.url.params["fields"].split(",")
        body = {**examples["ok"], "data": {"user": {name: user[name] for name in fields}}}
        return httpx.Response(200, json=body)

    async def answer_async(_: Any, request: httpx.Request) -> httpx.Response:
        return answer(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", lambda _, request: answer(request))
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", answer_async)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", EXAMPLE_TOKEN)
    return seen


def test_the_pages_have_a_sync_and_an_async_example() -> None:
    assert len(BLOCKS) == 2
    assert "asyncio.run" in BLOCKS[1] and "asyncio" not in BLOCKS[0]


def test_every_python_block_is_run_by_a_test() -> None:
    assert len(PRODUCTION) == 4
    assert len(ALL_BLOCKS) == len(BLOCKS) + len(TEST_FILES) + len(PRODUCTION)


@pytest.mark.parametrize("block", BLOCKS, ids=["sync", "async"])
def test_example_runs(
    block: str,
    tiktok: list[httpx.Request],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = tmp_path / "example.py"
    script.write_text(block, encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")
    (request,) = tiktok
    assert request.url.host == "open.tiktokapis.com"
    assert request.headers["authorization"] == f"Bearer {EXAMPLE_TOKEN}"
    out = capsys.readouterr().out
    if "asyncio.run" not in block:
        assert request.url.raw_path == b"/v2/user/info/?fields=open_id,display_name,follower_count"
        assert out == "['user.info.basic', 'user.info.stats']\nUser Name 100\n"
    else:
        assert out == "example.user\n"


def test_examples_pass_mypy_strict(tmp_path: Path) -> None:
    paths = []
    for number, block in enumerate([*BLOCKS, *PRODUCTION.values()]):
        path = tmp_path / f"example_{number}.py"
        path.write_text(block, encoding="utf-8")
        paths.append(str(path))
    limit = sys.getrecursionlimit()
    try:
        out, err, status = mypy_api.run(["--strict", "--no-incremental", *paths])
    finally:  # mypy raises the limit for the whole process: the next tests get Python's own
        sys.setrecursionlimit(limit)
    assert status == 0, out + err


def test_the_default_tokens_table_is_the_fixtures(document: dict[str, Any]) -> None:
    from mock_server.contract import Contract
    from mock_server.fixtures import load_fixtures

    table = after("### Default tokens").split("\n\n")[2]
    rows = {}
    for line in table.splitlines()[2:]:
        token, _user, scopes = (cell.strip() for cell in line.strip("|").split("|"))
        rows[token.strip("`")] = scopes
    grants = load_fixtures(Contract.from_document(document)).grants
    assert set(rows) == set(grants)
    for token, grant in grants.items():
        if grant.expired:
            assert rows[token].startswith("expired")
        else:
            assert rows[token] == " ".join(f"`{scope}`" for scope in sorted(grant.scopes))


def test_the_fixtures_example_loads(document: dict[str, Any], tmp_path: Path) -> None:
    from mock_server.contract import Contract
    from mock_server.fixtures import load_fixtures

    (example,) = re.findall(r"```yaml\n(users:.*?)```", everything(), re.S)
    path = tmp_path / "fixtures.yaml"
    path.write_text(example, encoding="utf-8")
    grants = load_fixtures(Contract.from_document(document), path).grants
    assert grants["act.alice.token"].user["display_name"] == "Alice"


# "Production use", against the pytest plugin's mock standing in for TikTok.

KEY, SECRET = "mock_client_key", "mock_client_secret"


@pytest.fixture
def tiktok_is_the_mock(monkeypatch: pytest.MonkeyPatch, tiktok_mock: TikTokMock) -> TikTokMock:
    """Send every request for TikTok's hosts to the mock instead."""
    mock = httpx.URL(tiktok_mock.url)
    sync_send, async_send = (
        httpx.HTTPTransport.handle_request,
        httpx.AsyncHTTPTransport.handle_async_request,
    )

    def to_mock(request: httpx.Request) -> httpx.Request:
        if request.url.host in ("open.tiktokapis.com", "www.tiktok.com"):
            request.url = request.url.copy_with(scheme="http", host=mock.host, port=mock.port)
        return request

    def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        return sync_send(self, to_mock(request))

    async def handle_async(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        return await async_send(self, to_mock(request))

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async)
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", EXAMPLE_TOKEN)
    monkeypatch.setenv("TIKTOK_CLIENT_KEY", KEY)
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", SECRET)
    return tiktok_mock


def run(block: str, tmp_path: Path) -> dict[str, Any]:
    script = tmp_path / "example.py"
    script.write_text(block, encoding="utf-8")
    return runpy.run_path(str(script), run_name="__main__")


def test_timeouts_and_retries(
    tiktok_is_the_mock: TikTokMock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tiktok_is_the_mock.add_scenario("getUserInfo", error="internal_error")
    with caplog.at_level(logging.INFO, logger="tiktok_user_info_client.retries"):
        done = run(PRODUCTION["Timeouts and retries"], tmp_path)
    assert done["profile"].data.user.display_name == "User Name"
    assert done["quick"].data.user.open_id is not None
    client = done["client"]
    assert client.retries == Retries(max_retries=4, max_delay=2.0)
    assert client.get_httpx_client().timeout == httpx.Timeout(10.0, connect=3.0)
    assert [r.status for r in tiktok_is_the_mock.requests] == [500, 200, 200]
    (retry,) = caplog.messages
    assert (
        retry.startswith("GET /v2/user/info/ failed (HTTP 500, log_id ") and "retry 1 of 4" in retry
    )


@pytest.mark.parametrize(
    ("token", "scenario", "said"),
    [
        ("act.mock.basic", {}, "ask the user to grant user.info.stats\n"),
        ("act.mock.expired", {}, "log the user in again\n"),
        (
            EXAMPLE_TOKEN,
            {"error": "rate_limit_exceeded", "times": 3},
            "TikTok: rate_limit_exceeded",
        ),
        (EXAMPLE_TOKEN, {"fault": "html", "times": 3}, "HTTP 502 (log_id None)"),
    ],
    ids=["scope", "expired", "tiktok-error", "proxy-page"],
)
def test_errors(
    tiktok_is_the_mock: TikTokMock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    token: str,
    scenario: dict[str, Any],
    said: str,
) -> None:
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", token)
    if scenario:
        tiktok_is_the_mock.add_scenario("getUserInfo", **scenario)
    with caplog.at_level(logging.ERROR, logger="app"):
        run(PRODUCTION["Errors"], tmp_path)
    out = capsys.readouterr().out
    assert (out if said.endswith("\n") else caplog.text).count(said) == 1


def test_logging_a_user_in(tiktok_is_the_mock: TikTokMock, tmp_path: Path) -> None:
    done = run(PRODUCTION["Logging a user in"], tmp_path)
    session: dict[str, str] = {}
    url = done["start_login"](session)
    assert url.startswith("https://www.tiktok.com/v2/auth/authorize/?client_key=mock_client_key&")
    assert set(session) == {"state", "code_verifier"}
    for tampered in (True, False):  # the mock checks the verifier
        attempt = dict(session, code_verifier="x" * 43) if tampered else session
        consented = httpx.get(url)  # what the browser does: the page redirects back
        assert consented.status_code == 302
        if tampered:
            with pytest.raises(errors.InvalidGrant):
                done["finish_login"](attempt, consented.headers["location"])
        else:
            tokens = done["finish_login"](attempt, consented.headers["location"])
    assert isinstance(tokens, Tokens) and tokens.scope == "user.info.basic,user.info.stats"
    assert session == {}


def test_keeping_tokens_fresh(
    tiktok_is_the_mock: TikTokMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Client(base_url=tiktok_is_the_mock.url, httpx_args={"trust_env": False}) as oauth:
        issued = exchange_code(
            oauth,
            client_key=KEY,
            client_secret=SECRET,
            code="code.example",
            redirect_uri="https://app",
        )
    store = tmp_path / "tokens.json"
    store.write_text(json.dumps(attrs.asdict(attrs.evolve(issued, expires_at=0.0))))
    monkeypatch.setenv("TOKENS_FILE", str(store))
    done = run(PRODUCTION["Keeping tokens fresh"], tmp_path)
    assert done["reply"].data.user.display_name == "User Name"
    stored = Tokens(**json.loads(store.read_text()))
    assert stored == done["manager"].tokens
    assert stored.refresh_token != issued.refresh_token and stored.expires_at > time.time()
    grants = [r.form["grant_type"] for r in tiktok_is_the_mock.requests if r.form]
    assert grants == ["authorization_code", "refresh_token"]


def test_the_limits_it_states_are_the_specs(document: dict[str, Any]) -> None:
    text = " ".join(everything().split())
    stated = re.search(
        r"at most (\d+) names in `fields`, at most (\d+) characters in each form string, "
        r"a `code_verifier` of (\d+) to (\d+) URL-safe characters",
        text,
    )
    assert stated is not None
    fields = next(p for p in operation(document)["parameters"] if p["name"] == "fields")
    schemas = document["components"]["schemas"]
    form = {**schemas["TokenRequest"]["properties"], **schemas["RevokeRequest"]["properties"]}
    verifier = form.pop("code_verifier")
    strings = [s for s in form.values() if s.get("type") == "string" and "enum" not in s]
    assert {s["maxLength"] for s in strings} == {int(stated[2])}
    assert (fields["schema"]["maxItems"], verifier["minLength"], verifier["maxLength"]) == (
        int(stated[1]),
        int(stated[3]),
        int(stated[4]),
    )


def test_the_bounds_it_states_are_the_codes(document: dict[str, Any]) -> None:
    """Each number of the docs' bullet on bounded state is the constant the code uses;
    the behaviour of each is tested where it lives (test_store, test_scenarios,
    test_journal, test_bodies and test_admin, test_server, test_growth)."""
    text = " ".join(after("What clients can make the mock hold is bounded").split())
    stated = re.search(
        r"with (\S+) tokens, (\S+) scenarios and a full journal.*?"
        r"a code (\d+) minutes after it was issued, a refresh token after (\d+) days.*?"
        r"past (\S+) of each kind.*?more than (\d+) MB.*?"
        r"at most (\S+) are queued; .*?"
        r"the last (\S+) requests and at most (\d+) MiB of them.*?"
        r"nested more than (\d+) deep.*?at most (\d+) characters.*?"
        r"each worker serves (\d+) connections at once.*?no request head for (\d+) s",
        text,
    )
    assert stated is not None
    numbers = [int(group.replace(",", "")) for group in stated.groups()]
    assert numbers == [
        ADDED,
        ISSUED,
        CODE_TTL / 60,
        REFRESH_TTL / 86_400,
        MAX_ISSUED,
        200,  # test_store.test_all_that_is_issued_stays_under_200_mb
        MAX_SCENARIOS,
        DEFAULT_SIZE,
        DEFAULT_BYTES / 2**20,
        MAX_JSON_DEPTH,
        longest_token(Contract.from_document(document)),
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_IDLE_TIMEOUT,
    ]
    assert (
        "(`--journal-size`, `--journal-bytes`)" in text
        and "(`--max-connections`)" in text
        and "(`--idle-timeout`)" in text
    )
    rows = {row.split(" | ")[0]: row for row in re.findall(r"^\| `--[^\n]+", everything(), re.M)}
    assert (
        f"{DEFAULT_BYTES} ({DEFAULT_BYTES // 2**20} MiB) by default"
        in rows["| `--journal-bytes N`"]
    )
    assert f"{DEFAULT_MAX_CONNECTIONS} by default" in rows["| `--max-connections N`"]
    assert f"{DEFAULT_IDLE_TIMEOUT:g} by default" in rows["| `--idle-timeout SECONDS`"]
    queued = f"at most {MAX_SCENARIOS:,} are queued at once: 409 `too_many_scenarios`"
    assert queued in after("| endpoint | what it does |")
