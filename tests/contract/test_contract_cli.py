"""`tiktok-contract`: usage errors, exit codes, reports without the token, `--live`, and the
docs' scheduled job that runs it."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mock_server.contract_suite import cli
from mock_server.contract_suite.command import command, report_paths
from mock_server.process import free_port, running_mock
from mock_server.spec import SPEC_PATH
from tests.support.pages import scheduled_job
from tests.support.seeds import EXAMPLE_TOKEN as TOKEN

ROOT = SPEC_PATH.parent.parent


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def tiktok_contract(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`tiktok-contract *args`, with `token` in TIKTOK_ACCESS_TOKEN: run in this process, its
    schemathesis run in one of its own, which `make pytest` does not measure (it runs none of
    the code measured, only slower)."""

    def run(*args: str, token: str | None = TOKEN) -> subprocess.CompletedProcess[str]:
        with monkeypatch.context() as environment:
            for name in [name for name in os.environ if name.startswith("COVERAGE_")]:
                environment.delenv(name)
            environment.delenv(cli.TOKEN_VARIABLE, raising=False)
            if token is not None:
                environment.setenv(cli.TOKEN_VARIABLE, token)
            capsys.readouterr()
            code = cli.run(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["http://127.0.0.1:1"], "no access token: pass --token or set TIKTOK_ACCESS_TOKEN"),
        (["--token", "act.x"], "the deployment's URL is required (or --live, for TikTok itself)"),
        (["http://127.0.0.1:1", "--token", "act.x", "--max-examples", "0"],
         "--max-examples must be 1 or more"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(cli.TOKEN_VARIABLE, raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.run(args)
    assert exited.value.code == 2
    assert f"tiktok-contract: error: {message}" in capsys.readouterr().err


def test_without_schemathesis_it_says_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert cli.run(["http://127.0.0.1:1", "--token", "act.x"]) == 2
    assert "pip install 'tiktok-user-info-mock[contract]'" in capsys.readouterr().err


def test_a_run_writes_the_reports_without_the_token(tiktok_contract: Run, tmp_path: Path) -> None:
    with running_mock("--rate-limit", "0") as mock:
        run = tiktok_contract(mock.url, "--reports", str(tmp_path), "--max-examples", "5")
    assert run.returncode == 0, run.stdout + run.stderr
    for kind, path in report_paths(tmp_path, "contract").items():
        assert path.stat().st_size > 0 and f"{kind} report: {path}" in run.stdout
        assert TOKEN not in path.read_text(encoding="utf-8")
    assert TOKEN not in run.stdout
    assert re.search(r"3/3 operations, \d+/24 documented answers and links reached", run.stdout)


class Broken(BaseHTTPRequestHandler):
    """A deployment that breaks the contract: 200 and `{}` to every request."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def broken() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_broken_contract_exits_1(tiktok_contract: Run, broken: str, tmp_path: Path) -> None:
    run = tiktok_contract(broken, "--reports", str(tmp_path), "--max-examples", "1")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "response_schema_conformance" in run.stdout or "Response violates schema" in run.stdout
    assert TOKEN not in run.stdout


def test_a_deployment_out_of_reach_exits_1(tmp_path: Path) -> None:
    """As CI sees it: the process's exit code."""
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    run = subprocess.run(
        [sys.executable, "-m", "mock_server.contract_suite", nowhere, "--token", TOKEN,
         "--reports", str(tmp_path), "--max-examples", "1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr


def test_a_token_refused_everywhere_fails_the_run(tiktok_contract: Run, tmp_path: Path) -> None:
    """An expired secret fails the scheduled job rather than passing on 401s alone."""
    with running_mock() as mock:
        run = tiktok_contract(mock.url, "--live", "--reports", str(tmp_path),
                              "--max-examples", "1", token="act.expired")  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Authentication failed" in run.stdout


def test_live_stays_within_tiktoks_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = command("https://open.tiktokapis.com", "act.x", live=True)
    assert run[run.index("--mode") + 1] == "positive"
    assert run[run.index("--include-operation-id") + 1] == "getUserInfo"
    assert run[run.index("--rate-limit") + 1] == "300/m"
    assert run[run.index("--max-response-time") + 1] == "5.0"
    seen: dict[str, Any] = {}

    def recorded(url: str, token: str, **options: Any) -> list[str]:
        seen.update(options, url=url)
        return [sys.executable, "-c", "pass"]

    monkeypatch.setattr(cli, "command", recorded)
    assert cli.run(["--live", "--token", "act.x", "--reports", str(tmp_path)]) == 0
    assert seen["url"] == "https://open.tiktokapis.com" and seen["live"] is True
    assert list(seen["reports"].values()) == list(report_paths(tmp_path, "contract-live").values())


def test_the_docs_scheduled_job_runs_the_installed_suite_with_a_secret() -> None:
    """Scheduled; the kit built and installed with its contract extra; `tiktok-contract --live`
    with the token from a secret; the reports kept whatever the outcome. test_distribution.py
    runs its install and run lines from a fresh virtual environment."""
    job = scheduled_job()
    triggers = job[True]  # YAML 1.1 (PyYAML) reads the key `on` as true
    assert triggers["schedule"][0]["cron"]
    steps = job["jobs"]["contract-live"]["steps"]
    (run,) = [step for step in steps if "tiktok-contract" in step.get("run", "")]
    assert run["run"] == "tiktok-contract --live --reports reports"
    assert run["env"] == {cli.TOKEN_VARIABLE: "${{ secrets.TIKTOK_ACCESS_TOKEN }}"}
    (upload,) = [step for step in steps if "upload-artifact" in step.get("uses", "")]
    assert upload["if"] == "always()" and upload["with"]["path"] == "reports/"
    make = subprocess.run(
        ["make", "--dry-run", "--always-make", "contract-live"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "tiktok-contract --live --reports reports" in make.stdout
