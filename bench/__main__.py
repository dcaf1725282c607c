"""`python -m bench`: every figure of the benchmark, measured side by side in one run."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from bench import client, plugin, prism, report, wrk
from bench.debian import ensure
from bench.redis_server import redis_server
from bench.servers import started
from mock_server.fixtures import EXAMPLE_TOKEN as TOKEN
from mock_server.spec import SPEC_PATH

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
TARGET = "/v2/user/info/?fields=open_id,union_id,avatar_url,display_name"
NO_RATE_LIMIT = "1000000000"
UPSTREAM_LATENCY_MS = 20
"""How long the proxy's upstream takes to answer: less than TikTok takes, so that the
proxy's own cost shows; a row with an upstream that takes no time is the reference."""
"""The mock's full behaviour, with a rate limit high enough never to trigger."""


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=int, default=8, help="load per server (default: 8)")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=1,
        help="seconds of the same load before each server is measured, so that a row measures "
        "serving, not starting (default: 1; 0: one request)",
    )
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default: 64)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of the servers' rows, each server in turn in each; a row's figures are "
        "the medians of its rounds, for the machine's speed drifts during a run (default: 3)",
    )
    parser.add_argument("--starts", type=int, default=5, help="start-up samples per server")
    parser.add_argument("--client-calls", type=int, default=2000, help="calls per client sample")
    parser.add_argument(
        "--client-builds", type=int, default=200, help="clients built per build sample"
    )
    parser.add_argument(
        "--plugin-tests", type=int, default=300, help="tests in the pytest plugin's test file"
    )
    parser.add_argument("--plugin-runs", type=int, default=5, help="pytest runs of each file")
    parser.add_argument("--output", type=Path, default=ROOT / "bench", help="where results go")
    parser.add_argument("--skip-prism", action="store_true", help="leave Prism out")
    parser.add_argument("--skip-make-test", action="store_true", help="do not time `make test`")
    parser.add_argument(
        "--skip-workers", action="store_true", help="leave out the mock of 2 workers on Redis"
    )
    parser.add_argument(
        "--skip-proxy-reference",
        action="store_true",
        help="leave out the proxy in front of a mock that answers in no time",
    )
    args = parser.parse_args()

    wrk_path = ensure("wrk", "wrk")
    prism_path = None if args.skip_prism else prism.ensure_prism()
    redis_path = ensure("redis-server", "redis-server")
    python = sys.executable

    def mock(port: int, workers: int = 1, store: str | None = None) -> list[str]:
        shared = [] if store is None else ["--store", store]
        return [python, "-m", "mock_server", "--port", str(port), "--rate-limit", NO_RATE_LIMIT,
                "--log-level", "warning", "--workers", str(workers), *shared]  # fmt: skip

    def ceiling(port: int, size: int) -> list[str]:
        return [python, "-m", "bench.ceiling", "--port", str(port), "--size", str(size)]

    def prism_server(port: int) -> list[str]:
        assert prism_path is not None
        return [str(prism_path), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC_PATH)]

    def measure(port: int, connections: int) -> dict[str, Any]:
        url = f"http://127.0.0.1:{port}{TARGET}"
        httpx.get(url, headers=HEADERS)
        if args.warm_up:
            wrk.run(wrk_path, url, headers=HEADERS, seconds=args.warm_up, connections=connections)
        measured = wrk.run(
            wrk_path, url, headers=HEADERS, seconds=args.seconds, connections=connections
        )
        print(f"  {measured}", flush=True)
        return asdict(measured)

    def load(command: list[str], port: int) -> dict[str, Any]:
        with started(command, f"http://127.0.0.1:{port}{TARGET}", headers=HEADERS):
            return measure(port, args.connections)

    def startup(command: list[str], port: int) -> float:
        url = f"http://127.0.0.1:{port}{TARGET}"
        samples = []
        for _ in range(args.starts):
            with started(command, url, headers=HEADERS) as seconds:
                samples.append(seconds)
        return statistics.median(samples)

    make_test = None
    if not args.skip_make_test:  # first, on a quiet machine, as a developer runs it
        print("make test", flush=True)
        began = time.perf_counter()
        tested = subprocess.run(["make", "-s", "test"], cwd=ROOT, capture_output=True, text=True)
        if tested.returncode != 0:  # what failed, rather than only that it did
            sys.exit(f"make test failed:\n{tested.stdout[-20000:]}{tested.stderr[-5000:]}")
        make_test = time.perf_counter() - began

    port = 18700
    print("start-up to the first 200", flush=True)
    startups = {"mock": startup(mock(port), port)}
    if prism_path is not None:
        startups["prism"] = startup(prism_server(port + 1), port + 1)
    print(f"  {startups}", flush=True)

    with started(mock(port), f"http://127.0.0.1:{port}{TARGET}", headers=HEADERS):
        body = httpx.get(f"http://127.0.0.1:{port}{TARGET}", headers=HEADERS).content

    def on_redis(workers: int, at: int) -> dict[str, Any]:
        with (  # each on a Redis of its own, from empty
            tempfile.TemporaryDirectory() as folder,
            redis_server(Path(folder), redis_path) as redis,
        ):
            return load(mock(at, workers, store=redis.url), at)

    rows: dict[str, Callable[[], dict[str, Any]]] = {
        "mock": lambda: load(mock(port + 2), port + 2),
        "mock, Redis": lambda: on_redis(1, port + 3),
    }
    if not args.skip_workers:
        rows["mock, 2 workers, Redis"] = lambda: on_redis(2, port + 8)
    rows["ceiling (bare ASGI)"] = lambda: load(ceiling(port + 4, len(body)), port + 4)
    if prism_path is not None:
        rows[f"Prism {prism.PRISM_VERSION}"] = lambda: load(prism_server(port + 5), port + 5)
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in rows}
    for number in range(1, args.rounds + 1):
        print(f"throughput and latency, round {number} of {args.rounds}", flush=True)
        for name, row in rows.items():
            rounds[name].append(row())
    servers = {name: medians(loads) for name, loads in rounds.items()}

    print("the proxy in front of a mock, and the same mock directly", flush=True)
    proxy_throughput, proxy_latency = {}, {}
    proxied_rows = [(UPSTREAM_LATENCY_MS, "mock via the proxy")]
    if not args.skip_proxy_reference:
        proxied_rows.append((0, "mock via the proxy, 0 ms"))
    for delay, name in (*proxied_rows,):
        upstream = port + 6
        slow = [*mock(upstream), "--latency", f"fixed:{delay}"] if delay else mock(upstream)
        proxied = [*mock(port + 7), "--proxy", f"http://127.0.0.1:{upstream}"]
        with started(slow, f"http://127.0.0.1:{upstream}{TARGET}", headers=HEADERS):
            with started(proxied, f"http://127.0.0.1:{port + 7}{TARGET}", headers=HEADERS):
                direct = measure(upstream, args.connections)
                servers[name] = measure(port + 7, args.connections)
                one = {"direct": measure(upstream, 1), "proxy": measure(port + 7, 1)}
        proxy_throughput[str(delay)] = {"direct": direct, "proxy": servers[name]}
        proxy_latency[str(delay)] = one

    print("client overhead", flush=True)
    per_call = client.per_call_seconds(httpx.Response(200, content=body).json(), args.client_calls)
    print(f"  {per_call}", flush=True)
    builds = client.build_seconds(args.client_builds)
    print(f"  building a client: {builds}", flush=True)

    print(
        f"the pytest plugin against {plugin.PYTEST_HTTPSERVER}, {args.plugin_tests} tests",
        flush=True,
    )
    per_test = plugin.per_test_seconds(args.plugin_tests, args.plugin_runs)
    print(f"  {per_test}", flush=True)

    results = {
        "date": time.strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "seconds": args.seconds,
        "warm_up_seconds": args.warm_up,
        "rounds": args.rounds,
        "connections": args.connections,
        "response_bytes": len(body),
        "servers": servers,
        "proxy_throughput": proxy_throughput,
        "proxy_latency_one_connection": proxy_latency,
        "startup_seconds": startups,
        "client_seconds_per_call": per_call,
        "client_build_seconds": builds,
        "plugin_tests": args.plugin_tests,
        "plugin_seconds_per_test": per_test,
        "make_test_seconds": make_test,
    }
    results["targets"] = targets(results)
    report.write(results, args.output)
    for target in results["targets"]:
        print(f"{'met ' if target['met'] else 'MISSED'}  {target['measure']}: {target['value']}"
              f" (target {target['target']})")  # fmt: skip
    return 0


