"""Starting a server, timing it to its first 200, and stopping it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

__all__ = ["started"]


@contextmanager
def started(
    command: list[str], url: str, *, headers: dict[str, str], timeout: float = 60.0
) -> Iterator[float]:
    """Run `command` until the block ends; yields seconds from launch to its first 200 at `url`."""
    launched = time.perf_counter()
    # A process group of its own, so that stopping it stops the children it forks (Prism
    # forks one); not a session of its own, for Linux's scheduler would then share the cores
    # out by session (autogroup), and the server would get half of them against the load
    # generator and Redis together, whatever its processes and threads.
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, process_group=0
    )
    # One client for every probe: a new one would load its CA certificates each time, some
    # 20 ms of the CPU the server is starting on.
    try:
        with httpx.Client(headers=headers, timeout=1.0) as client:
            while True:
                if process.poll() is not None:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"{command[0]} exited with {process.returncode}: {error}")
                try:
                    if client.get(url).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - launched > timeout:
                    raise RuntimeError(f"{' '.join(command)} gave no 200 within {timeout}s")
                time.sleep(0.002)
        yield time.perf_counter() - launched
    finally:
        _stop(process)
        if process.stderr is not None:
            process.stderr.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole process group, SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
