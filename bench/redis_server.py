"""A private Redis: Debian's `redis-server` on a free port, in a folder of its own. For the
benchmark's Redis rows and the tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mock_server.process import free_port, wait_for_port

__all__ = ["SERVER", "RedisServer", "redis_server"]

SERVER = shutil.which("redis-server")


class RedisServer:
    """One redis-server process, which can be stopped and started again on the same port and
    files. A `durable` one writes every change to its append-only file before it answers, so
    that a restart, even after SIGKILL, keeps everything it acknowledged; the others keep
    nothing on disk."""

    def __init__(self, folder: Path, server: str, *, durable: bool = False) -> None:
        self.folder = folder
        self.server = server
        self.durable = durable
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        kept = ["--appendonly", "yes", "--appendfsync", "always"] if self.durable else []
        self._process = subprocess.Popen(
            [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.folder), "--save", "", *kept],
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
def redis_server(folder: Path, server: str, *, durable: bool = False) -> Iterator[RedisServer]:
    """`server` (a redis-server) running on a free port with its files in `folder`."""
    running = RedisServer(folder, server, durable=durable)
    running.start()
    try:
        yield running
    finally:
        running.kill()
