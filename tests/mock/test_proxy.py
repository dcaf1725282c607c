"""`tiktok-mock --proxy`, run as a user runs it, in front of an upstream stand-in that drifts
from the spec in each way the proxy must report: over HTTP, and over HTTPS with a private CA."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import trustme

from mock_server.corpus import Recorder
from mock_server.embedded import serving
from mock_server.process import free_port, running_mock
from mock_server.proxy import Proxy
from mock_server.server import Options, create_app
from tests.support.standin import ANSWERS, LOG_ID, TOKEN_ANSWER, USER, StandIn, stand_in

INFO = "/v2/user/info/"
TOKEN = "act.AppSecretToken0000000000000000000000"
SECRETS = [
    TOKEN,
    "client-secret-value-0001",
    "code-value-0001",
    "verifier" * 6,
    TOKEN_ANSWER["access_token"],
    TOKEN_ANSWER["refresh_token"],
]
EXCHANGE = {
    "client_key": "key",
    "client_secret": SECRETS[1],
    "grant_type": "authorization_code",
    "code": SECRETS[2],
    "redirect_uri": "https://app.example/callback",
}
PERSONAL = [str(value) for value in USER.values() if isinstance(value, str)]


@pytest.fixture(scope="module")
def upstream() -> Iterator[StandIn]:
    with stand_in() as served:
        yield served


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus") / "exchanges.ndjson"


@pytest.fixture(scope="module")
def proxy(upstream: StandIn, corpus: Path) -> Iterator[str]:
    """The proxy served from a thread of this process, as the plugin serves the mock (the
    command line's proxy is tested below)."""
    recorder = Recorder(corpus)
    served = Proxy(create_app(Options()), upstream.url, timeout=1, recorder=recorder)
    with serving(served) as url:
        yield url


@pytest.fixture
def client(proxy: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proxy, timeout=10) as http:
        http.post("/__mock/reset").raise_for_status()
        yield http


def get(client: httpx.Client, mode: str, query: str = "fields=open_id") -> httpx.Response:
    url = httpx.URL(client.base_url).copy_with(raw_path=f"{INFO}?{query}".encode())
    headers = {"x-stand-in": mode, "authorization": f"Bearer {TOKEN}"}
    return client.get(url, headers=headers)


def findings(client: httpx.Client) -> list[tuple[str, str]]:
    body = client.get("/__mock/findings").json()
    return [(finding["kind"], finding["check"]) for finding in body["findings"]]


def test_the_app_gets_the_upstreams_bytes_and_the_upstream_the_apps(
    client: httpx.Client, upstream: StandIn
) -> None:
    response = get(client, "ok", "fields=open_id%2Cunion_id,display_name")
    status, _, body = ANSWERS["ok"]
    assert (response.status_code, response.content) == (status, body)
    assert response.headers["x-upstream"] == "kept" and response.headers["x-tt-logid"] == LOG_ID
    received = upstream.received[-1]
    assert received.target == b"/v2/user/info/?fields=open_id%2Cunion_id,display_name"
    assert received.headers["authorization"] == f"Bearer {TOKEN}"
    assert received.headers["host"] == upstream.url.removeprefix("http://")
    assert findings(client) == []


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("extra-field", [("drift", "User field")]),
        ("unknown-code", [("drift", "error code")]),
        ("no-header", [("violation", "header x-tt-logid")]),
        ("html-200", [("violation", "body")]),
        ("teapot", [("violation", "status")]),
        (
            "bad-log-id",
            [("violation", "header x-tt-logid"), ("violation", "body['error']['log_id']")],
        ),
    ],
)
def test_each_drift_gives_exactly_its_finding(
    client: httpx.Client, mode: str, expected: list[tuple[str, str]]
) -> None:
    response = get(client, mode)
    assert (response.status_code, response.content) == (ANSWERS[mode][0], ANSWERS[mode][2])
    assert findings(client) == expected
    (entry,) = client.get("/__mock/requests").json()["requests"]
    assert [(f["kind"], f["check"]) for f in entry["findings"]] == expected
    assert entry["status"] == ANSWERS[mode][0] and entry["operation"] == "getUserInfo"


def test_what_each_finding_says(client: httpx.Client) -> None:
    get(client, "unknown-code")
    get(client, "extra-field")
    body = client.get("/__mock/findings").json()
    code, field = body["findings"]
    assert code == {
        "kind": "drift",
        "operation": "getUserInfo",
        "check": "error code",
        "expected": "a documented code",
        "actual": "brand_new_code",
        "log_id": LOG_ID,
    }
    assert (field["actual"], field["expected"]) == ("nickname", "a field of User")
    assert body["counts"] == {"violation": 0, "drift": 2, "disagreement": 0, "upstream": 0}


