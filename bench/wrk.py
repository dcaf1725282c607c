"""wrk, the load generator: run, and read."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

__all__ = ["Load", "parse", "run"]

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass(frozen=True)
class Load:
    """What wrk measured: throughput, latency percentiles in milliseconds, and failures."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int


def run(wrk: str, url: str, *, headers: dict[str, str], seconds: int, connections: int) -> Load:
    """Load `url` with one wrk thread and `connections` connections for `seconds`."""
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse(result.stdout)


def parse(output: str) -> Load:
    """The figures in wrk's `--latency` report."""

    def latency(percentile: str) -> float:
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if match is None:
            raise ValueError(f"no {percentile}% latency in wrk's output:\n{output}")
        return float(match[1]) * UNITS[match[2]]

    requests = re.search(r"(\d+) requests in", output)
    throughput = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if requests is None or throughput is None:
        raise ValueError(f"no throughput in wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    failures = (int(non_2xx[1]) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    return Load(float(throughput[1]), latency("50"), latency("99"), int(requests[1]), failures)
