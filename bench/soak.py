"""`make soak`: sustained load on the mock with its default rate limit; nothing lost, no growth.

64 keep-alive connections send requests round-robin across the default tokens for 60 s.
It passes when every answer is a 200 or a 429 the rate limit owes (each token gets its
`DEFAULT_RATE_LIMIT` in the first minute and no more than that a minute), and the worker's
resident memory stops growing (no more than 2 MiB between the end of the first quarter and
the end).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from collections import Counter
from pathlib import Path

from mock_server.contract import Contract
from mock_server.fixtures import load_fixtures
from mock_server.process import running_mock
from mock_server.spec import load_document
from mock_server.state import DEFAULT_RATE_LIMIT

GROWTH_LIMIT = 2 * 1024 * 1024


def rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and its children (granian's workers), from /proc."""
    total = 0
    for each in [pid, *_children(pid)]:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(child) for child in children]
    return found


async def load(
    port: int, tokens: list[str], seconds: float, connections: int
) -> dict[str, Counter[int]]:
    """Status counts per token after `seconds` of load on `connections` connections."""
    counts: dict[str, Counter[int]] = {token: Counter() for token in tokens}
    requests = {
        token: (
            "GET /v2/user/info/?fields=open_id,display_name HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
        for token in tokens
    }
    deadline = time.monotonic() + seconds

    async def connection(number: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent = number
        while time.monotonic() < deadline:
            token = tokens[sent % len(tokens)]
            sent += 1
            writer.write(requests[token])
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            counts[token][status] += 1
        writer.close()
        await writer.wait_closed()

    await asyncio.gather(*(connection(n) for n in range(connections)))
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()

    grants = load_fixtures(Contract.from_document(load_document())).grants
    tokens = [token for token, grant in grants.items() if not grant.expired]
    with running_mock() as mock:
        port = int(mock.url.rsplit(":", 1)[1])
        pid = mock.process.pid
        before = rss_bytes(pid)
        samples: list[int] = []

        async def run() -> dict[str, Counter[int]]:
            async def sample() -> None:
                while True:
                    await asyncio.sleep(args.seconds / 20)
                    samples.append(rss_bytes(pid))

            sampler = asyncio.create_task(sample())
            try:
                return await load(port, tokens, args.seconds, args.connections)
            finally:
                sampler.cancel()

        began = time.monotonic()
        counts = asyncio.run(run())
        elapsed = time.monotonic() - began
        after = rss_bytes(pid)

    sent = sum(sum(c.values()) for c in counts.values())
    windows = math.ceil(elapsed / 60)
    problems = []
    for token, statuses in counts.items():
        unexpected = {status: n for status, n in statuses.items() if status not in (200, 429)}
        if unexpected:
            problems.append(f"{token}: unexpected statuses {unexpected}")
        owed = min(DEFAULT_RATE_LIMIT, sum(statuses.values()))
        if not owed <= statuses[200] <= DEFAULT_RATE_LIMIT * windows:
            problems.append(
                f"{token}: {statuses[200]} admitted, {owed} to {windows * DEFAULT_RATE_LIMIT} owed"
            )
    quarter = samples[len(samples) // 4] if samples else before
    growth = after - quarter
    if growth > GROWTH_LIMIT:
        problems.append(f"resident memory grew by {growth / 2**20:.1f} MiB after the first quarter")

    mib = 2**20
    rate = sent / elapsed
    print(f"{sent} requests in {elapsed:.1f} s on {args.connections} connections ({rate:.0f}/s)")
    for token, statuses in counts.items():
        print(f"  {token:40} {dict(sorted(statuses.items()))}")
    print(
        f"resident memory: {before / mib:.1f} MiB at start, {quarter / mib:.1f} MiB after a "
        f"quarter, {after / mib:.1f} MiB at the end"
    )
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print("passed: no errors but the 429s the rate limit owes; memory stopped growing")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