def test_a_slow_upstream_is_a_504_and_a_finding(client: httpx.Client, upstream: StandIn) -> None:
    response = get(client, "slow")
    assert response.status_code == 504
    message = f"{upstream.url} did not answer within 1 s"
    assert response.json() == {"error": "gateway_timeout", "message": message}
    assert findings(client) == [("upstream", "timeout")]


def test_a_reset_connection_is_a_502_and_a_finding(client: httpx.Client, upstream: StandIn) -> None:
    response = get(client, "reset")
    assert response.status_code == 502
    assert response.json()["error"] == "bad_gateway"
    assert response.json()["message"].startswith(f"{upstream.url} closed the connection")
    assert findings(client) == [("upstream", "connection")]


def test_the_mock_disagreeing_on_fields_is_a_disagreement(client: httpx.Client) -> None:
    """An upstream that answers 200 to a name the mock refuses: the request breaks the spec,
    and the mock would have answered otherwise."""
    get(client, "ok", "fields=open_id,nickname")
    body = client.get("/__mock/findings").json()["findings"]
    assert [(f["kind"], f["check"]) for f in body] == [
        ("violation", "request fields"),
        ("disagreement", "answer"),
    ]
    assert body[1]["expected"] == "400 invalid_params (the mock's fields parser)"
    assert body[1]["actual"] == "200 ok"


def test_a_grant_seen_in_a_token_response_decides_the_scope_verdict(
    client: httpx.Client, upstream: StandIn
) -> None:
    answered = client.post("/v2/oauth/token/", data=EXCHANGE, headers={"x-stand-in": "token"})
    assert answered.json() == TOKEN_ANSWER
    assert upstream.received[-1].body == urlencode(EXCHANGE).encode()
    issued = {"authorization": f"Bearer {TOKEN_ANSWER['access_token']}"}
    url = f"{INFO}?fields=open_id,follower_count"
    client.get(url, headers={**issued, "x-stand-in": "ok"})  # TikTok would refuse: stats
    client.get(url, headers={**issued, "x-stand-in": "scope-refused"})  # as the mock would
    client.get(url, headers={"authorization": f"Bearer {TOKEN}", "x-stand-in": "ok"})  # unseen
    found = client.get("/__mock/findings").json()["findings"]
    assert [(f["kind"], f["expected"], f["actual"]) for f in found] == [
        ("disagreement", "401 scope_not_authorized (the mock's scope check of the grant it saw)",
         "200 ok"),
    ]  # fmt: skip


def test_a_form_the_spec_refuses_is_a_violation_and_a_disagreement(client: httpx.Client) -> None:
    form = {"client_key": "key", "client_secret": "s", "grant_type": "password"}
    client.post("/v2/oauth/token/", data=form, headers={"x-stand-in": "token"})
    found = client.get("/__mock/findings").json()["findings"]
    assert [(f["kind"], f["check"]) for f in found] == [
        ("violation", "request form['grant_type']"),
        ("disagreement", "answer"),
    ]
    assert found[1]["expected"] == "400 unsupported_grant_type (the mock's form checks)"


def test_a_path_outside_the_spec_is_passed_on_and_a_violation(
    client: httpx.Client, upstream: StandIn
) -> None:
    response = client.get("/v2/video/list/", headers={"x-stand-in": "ok"})
    assert response.status_code == 200 and upstream.received[-1].target == b"/v2/video/list/"
    assert findings(client) == [("violation", "request path")]


def test_the_admin_api_is_the_mocks_own(client: httpx.Client, upstream: StandIn) -> None:
    before = len(upstream.received)
    assert client.get("/__mock/health").json()["status"] == "ok"
    assert len(upstream.received) == before


