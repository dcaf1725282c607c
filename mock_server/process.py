"""The mock's command line, started as a subprocess on a free port: for tests and the soak."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["RunningMock", "free_port", "running_mock"]


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
            self._output, _ = self.process.communicate(timeout=10)
        return self._output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_mock(*args: str, timeout: float = 10.0) -> Iterator[RunningMock]:
    """`python -m mock_server --port <free> *args`, ready to answer."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    mock = RunningMock(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the mock exited with {process.returncode}: {mock.stop()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the mock did not listen within {timeout}s") from None
                time.sleep(0.01)
        yield mock
    finally:
        mock.stop()
