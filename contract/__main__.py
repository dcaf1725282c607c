"""`python -m contract`: schemathesis against a deployment of this API, with reports.

`make contract URL=... TOKEN=...` runs it against any deployment (the mock, a staging
proxy): every operation, positive and negative data, every check. `make contract-live`
runs it against TikTok itself with TIKTOK_ACCESS_TOKEN: `GET /v2/user/info/` only,
positive data only, well within TikTok's 600 requests a minute, each answer within
LIVE_MAX_RESPONSE_TIME; without a token it says so and skips. Each run writes a JUnit
report, keeps its traffic (a HAR file) and schemathesis's event stream (NDJSON), and
prints which documented answers and links it reached.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from mock_server.spec import SPEC_PATH, load_document

from .coverage import reached

LIVE_URL = "https://open.tiktokapis.com"
LIVE_RATE = "300/m"
"""Half of TikTok's documented 600 requests a minute for this endpoint."""
LIVE_MAX_RESPONSE_TIME = 5.0
"""Seconds TikTok may take to answer one request of a live run before the run fails."""
SEED = 20261121
REPORTS = ("junit", "har", "ndjson")
"""The reports each run writes: test results, the traffic, schemathesis's events."""


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
        sys.executable, "-m", "schemathesis.cli", "run", str(SPEC_PATH),
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
    suffixes = {"junit": "junit.xml", "har": "har.json", "ndjson": "events.ndjson"}
    return {kind: directory / f"{name}-{suffixes[kind]}" for kind in REPORTS}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m contract", description=__doc__)
    parser.add_argument("--url", help="the deployment's base URL")
    parser.add_argument("--token", help="an access token it accepts")
    parser.add_argument("--live", action="store_true", help=f"against {LIVE_URL}")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="report folder")
    parser.add_argument("--max-examples", type=int, default=100)
    args = parser.parse_args()
    if args.live:
        token = os.environ.get("TIKTOK_ACCESS_TOKEN", "")
        if not token:
            print("contract-live skipped: set TIKTOK_ACCESS_TOKEN to an access token of yours")
            return 0
        url = LIVE_URL
    else:
        if not args.url or not args.token:
            parser.error("--url and --token are required (make contract URL=... TOKEN=...)")
        url, token = args.url, args.token
    args.reports.mkdir(parents=True, exist_ok=True)
    paths = report_paths(args.reports, "contract-live" if args.live else "contract")
    run = command(url, token, reports=paths, live=args.live, max_examples=args.max_examples)
    code = subprocess.run(run).returncode
    if paths["ndjson"].is_file():
        print(reached(load_document(), {"reached": [paths["ndjson"]]}).table())
    for kind, path in paths.items():
        print(f"{kind} report: {path}")
    return code


if __name__ == "__main__":
    sys.exit(main())