def medians(loads: list[dict[str, Any]]) -> dict[str, Any]:
    """One row of `loads`, a server's rounds: the median of each figure, the sum of its
    requests and failures, and the rounds themselves."""
    row: dict[str, Any] = {
        key: statistics.median(load[key] for load in loads)
        for key in ("requests_per_second", "p50_ms", "p99_ms")
    }
    row["requests"] = sum(load["requests"] for load in loads)
    row["failures"] = sum(load["failures"] for load in loads)
    row["rounds"] = loads
    return row


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the benchmark with the figure measured against it."""
    servers = results["servers"]
    mock, ceiling = servers["mock"], servers["ceiling (bare ASGI)"]
    found: list[dict[str, Any]] = []

    def add(measure: str, value: float, target: str, met: bool, unit: str = "") -> None:
        digits = 2 if isinstance(value, int) or value >= 0.01 else 4
        text = f"{value}" if isinstance(value, int) else f"{value:.{digits}f}{unit}"
        found.append({"measure": measure, "value": text, "target": target, "met": met})

    prism_name = f"Prism {prism.PRISM_VERSION}"
    if prism_name in servers:
        prism_load = servers[prism_name]
        ratio = mock["requests_per_second"] / prism_load["requests_per_second"]
        add("mock / Prism throughput", ratio, ">= 8", ratio >= 8, "x")
        latency = mock["p99_ms"] / prism_load["p99_ms"]
        add("mock / Prism p99 latency", latency, "<= 0.2", latency <= 0.2, "x")
        add(
            "Prism start-up to first 200",
            results["startup_seconds"]["prism"],
            "reference",
            True,
            " s",
        )
    share = mock["requests_per_second"] / ceiling["requests_per_second"]
    add("mock / ceiling throughput", share, ">= 0.6", share >= 0.6, "x")
    redis = servers["mock, Redis"]
    share = redis["requests_per_second"] / mock["requests_per_second"]
    add("mock on Redis / mock in memory, throughput", share, ">= 0.5", share >= 0.5, "x")
    if prism_name in servers:
        ratio = redis["requests_per_second"] / servers[prism_name]["requests_per_second"]
        add("mock on Redis / Prism throughput", ratio, ">= 5", ratio >= 5, "x")
    for name in ("mock", "mock, Redis", "mock, 2 workers, Redis"):
        if name in servers:
            p99 = servers[name]["p99_ms"]
            add(f"{name}: p99 latency", p99, "< 5 ms", p99 < 5, " ms")
    startup = results["startup_seconds"]["mock"]
    add("mock start-up to first 200", startup, "<= 0.4 s", startup <= 0.4, " s")
    per_call = results["client_seconds_per_call"]
    overhead = per_call["client"] / per_call["httpx"]
    add("client / raw httpx per call", overhead, "<= 1.15", overhead <= 1.15, "x")
    builds = results["client_build_seconds"]
    build = builds["client"] / builds["httpx"]
    add("building a default client / httpx.Client()", build, "<= 0.1", build <= 0.1, "x")
    plugin = results["plugin_seconds_per_test"]
    tests = results["plugin_tests"]
    per_test = plugin["per_test"]
    ratio = per_test["tiktok_client"] / per_test["pytest-httpserver"]
    add(
        f"per test, tiktok_client / pytest-httpserver ({tests} tests)",
        ratio,
        "<= 1",
        ratio <= 1,
        "x",
    )
    whole = plugin["whole_run"]
    ratio = whole["tiktok_client"] / whole["pytest-httpserver"]
    add(f"whole run of {tests} tests with start-up, the same", ratio, "reference", True, "x")
    for delay, through in results["proxy_throughput"].items():
        goal = delay == str(UPSTREAM_LATENCY_MS)
        proxy, direct = through["proxy"], through["direct"]
        ratio = proxy["requests_per_second"] / direct["requests_per_second"]
        target = ">= 0.5" if goal else "reference"
        label = f"proxy / its {delay} ms upstream directly, throughput"
        add(label, ratio, target, ratio >= 0.5 or not goal, "x")
        one = results["proxy_latency_one_connection"][delay]
        added = one["proxy"]["p50_ms"] - one["direct"]["p50_ms"]
        label = f"p50 the proxy adds to its {delay} ms upstream, one connection"
        add(label, added, "< 1 ms" if goal else "reference", added < 1 or not goal, " ms")
    failed = sum(load["failures"] for load in servers.values())
    add("failed requests under load", failed, "0", failed == 0)
    if results["make_test_seconds"] is not None:
        seconds = results["make_test_seconds"]
        add("make test wall time", seconds, "< 60 s", seconds < 60, " s")
    return found


if __name__ == "__main__":
    sys.exit(main())
