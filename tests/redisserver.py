"""A private Redis for the tests: Debian's `redis-server` on a free port, in a folder of its
own, writing every change to its append-only file before it answers (so a restart, even
after SIGKILL, keeps everything it acknowledged)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mock_server.process import free_port, wait_for_port

__all__ = ["RedisServer", "redis_server", "require_redis"]

SERVER = shutil.which("redis-server")


def require_redis() -> None:
    """Skip the test where Redis is not installed, saying which package brings it."""
    if SERVER is None:
        pytest.skip("redis-server is not installed: Debian's package redis-server (CI installs it)")


class RedisServer:
    """One redis-server process, which a test can stop and start again on the same port and
    files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert SERVER is not None
        self._process = subprocess.Popen(
            [SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        process = self._process
        wait_for_port("127.0.0.1", self.port, lambda: process.poll() is None)

    def kill(self) -> None:
        """Stop it at once (SIGKILL): nothing is flushed that was not already."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
            self._process = None


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    require_redis()
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()
