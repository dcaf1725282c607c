"""The schemathesis command line of a contract run, and where it writes its reports.

Against any deployment: every operation, positive and negative data, every phase, every
check. `live` keeps to TikTok's own limits: `GET /v2/user/info/` only, positive data only,
at most LIVE_RATE, each answer within LIVE_MAX_RESPONSE_TIME.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..spec import SPEC_PATH

CONFIG = Path(__file__).with_name("schemathesis.toml")
"""schemathesis's settings for these runs: the mock's OAuth credentials, expected statuses."""

__all__ = [
    "CONFIG",
    "LIVE_MAX_RESPONSE_TIME",
    "LIVE_RATE",
    "LIVE_URL",
    "REPORTS",
    "command",
    "report_paths",
]

LIVE_URL = "https://open.tiktokapis.com"
LIVE_RATE = "300/m"
"""Half of TikTok's documented 600 requests a minute for this endpoint."""
LIVE_MAX_RESPONSE_TIME = 5.0
"""Seconds TikTok may take to answer one request of a live run before the run fails."""
SEED = 20261121
REPORTS = {"junit": "junit.xml", "har": "har.json", "ndjson": "events.ndjson"}
"""The reports each run writes, with the end of their file names: test results, the
traffic, schemathesis's events."""


def command(
    url: str,
    token: str,
    *,
    reports: Mapping[str, Path] | None = None,
    live: bool = False,
    max_examples: int = 100,
    seed: int = SEED,
    checks: str = "all",
    phases: str | None = None,
    headers: Sequence[str] = (),
    operation_id: str | None = None,
) -> list[str]:
    """The schemathesis command line for a contract run against `url`.

    `reports` maps report formats (`junit`, `har`, `ndjson`, `vcr`) to their paths;
    `headers` are extra `Name: value` headers; `operation_id` tests that operation only.
    """
    arguments = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG),
        "run", str(SPEC_PATH),
        "--url", url,
        "--header", f"Authorization: Bearer {token}",
        "--checks", checks,
        "--seed", str(seed),
        "--max-examples", str(max_examples),
    ]  # fmt: skip
    for header in headers:
        arguments += ["--header", header]
    if live:
        arguments += [
            "--mode", "positive",
            "--phases", phases or "examples,coverage,fuzzing",
            "--include-operation-id", "getUserInfo",
            "--rate-limit", LIVE_RATE,
            "--max-response-time", str(LIVE_MAX_RESPONSE_TIME),
        ]  # fmt: skip
    else:
        arguments += ["--mode", "all", "--phases", phases or "examples,coverage,fuzzing,stateful"]
        if operation_id is not None:
            arguments += ["--include-operation-id", operation_id]
    if reports:
        arguments += ["--report", ",".join(reports)]
        for kind, path in reports.items():
            arguments += [f"--report-{kind}-path", str(path)]
    return arguments


def report_paths(directory: Path, name: str) -> dict[str, Path]:
    """Where a run called `name` writes each of REPORTS in `directory`."""
    return {kind: directory / f"{name}-{suffix}" for kind, suffix in REPORTS.items()}
