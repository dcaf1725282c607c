"""The benchmark runs end to end; its parsing and its targets. No timing is asserted here."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import wrk
from bench.__main__ import medians, targets

WRK_OUTPUT = """Running 8s test @ http://127.0.0.1:18702/v2/user/info/?fields=open_id
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.61ms    1.10ms  30.54ms   90.00%
    Req/Sec    24.81k     1.02k   26.77k    71.25%
  Latency Distribution
     50%    2.41ms
     75%    2.80ms
     90%    3.40ms
     99%  850.00us
  197654 requests in 8.00s, 98.53MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  24706.75
Transfer/sec:     12.32MB
"""


def test_wrk_output_is_read() -> None:
    assert wrk.parse(WRK_OUTPUT) == wrk.Load(24706.75, 2.41, 0.85, 197654, 7)


def test_wrk_output_without_figures_is_an_error() -> None:
    with pytest.raises(ValueError, match="no throughput"):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def load(rps: float, p99: float, failures: int = 0, p50: float = 1.0) -> dict[str, float]:
    return {
        "requests_per_second": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "requests": 1,
        "failures": failures,
    }


def test_a_row_is_the_median_of_its_rounds() -> None:
    loads = [
        {"requests_per_second": rps, "p50_ms": p50, "p99_ms": p99, "requests": 10, "failures": f}
        for rps, p50, p99, f in ((300.0, 1.0, 9.0, 0), (100.0, 3.0, 4.0, 1), (200.0, 2.0, 5.0, 0))
    ]
    row = medians(loads)
    assert (row["requests_per_second"], row["p50_ms"], row["p99_ms"]) == (200.0, 2.0, 5.0)
    assert (row["requests"], row["failures"], row["rounds"]) == (30, 1, loads)


def test_targets_compare_the_figures() -> None:
    results = {
        "servers": {
            "mock": load(9000, 5),
            "mock, Redis": load(6000, 4),
            "mock, 2 workers, Redis": load(7000, 6),
            "ceiling (bare ASGI)": load(20000, 4),
            "Prism 5.16.0": load(1000, 100, failures=1),
        },
        "proxy_throughput": {
            "20": {"direct": load(3000, 25), "proxy": load(1400, 30)},
            "0": {"direct": load(9000, 5), "proxy": load(1000, 5)},
        },
        "proxy_latency_one_connection": {
            "20": {"direct": load(50, 21, p50=20.2), "proxy": load(49, 22, p50=21.3)},
            "0": {"direct": load(9000, 1, p50=0.2), "proxy": load(900, 2, p50=1.3)},
        },
        "startup_seconds": {"mock": 0.5, "prism": 2.0},
        "client_seconds_per_call": {"httpx": 1.0, "client": 1.1},
        "client_build_seconds": {"httpx": 0.02, "client": 0.003},
        "plugin_tests": 300,
        "plugin_seconds_per_test": {
            "per_test": {"tiktok_client": 0.0025, "pytest-httpserver": 0.003},
            "whole_run": {"tiktok_client": 0.011, "pytest-httpserver": 0.01},
        },
        "make_test_seconds": 59.0,
    }
    met = {target["measure"]: target["met"] for target in targets(results)}
    assert met == {
        "mock / Prism throughput": True,
        "mock / Prism p99 latency": True,
        "Prism start-up to first 200": True,
        "mock / ceiling throughput": False,
        "mock on Redis / mock in memory, throughput": True,
        "mock on Redis / Prism throughput": True,
        "mock: p99 latency": False,
        "mock, Redis: p99 latency": True,
        "mock, 2 workers, Redis: p99 latency": False,
        "mock start-up to first 200": False,
        "client / raw httpx per call": True,
        "building a default client / httpx.Client()": False,
        "per test, tiktok_client / pytest-httpserver (300 tests)": True,
        "whole run of 300 tests with start-up, the same": True,
        "proxy / its 20 ms upstream directly, throughput": False,
        "p50 the proxy adds to its 20 ms upstream, one connection": False,
        "proxy / its 0 ms upstream directly, throughput": True,
        "p50 the proxy adds to its 0 ms upstream, one connection": True,
        "failed requests under load": False,
        "make test wall time": True,
    }


@pytest.mark.skipif(
    shutil.which("wrk") is None or shutil.which("redis-server") is None,
    reason="wrk or redis-server is not installed: `make bench` installs them from Debian's "
    "packages (CI does too)",
)
def test_the_bench_runs(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "bench", "--seconds", "1", "--warm-up", "0", "--starts", "1",
        "--connections", "4", "--rounds", "2",
        "--client-calls", "20", "--client-builds", "10", "--plugin-tests", "3",
        "--plugin-runs", "1",
        "--skip-prism", "--skip-make-test", "--skip-workers", "--skip-proxy-reference",
        "--output", str(tmp_path),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["servers"]) == {
        "mock", "mock, Redis", "ceiling (bare ASGI)", "mock via the proxy"
    }  # fmt: skip
    assert set(results["proxy_latency_one_connection"]["20"]) == {"direct", "proxy"}
    assert set(results["plugin_seconds_per_test"]) == {"per_test", "whole_run"}
    assert all(load["requests"] > 0 for load in results["servers"].values())
    assert (tmp_path / "results.png").read_bytes().startswith(b"\x89PNG")
    written = (tmp_path / "results.md").read_text()
    assert "| mock |" in written
    assert "1 s per server, after 0 s of the same load. The servers above" in written
    assert "in 2 rounds" in written
    assert len(results["servers"]["mock, Redis"]["rounds"]) == 2
