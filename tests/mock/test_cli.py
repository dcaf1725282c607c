"""`python -m mock_server` as a user runs it: a real process on a real socket."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.process import PROCESS_TIMEOUT, running_mock
from tests.support.seeds import CURL_AUTHORIZATION, CURL_URL, ENDPOINT_EXAMPLE, EXAMPLE_TOKEN
from tests.support.waiting import until


def test_prints_its_url_and_the_default_tokens_then_serves_the_seed_example() -> None:
    with running_mock() as mock:
        url = CURL_URL.replace("https://open.tiktokapis.com", mock.url)
        name, value = CURL_AUTHORIZATION.split(": ", 1)
        response = httpx.get(url, headers={name: value})
        output = mock.stop()
    body = response.json()
    body["error"]["log_id"] = ENDPOINT_EXAMPLE["error"]["log_id"]
    assert body == ENDPOINT_EXAMPLE
    assert f"on {mock.url}/v2/user/info/" in output
    for token in (EXAMPLE_TOKEN, "act.mock.basic", "act.mock.expired"):
        assert token in output
    assert "OAuth client mock_client_key, secret mock_client_secret; codes: code.example" in output


def test_rate_limit_option() -> None:
    with running_mock("--rate-limit", "2") as mock:
        headers = {"Authorization": "Bearer act.mock.basic"}
        statuses = [
            httpx.get(f"{mock.url}/v2/user/info/?fields=open_id", headers=headers).status_code
            for _ in range(3)
        ]
    assert statuses == [200, 200, 429]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *args], capture_output=True, text=True, timeout=30
    )


def test_a_bad_fixtures_file_stops_it_with_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_text(
        "users:\n  u: {follower_count: many}\ntokens:\n  act.t: {user: u, scopes: [nope]}\n",
        encoding="utf-8",
    )
    result = run_cli("--fixtures", str(path))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines == [
        f"error: {path}: users.u.follower_count: 'many' is not of type 'integer'",
        f"error: {path}: tokens.act.t.scopes: unknown scope 'nope' (the spec declares "
        "artist.certification.read, artist.certification.update, user.info.basic, "
        "user.info.profile, user.info.stats, video.list)",
    ]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate-limit", "-1"], "--rate-limit must be 0 (off) or more"),
        (["--port", "70000"], "--port must be between 0 (any free port) and 65535"),
        (["--workers", "0"], "--workers must be at least 1"),
        (["--log-level", "loud"], "invalid choice"),
        (["--fault-rate", "1.5"], "--fault-rate must be between 0 and 1"),
        (["--token-ttl", "0"], "--token-ttl must be at least 1 second"),
        (["--journal-size", "-1"], "--journal-size must be 0 (off) or more"),
        (["--journal-bytes", "-1"], "--journal-bytes must be 0 (off) or more"),
        (["--max-connections", "0"], "--max-connections must be at least 1"),
        (["--idle-timeout", "nan"], "--idle-timeout must be between 0.001 and 3600 seconds"),
        (["--admin-token", " "], "--admin-token must not be empty"),
        (["--fault-mix", "429,teapot"], "'teapot' is not a fault (429, 500, reset, empty, truncated, garbage, html, hang), optionally =WEIGHT"),
        (["--fault-mix", "reset=0"], "'reset=0': a weight is at least 1"),
        (["--latency", "slow"], "slow: latency is MS, fixed:MS, uniform:MIN-MAX or lognormal:MEDIAN:SIGMA (milliseconds)"),
        (["--latency", "uniform:200-50"], "uniform:200-50: the maximum is below the minimum"),
        (["--latency", "70000"], "70000: delays go up to 60000 ms"),
    ],
)  # fmt: skip
def test_bad_options_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checked as the command line parses them (in this process: a process each would start
    Python sixteen times to show argparse's exit)."""
    from mock_server.cli import main

    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_finishing_in_flight_requests(sig: signal.Signals) -> None:
    answers: list[int] = []
    with running_mock() as mock:
        scenario = {"operation": "getUserInfo", "delay_ms": 600}
        httpx.post(f"{mock.url}/__mock/scenarios", json=scenario).raise_for_status()

        def slow_request() -> None:
            headers = {"Authorization": "Bearer act.mock.basic"}
            url = f"{mock.url}/v2/user/info/?fields=open_id"
            answers.append(httpx.get(url, headers=headers, timeout=10).status_code)

        thread = threading.Thread(target=slow_request)
        thread.start()
        # The request took the scenario as it arrived: it is in its delay, in flight.
        until(lambda: httpx.get(f"{mock.url}/__mock/scenarios").json()["scenarios"] == [])
        mock.process.send_signal(sig)
        thread.join(timeout=10)
        code = mock.process.wait(timeout=PROCESS_TIMEOUT)
    assert answers == [200]
    assert code == 0


