"""`python -m mock_server` as a user runs it: a real process on a real socket."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mock_server.process import running_mock

from seeds import CURL_AUTHORIZATION, CURL_URL, ENDPOINT_EXAMPLE


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
    for token in ("act.example12345Example12345Example", "act.mock.basic", "act.mock.expired"):
        assert token in output


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
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--workers", "0"], "--workers must be at least 1"),
        (["--log-level", "loud"], "invalid choice"),
    ],
)
def test_bad_options_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_with_two_workers_the_rate_limit_counts_per_worker() -> None:
    """Each worker process keeps its own windows: a token gets up to workers x limit."""
    admitted = 0
    with running_mock("--workers", "2", "--rate-limit", "3") as mock:
        for _ in range(200):  # a new connection each time, so both workers take requests
            response = httpx.get(
                f"{mock.url}/v2/user/info/?fields=open_id",
                headers={"Authorization": "Bearer act.mock.basic", "Connection": "close"},
            )
            admitted += response.status_code == 200
    assert admitted == 6