def test_no_secret_or_personal_value_reaches_the_corpus_findings_journal_or_log(
    client: httpx.Client, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    form = {**EXCHANGE, "code_verifier": SECRETS[3]}
    client.post("/v2/oauth/token/", data=form, headers={"x-stand-in": "token"})
    get(client, "extra-field", "fields=open_id,display_name,username,nickname")
    get(client, "ok", f"fields=open_id&access_token={TOKEN}")
    seen = [
        corpus.read_text(encoding="utf-8"),
        client.get("/__mock/findings").text,
        client.get("/__mock/requests").text,
        caplog.text,
    ]
    assert "drift in getUserInfo" in caplog.text
    lines = [json.loads(line) for line in seen[0].splitlines()]
    assert any(line["outcome"]["user_fields"].get("display_name") == "string" for line in lines)
    for text in seen:
        for value in SECRETS + PERSONAL:
            assert value not in text, value
    users = [
        line["response"]["body"]["data"]["user"] for line in lines if line["outcome"]["user_fields"]
    ]
    assert all(len(user["display_name"]) == len(USER["display_name"]) for user in users)
    opens = {user["open_id"] for user in users} | {
        line["response"]["body"]["open_id"]
        for line in lines
        if line["operation"] == "fetchAccessToken"
    }
    assert len(opens) == 1  # the same value, the same pseudonym


def test_the_summary_at_stop_counts_by_kind(upstream: StandIn, tmp_path: Path) -> None:
    with running_mock("--proxy", upstream.url) as running:
        with httpx.Client(base_url=running.url) as http:
            get(http, "extra-field")
            get(http, "teapot")
    output = running.stop()
    assert "proxy findings: 2 (1 violation, 1 drift, 0 disagreement, 0 upstream)" in output
    assert "WARNING" in output and "drift in getUserInfo, User field" in output


def test_an_unreachable_upstream_is_a_502(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    with running_mock("--proxy", nowhere) as running, httpx.Client(base_url=running.url) as http:
        response = http.get(f"{INFO}?fields=open_id")
        assert response.status_code == 502
        assert response.json()["message"].startswith(f"{nowhere} could not be reached")
        assert findings(http) == [("upstream", "connect")]


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_upstream(authority: trustme.CA) -> Iterator[StandIn]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with stand_in(context) as served:
        yield served


def test_over_https_with_a_private_ca(
    tls_upstream: StandIn, authority: trustme.CA, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca))
    with running_mock("--proxy", tls_upstream.url, "--proxy-ca", str(ca)) as running:
        with httpx.Client(base_url=running.url) as http:
            response = get(http, "extra-field")
            assert (response.status_code, response.content) == (200, ANSWERS["extra-field"][2])
            assert findings(http) == [("drift", "User field")]


def test_tls_is_verified_by_default(tls_upstream: StandIn) -> None:
    with running_mock("--proxy", tls_upstream.url) as running:
        with httpx.Client(base_url=running.url) as http:
            response = get(http, "ok")
            assert response.status_code == 502
            assert "failed TLS verification" in response.json()["message"]
            assert findings(http) == [("upstream", "tls")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--proxy", "ftp://x"], "--proxy takes an http:// or https:// URL"),
        (["--proxy", "http://127.0.0.1:1", "--workers", "2"], "--proxy serves with one worker"),
        (["--record", "x.ndjson"], "--record and --proxy-ca go with --proxy"),
        (
            ["--proxy", "http://127.0.0.1:1", "--proxy-ca", "/no/such.pem"],
            "--proxy-ca: no such file",
        ),
        (["--proxy", "http://127.0.0.1:1", "--proxy-timeout", "0"], "--proxy-timeout must be more"),
        (
            ["--proxy", "http://127.0.0.1:1", "--record", "/no/such/dir/c.ndjson"],
            "--record: no such directory",
        ),
    ],
)
def test_bad_proxy_options_are_refused(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mock_server.cli import parse_args

    with pytest.raises(SystemExit) as exited:
        parse_args(args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_compressed_answer_is_passed_on_compressed_and_read_to_check(
    client: httpx.Client,
) -> None:
    response = get(client, "gzip")
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["error"]["code"] == "ok"  # httpx undid the gzip the proxy kept
    assert findings(client) == []
    get(client, "brotli")
    assert findings(client) == [("violation", "body")]


def test_a_body_over_256_kib_is_refused_with_413(client: httpx.Client, upstream: StandIn) -> None:
    before = len(upstream.received)
    response = client.post("/v2/oauth/token/", content=b"x" * (256 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["message"] == "The request body is over 262144 bytes"
    assert len(upstream.received) == before


def test_a_reset_clears_the_findings(client: httpx.Client) -> None:
    get(client, "teapot")
    assert findings(client) == [("violation", "status")]
    client.post("/__mock/reset").raise_for_status()
    assert client.get("/__mock/findings").json()["counts"]["violation"] == 0


def test_the_default_timeout_is_10_seconds() -> None:
    from mock_server.cli import parse_args

    assert parse_args(["--proxy", "https://open.tiktokapis.com"]).proxy_timeout == 10


def test_an_answer_over_1_mib_is_a_502_and_a_finding(
    client: httpx.Client, upstream: StandIn
) -> None:
    response = get(client, "huge")
    assert response.status_code == 502
    assert response.json()["message"] == f"{upstream.url} sent an answer of over 1048576 bytes"
    assert findings(client) == [("upstream", "size")]