def test_a_busy_port_is_a_clear_error() -> None:
    with running_mock() as mock:
        port = mock.url.rsplit(":", 1)[1]
        result = run_cli("--port", port)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: cannot listen on 127.0.0.1:{port}: the port is already in use "
        "(is another mock running? choose --port)\n"
    )


def test_binds_loopback_unless_told_and_warns_on_all_interfaces() -> None:
    with running_mock() as mock:
        assert mock.url.startswith("http://127.0.0.1:")
        output = mock.stop()
    assert "warning" not in output
    with running_mock("--host", "0.0.0.0") as mock:
        port = mock.url.rsplit(":", 1)[1]
        response = httpx.get(f"http://127.0.0.1:{port}/v2/user/info/?fields=open_id")
        output = mock.stop()
    assert response.status_code == 401
    assert "warning: listening on all interfaces (0.0.0.0)" in output
    assert "Admin API off (start with --admin-token to use it on this address)" in output


def test_the_admin_api_over_a_socket_with_a_token_from_the_environment() -> None:
    environment = {**os.environ, "TIKTOK_MOCK_ADMIN_TOKEN": "s3cret"}
    with running_mock("--host", "0.0.0.0", env=environment) as mock:
        admin = mock.url + "/__mock/"
        assert httpx.get(admin + "health").status_code == 200
        assert httpx.post(admin + "reset").status_code == 401
        token = {"Authorization": "Bearer s3cret"}
        assert httpx.post(admin + "reset", headers=token).status_code == 204
        output = mock.stop()
    assert "Admin API on " in output and "(with the admin token)" in output
    assert "s3cret" not in output


def test_two_workers_share_a_redis_store_or_do_not_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mock_server import cli, redis_state

    served: list[Any] = []
    monkeypatch.setattr(cli, "serve", served.append)
    monkeypatch.setattr(redis_state, "reachable", lambda url: None)
    with pytest.raises(SystemExit) as refused:
        cli.main(["--workers", "2", "--port", "0"])
    assert refused.value.code == 2
    assert "--workers 2 needs --store redis://host:port/db" in capsys.readouterr().err
    assert cli.main(["--workers", "2", "--port", "0", "--store", "redis://127.0.0.1:1/0"]) == 0
    assert [(options.workers, options.store) for options in served] == [
        (2, "redis://127.0.0.1:1/0")
    ]


