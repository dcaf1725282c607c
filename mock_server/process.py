"""The mock's command line, started as a subprocess on a free port: for tests and the soak."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "PROCESS_TIMEOUT",
    "RunningMock",
    "free_port",
    "running_mock",
    "wait_for_answer",
    "wait_for_port",
]

PROCESS_TIMEOUT = 60.0
"""Seconds a server started here gets to listen, or to exit once stopped, before it is given
up: a loaded machine (a CI runner busy with other tests) can take many seconds to start
Python, and a server that is quicker is waited for no longer."""


@dataclass
class RunningMock:
    url: str
    process: subprocess.Popen[str]
    _output: str | None = None

    def stop(self) -> str:
        """Stop the mock with SIGTERM (if it still runs); everything it printed."""
        if self.process.poll() is None:
            self.process.terminate()
        if self._output is None:
            self._output, _ = self.process.communicate(timeout=PROCESS_TIMEOUT)
        return self._output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    host: str,
    port: int,
    alive: Callable[[], bool] = lambda: True,
    timeout: float = PROCESS_TIMEOUT,
) -> None:
    """Return once `host:port` accepts connections; RuntimeError if `alive()` turns false
    first, or `timeout` seconds pass."""

    def accepts(wait: float) -> bool:
        socket.create_connection((host, port), timeout=wait).close()
        return True

    _wait(accepts, alive, timeout, f"{host}:{port}", ("listen", "listened"))


def wait_for_answer(
    host: str,
    port: int,
    alive: Callable[[], bool] = lambda: True,
    timeout: float = PROCESS_TIMEOUT,
) -> None:
    """Return once an HTTP server at `host:port` answers a request, whatever its status:
    granian listens before its worker has started, and a worker stopped before then can
    miss the signal. RuntimeError as for `wait_for_port`."""

    def answers(wait: float) -> bool:
        with socket.create_connection((host, port), timeout=wait) as sock:
            sock.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/1.1 ")

    _wait(answers, alive, timeout, f"{host}:{port}", ("answer", "answered"))


def _wait(
    ready: Callable[[float], bool],
    alive: Callable[[], bool],
    timeout: float,
    where: str,
    verbs: tuple[str, str],
) -> None:
    """Try `ready(seconds it may take)` until it is true; RuntimeError, in `verbs`, if
    `alive()` turns false first, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready(min(1.0, max(0.01, deadline - time.monotonic()))):
                return
        except OSError:
            pass
        if not alive():
            raise RuntimeError(f"nothing will {verbs[0]} on {where}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing {verbs[1]} on {where} within {timeout}s")
        time.sleep(0.01)


@contextmanager
def running_mock(
    *args: str, timeout: float = PROCESS_TIMEOUT, env: Mapping[str, str] | None = None
) -> Iterator[RunningMock]:
    """`python -m mock_server --port <free> *args`, answering on 127.0.0.1; `env` replaces
    its environment."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    mock = RunningMock(f"http://127.0.0.1:{port}", process)
    try:
        try:
            wait_for_answer("127.0.0.1", port, lambda: process.poll() is None, timeout)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: exit code {process.poll()}: {mock.stop()}") from None
        yield mock
    finally:
        mock.stop()
