"""`tiktok-contract URL --token TOKEN`: the contract suite against a deployment of the API.

Writes a JUnit report, the traffic (HAR) and schemathesis's event stream (NDJSON) into
`--reports`, the token filtered out of each and of the output, then prints which of the
spec's answers and links the run reached. `--live` keeps to TikTok's own limits (and runs
against TikTok unless a URL is given). Exit codes: 0 when every check passed, 1 when one
failed (or the deployment could not be reached), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ..spec import load_document
from .command import LIVE_MAX_RESPONSE_TIME, LIVE_RATE, LIVE_URL, command, report_paths
from .coverage import reached

__all__ = ["FILTERED", "TOKEN_VARIABLE", "run"]

TOKEN_VARIABLE = "TIKTOK_ACCESS_TOKEN"
FILTERED = "[Filtered]"
"""What stands for the token in the reports and the output (schemathesis's own mark)."""
USAGE = 2


def parser() -> argparse.ArgumentParser:
    parsing = argparse.ArgumentParser(
        prog="tiktok-contract",
        description="The contract suite against a deployment of the API.",
        epilog="Exit codes: 0 every check passed, 1 a check failed, 2 a usage error.",
    )
    parsing.add_argument(
        "url", nargs="?", help=f"the deployment's base URL ({LIVE_URL} with --live)"
    )
    parsing.add_argument("--token", help=f"an access token it accepts (default: ${TOKEN_VARIABLE})")
    parsing.add_argument(
        "--live",
        action="store_true",
        help="TikTok's limits: GET /v2/user/info/ only, positive data, at most "
        f"{LIVE_RATE.removesuffix('/m')} requests a minute, each answered within "
        f"{LIVE_MAX_RESPONSE_TIME:g} s",
    )
    parsing.add_argument("--reports", type=Path, default=Path("reports"), help="report folder")
    parsing.add_argument("--max-examples", type=int, default=100, help="cases per operation")
    return parsing


def run(argv: Sequence[str] | None = None) -> int:
    """The console script: the exit code of the run."""
    parsing = parser()
    args = parsing.parse_args(argv)
    token = args.token or os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        parsing.error(f"no access token: pass --token or set {TOKEN_VARIABLE}")
    url = args.url or (LIVE_URL if args.live else None)
    if url is None:
        parsing.error("the deployment's URL is required (or --live, for TikTok itself)")
    if args.max_examples < 1:
        parsing.error("--max-examples must be 1 or more")
    if importlib.util.find_spec("schemathesis") is None:
        print(
            "tiktok-contract needs schemathesis: pip install 'tiktok-user-info-mock[contract]'",
            file=sys.stderr,
        )
        return USAGE
    args.reports.mkdir(parents=True, exist_ok=True)
    paths = report_paths(args.reports, "contract-live" if args.live else "contract")
    arguments = command(url, token, reports=paths, live=args.live, max_examples=args.max_examples)
    with subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as schemathesis:  # fmt: skip
        assert schemathesis.stdout is not None
        for line in schemathesis.stdout:
            print(line.replace(token, FILTERED), end="", flush=True)
    for path in paths.values():
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(token, FILTERED), encoding="utf-8")
    if paths["ndjson"].is_file():
        print(reached(load_document(), {"reached": [paths["ndjson"]]}).table())
    for kind, path in paths.items():
        print(f"{kind} report: {path}")
    return 0 if schemathesis.returncode == 0 else 1