def test_no_token_a_client_sends_reaches_the_logs() -> None:
    secrets = [
        "act.secret-unknown-token-4242",
        "act.secret.with.dots.777",
        "rft.secret-refresh-0001",
    ]
    with running_mock("--log-level", "debug") as mock:
        for secret in secrets:
            for headers in (
                {"Authorization": f"Bearer {secret}"},
                {"Authorization": secret},
                {"Authorization": f"Bearer {secret}", "Prefer": f"error={secret}"},
            ):
                httpx.get(f"{mock.url}/v2/user/info/?fields=open_id", headers=headers)
            httpx.post(f"{mock.url}/v2/user/info/", headers={"Authorization": f"Bearer {secret}"})
            httpx.get(f"{mock.url}/nowhere", headers={"Authorization": f"Bearer {secret}"})
            faulted = {"Authorization": f"Bearer {secret}", "Prefer": "fault=reset"}
            with pytest.raises(httpx.ReadError):  # the connection reset
                httpx.get(f"{mock.url}/v2/user/info/?fields=open_id", headers=faulted)
        output = mock.stop()
    assert "GET /v2/user/info/ -> 401" in output  # the debug log did record the requests
    assert output.count("GET /v2/user/info/ -> fault reset") == len(secrets)
    for secret in secrets:
        assert secret not in output


def test_a_fixtures_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_bytes(b"users: {\xff\xfe}\n")
    result = run_cli("--fixtures", str(path))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {path}: cannot read:")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("broken.yaml", b"users: [unclosed\n", "not valid YAML"),
        ("broken.json", b'{"users": ', "not valid JSON"),
        ("twice.yaml", b"users: {u: {}}\ntokens:\n  act.t: {user: u, scopes: []}\n"
         b"  act.t: {user: u, scopes: []}\n", "duplicate key 'act.t'"),
        ("scope.yaml", b"users: {u: {}}\ntokens: {act.t: {user: u, scopes: [nope]}}\n",
         "unknown scope 'nope'"),
        ("types.yaml", b"users: {u: {video_count: lots}}\ntokens: {act.t: {user: u, scopes: []}}\n",
         "'lots' is not of type 'integer'"),
    ],
)  # fmt: skip
def test_each_bad_fixtures_file_is_one_clear_line_and_exit_2(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("--fixtures", str(path))
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {path}: ") and problem in line
    assert result.stdout == ""


def test_an_unreadable_fixtures_path_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("--fixtures", str(tmp_path))
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {tmp_path}: cannot read: ")


@pytest.mark.parametrize(
    ("host", "shown"), [("localhost", "localhost"), ("::1", "[::1]"), ("127.0.0.1", "127.0.0.1")]
)
def test_port_0_takes_a_free_port_shown_in_the_url_of_any_host(host: str, shown: str) -> None:
    command = [sys.executable, "-m", "mock_server", "--host", host, "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        prefix = f"TikTok user info mock on http://{shown}:"
        assert first.startswith(prefix) and first.endswith("/v2/user/info/\n"), first
        port = int(first.removeprefix(prefix).split("/", 1)[0])
        assert port != 0
        url = f"http://{shown}:{port}/v2/user/info/?fields=open_id"
        headers = {"Authorization": f"Bearer {EXAMPLE_TOKEN}"}

        def answered() -> bool:
            try:
                return httpx.get(url, headers=headers).status_code == 200
            except httpx.ConnectError:
                return False

        until(answered)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=PROCESS_TIMEOUT)
    assert "Traceback" not in errors


def test_a_host_that_does_not_resolve_is_a_clear_error() -> None:
    result = run_cli("--host", "no-such-host.invalid")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot listen on no-such-host.invalid:8080: ")
    assert len(result.stderr.splitlines()) == 1


def test_the_journal_bounds_reach_the_options() -> None:
    from mock_server.cli import parse_args

    options = parse_args(["--journal-size", "5", "--journal-bytes", "4096"])
    assert (options.journal_size, options.journal_bytes) == (5, 4096)


def test_the_docs_list_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    from mock_server.cli import parse_args
    from tests.support.pages import after

    with pytest.raises(SystemExit):
        parse_args(["--help"])
    options = set(re.findall(r"(--[a-z][a-z-]+)", capsys.readouterr().out)) - {"--help"}
    table = after("| option | meaning |").split("\n\n")[0]
    listed = set(re.findall(r"^\| `(--[a-z-]+)", table, re.M))
    assert options == listed
