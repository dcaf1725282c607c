"""`python -m contract`: schemathesis against a deployment of this API, with a JUnit report.

`make contract URL=... TOKEN=...` runs it against any deployment (the mock, a staging
proxy): every operation, positive and negative data, every check. `make contract-live`
runs it against TikTok itself with TIKTOK_ACCESS_TOKEN: `GET /v2/user/info/` only,
positive data only, well within TikTok's 600 requests a minute; without a token it says
so and skips.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from mock_server.spec import SPEC_PATH

LIVE_URL = "https://open.tiktokapis.com"
LIVE_RATE = "300/m"
"""Half of TikTok's documented 600 requests a minute for this endpoint."""
SEED = 20261121


def command(
    url: str,
    token: str,
    *,
    junit: Path | None = None,
    live: bool = False,
    max_examples: int = 100,
    seed: int = SEED,
) -> list[str]:
    """The schemathesis command line for a contract run against `url`."""
    arguments = [
        sys.executable, "-m", "schemathesis.cli", "run", str(SPEC_PATH),
        "--url", url,
        "--header", f"Authorization: Bearer {token}",
        "--checks", "all",
        "--seed", str(seed),
        "--max-examples", str(max_examples),
    ]  # fmt: skip
    if live:
        arguments += [
            "--mode", "positive",
            "--phases", "examples,coverage,fuzzing",
            "--include-operation-id", "getUserInfo",
            "--rate-limit", LIVE_RATE,
        ]  # fmt: skip
    else:
        arguments += ["--mode", "all", "--phases", "examples,coverage,fuzzing,stateful"]
    if junit is not None:
        arguments += ["--report", "junit", "--report-junit-path", str(junit)]
    return arguments


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m contract", description=__doc__)
    parser.add_argument("--url", help="the deployment's base URL")
    parser.add_argument("--token", help="an access token it accepts")
    parser.add_argument("--live", action="store_true", help=f"against {LIVE_URL}")
    parser.add_argument("--junit", type=Path, default=Path("reports/contract-junit.xml"))
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
    args.junit.parent.mkdir(parents=True, exist_ok=True)
    run = command(url, token, junit=args.junit, live=args.live, max_examples=args.max_examples)
    code = subprocess.run(run).returncode
    print(f"JUnit report: {args.junit}")
    return code


if __name__ == "__main__":
    sys.exit(main())
