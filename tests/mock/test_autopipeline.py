"""The commands of one step of the event loop go to Redis together, each answered as if sent
alone (over a private redis-server)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from mock_server.autopipeline import AutoPipeline, packed_by_hiredis
from tests.support.redisserver import RedisServer, redis_server

COUNT = """
local n = redis.call('INCR', KEYS[1])
if ARGV[1] == 'nothing' then return false end
return {n, ARGV[1]}
"""


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@asynccontextmanager
async def pipeline(url: str, timeout: float = 2.0) -> AsyncIterator[AutoPipeline]:
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=8)
    client = aioredis.Redis.from_pool(packed_by_hiredis(pool))
    try:
        yield AutoPipeline(client, timeout)
    finally:
        await client.aclose()


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())  # type: ignore[arg-type]


async def calls_of(redis: RedisServer, command: str) -> int:
    """How many times Redis has run `command` since it started."""
    client = aioredis.Redis.from_url(redis.url)
    try:
        stats: dict[str, Any] = await client.info("commandstats")
    finally:
        await client.aclose()
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


def test_the_calls_of_one_step_are_one_command_each_answered_in_order(
    redis: RedisServer,
) -> None:
    async def test() -> None:
        async with pipeline(redis.url) as pipe:
            # Redis knows the script, alone and looped, from here on
            await asyncio.gather(*(pipe.eval(COUNT, ["warm"], ["x"]) for _ in range(2)))
            before = await calls_of(redis, "evalsha")
            answers = await asyncio.gather(
                *(pipe.eval(COUNT, ["order"], ["nothing" if n % 7 == 0 else str(n)])
                  for n in range(100))
            )  # fmt: skip
            assert await calls_of(redis, "evalsha") - before == 1
            assert answers == [None if n % 7 == 0 else [n + 1, str(n).encode()] for n in range(100)]

    run(test)


def test_a_refused_command_fails_its_caller_alone(redis: RedisServer) -> None:
    async def test() -> None:
        async with pipeline(redis.url) as pipe:
            await pipe.call("SET", "text", "not a number")
            results = await asyncio.gather(
                pipe.call("INCR", "n"), pipe.call("INCR", "text"), pipe.call("INCR", "n"),
                return_exceptions=True,
            )  # fmt: skip
            assert results[0] == 1 and results[2] == 2
            assert isinstance(results[1], ResponseError) and "not an integer" in str(results[1])

    run(test)


def test_scripts_redis_forgot_are_loaded_again_and_each_call_runs_once(
    redis: RedisServer,
) -> None:
    async def test() -> None:
        async with pipeline(redis.url) as pipe:
            assert await pipe.eval(COUNT, ["once"], ["a"]) == [1, b"a"]
            await pipe.call("SCRIPT", "FLUSH")
            alone, read = await asyncio.gather(
                pipe.eval(COUNT, ["once"], ["b"]), pipe.call("GET", "once")
            )
            assert alone == [2, b"b"]
            assert read == b"1"  # read in the step the script was sent again after
            assert await asyncio.gather(*(pipe.eval(COUNT, ["once"], ["c"]) for _ in range(3))) == [
                [3, b"c"], [4, b"c"], [5, b"c"]
            ]  # fmt: skip
            await pipe.call("SCRIPT", "FLUSH")
            assert await asyncio.gather(*(pipe.eval(COUNT, ["once"], ["d"]) for _ in range(3))) == [
                [6, b"d"], [7, b"d"], [8, b"d"]
            ]  # fmt: skip

    run(test)


def test_a_lost_redis_fails_every_caller_of_the_step(tmp_path: Path) -> None:
    async def test() -> None:
        with redis_server(tmp_path) as server:
            url = server.url
        async with pipeline(url) as pipe:  # nothing listens there now
            results = await asyncio.gather(
                pipe.call("PING"), pipe.eval(COUNT, ["k"], ["a"]), pipe.eval(COUNT, ["k"], ["b"]),
                return_exceptions=True,
            )  # fmt: skip
            assert all(isinstance(result, (RedisConnectionError, OSError)) for result in results)

    run(test)


def test_an_answer_later_than_the_timeout_fails_its_callers(redis: RedisServer) -> None:
    async def test() -> None:
        async with pipeline(redis.url, timeout=0.2) as pipe, pipeline(redis.url) as other:
            await other.call("CLIENT", "PAUSE", "1000", "ALL")
            started = asyncio.get_running_loop().time()
            with pytest.raises(TimeoutError):
                await pipe.call("PING")
            assert asyncio.get_running_loop().time() - started < 0.9
            await other.call("CLIENT", "UNPAUSE")
            assert await pipe.call("PING") is True  # a connection of its own again

    run(test)
