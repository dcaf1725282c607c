"""The bench's figures: the committed results file, its Markdown table and the PNG chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["write"]


def write(results: dict[str, Any], folder: Path) -> None:
    """Write results.json, results.md and results.png into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (folder / "results.md").write_text(_markdown(results), encoding="utf-8")
    _chart(results, folder / "results.png")


def _markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {results['date']}, on {results['cores']} cores "
        f"({results['machine']}). Load: wrk, one thread, {results['connections']} connections, "
        f"{results['seconds']} s per server, after {results['warm_up_seconds']} s of the same "
        f"load. The servers above the proxy's rows ran each in turn, in {results['rounds']} "
        "rounds: each figure is the median of a server's rounds, its requests and failures "
        "their sums.",
        "",
        "| server | requests/s | p50 ms | p99 ms | failed requests |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, load in results["servers"].items():
        lines.append(
            f"| {name} | {load['requests_per_second']:.0f} | {load['p50_ms']:.2f} "
            f"| {load['p99_ms']:.2f} | {load['failures']} |"
        )
    lines += ["", "| measure | value | target | met |", "| --- | ---: | --- | --- |"]
    for target in results["targets"]:
        met = "yes" if target["met"] else "**no**"
        lines.append(f"| {target['measure']} | {target['value']} | {target['target']} | {met} |")
    lines += ["", "![throughput and latency](results.png)", ""]
    return "\n".join(lines)


def _chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results["servers"])
    loads = [results["servers"][name] for name in names]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.bar(names, [load["requests_per_second"] for load in loads], color="#3b6ea5")
    left.set_title("Throughput (requests/s, higher is better)")
    positions = range(len(names))
    right.bar([p - 0.2 for p in positions], [load["p50_ms"] for load in loads], 0.4, label="p50")
    right.bar([p + 0.2 for p in positions], [load["p99_ms"] for load in loads], 0.4, label="p99")
    right.set_xticks(list(positions), names)
    right.set_yscale("log")
    right.set_title("Latency (ms, log scale, lower is better)")
    right.legend()
    for axis in (left, right):
        axis.tick_params(axis="x", labelrotation=15)
    figure.suptitle(
        f"GET /v2/user/info/ on {results['cores']} cores, {results['connections']} connections "
        f"({results['date']})"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
