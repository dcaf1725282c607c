"""The tests' private Redis (see `bench.redis_server`), skipped where it is not installed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench import redis_server as bench_redis
from bench.redis_server import RedisServer

__all__ = ["RedisServer", "redis_server"]


@contextmanager
def redis_server(folder: Path, *, durable: bool = False) -> Iterator[RedisServer]:
    """A redis-server for the test (see `RedisServer` for `durable`); the test is skipped,
    naming the package, without one."""
    if bench_redis.SERVER is None:
        pytest.skip("redis-server is not installed: Debian's package redis-server (CI installs it)")
    with bench_redis.redis_server(folder, bench_redis.SERVER, durable=durable) as server:
        yield server
