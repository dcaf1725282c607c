"""The script calls of one step of the event loop go to Redis together, each answered as if
sent alone (over a private redis-server)."""

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

from mock_server.autopipeline import AutoPipeline, Batched, packed_by_hiredis
from tests.support.redisserver import RedisServer, redis_server

COUNT = """
local n = redis.call('INCR', KEYS[1])
if ARGV[1] == 'nothing' then return false end
return {n, ARGV[1]}
"""
INCREMENTED = "return redis.call('INCR', KEYS[1])"
PING = "return redis.call('PING')"


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


async def command(redis: RedisServer, *args: Any) -> Any:
    """`args` sent to Redis by a client of its own."""
    client = aioredis.Redis.from_url(redis.url)
    try:
        return await client.execute_command(*args)  # type: ignore[no-untyped-call]
    finally:
        await client.aclose()


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


def test_the_calls_of_one_script_with_other_counts_are_a_command_of_their_own(
    redis: RedisServer,
) -> None:
    async def test() -> None:
        async with pipeline(redis.url) as pipe:
            for start in (0, 4):  # the second time, Redis knows the scripts
                before = await calls_of(redis, "evalsha")
                answers = await asyncio.gather(
                    pipe.eval(COUNT, ["shape"], ["a"]), pipe.eval(COUNT, ["shape", "b"], ["b"]),
                    pipe.eval(COUNT, ["shape"], ["c", "more"]), pipe.eval(COUNT, ["shape"], ["d"]),
                )  # fmt: skip
                assert list(answers) == [
                    [start + n, w] for n, w in ((1, b"a"), (3, b"b"), (4, b"c"), (2, b"d"))
                ]
            assert await calls_of(redis, "evalsha") - before == 3

    run(test)


def test_a_failing_call_fails_its_caller_alone(redis: RedisServer) -> None:
    async def test() -> None:
        await command(redis, "SET", "text", "not a number")
        async with pipeline(redis.url) as pipe:
            results = await asyncio.gather(
                pipe.eval(INCREMENTED, ["m"], []), pipe.eval(INCREMENTED, ["text"], []),
                pipe.eval(INCREMENTED, ["m"], []), return_exceptions=True,
            )  # fmt: skip
            assert results[0] == 1 and results[2] == 2
            assert isinstance(results[1], ResponseError) and "not an integer" in str(results[1])
            with pytest.raises(ResponseError, match="not an integer"):  # alone, the same
                await pipe.eval(INCREMENTED, ["text"], [])

    run(test)


def test_scripts_redis_forgot_are_loaded_again_and_each_call_runs_once(
    redis: RedisServer,
) -> None:
    async def test() -> None:
        async with pipeline(redis.url) as pipe:
            assert await pipe.eval(COUNT, ["once"], ["a"]) == [1, b"a"]
            await command(redis, "SCRIPT", "FLUSH")
            assert await pipe.eval(COUNT, ["once"], ["b"]) == [2, b"b"]
            assert await asyncio.gather(*(pipe.eval(COUNT, ["once"], ["c"]) for _ in range(3))) == [
                [3, b"c"], [4, b"c"], [5, b"c"]
            ]  # fmt: skip
            await command(redis, "SCRIPT", "FLUSH")
            assert await asyncio.gather(*(pipe.eval(COUNT, ["once"], ["d"]) for _ in range(3))) == [
                [6, b"d"], [7, b"d"], [8, b"d"]
            ]  # fmt: skip
            assert await command(redis, "GET", "once") == b"8"

    run(test)


def test_a_lost_redis_fails_every_caller_of_the_step(tmp_path: Path) -> None:
    async def test() -> None:
        with redis_server(tmp_path) as server:
            url = server.url
        async with pipeline(url) as pipe:  # nothing listens there now
            results = await asyncio.gather(
                pipe.eval(PING, [], []), pipe.eval(COUNT, ["k"], ["a"]),
                pipe.eval(COUNT, ["k"], ["b"]), return_exceptions=True,
            )  # fmt: skip
            assert all(isinstance(result, (RedisConnectionError, OSError)) for result in results)

    run(test)


def test_an_answer_later_than_the_timeout_fails_its_callers(redis: RedisServer) -> None:
    async def test() -> None:
        async with pipeline(redis.url, timeout=0.2) as pipe:
            assert await pipe.eval(PING, [], []) == b"PONG"  # Redis knows the script
            await command(redis, "CLIENT", "PAUSE", "1000", "ALL")
            started = asyncio.get_running_loop().time()
            with pytest.raises(TimeoutError):
                await pipe.eval(PING, [], [])
            assert asyncio.get_running_loop().time() - started < 0.9
            await command(redis, "CLIENT", "UNPAUSE")
            await asyncio.sleep(0.1)  # the late answer has come, to a connection closed
            # a call's own answer, not the one that came late
            assert await pipe.eval(COUNT, ["late"], ["x"]) == [1, b"x"]

    run(test)


def test_only_a_batched_scripts_calls_share_keys_and_arguments(redis: RedisServer) -> None:
    async def test() -> None:
        async with pipeline(redis.url) as pipe:
            with pytest.raises(ValueError, match="only a batched script"):
                pipe.eval(INCREMENTED, [], [], (("counted",), ()))

    run(test)


SUMMED = Batched("""
local out, total, a = {}, tonumber(ARGV[6]), 6
for i = 1, tonumber(ARGV[1]) do
  total = total + tonumber(ARGV[a + 1])
  out[i] = total
  a = a + tonumber(ARGV[5])
end
redis.call('INCRBY', KEYS[1], total)
return out
""")
"""Answers each call the running total of the shared start and the step's arguments, written
once to the shared key."""


def test_a_batched_script_takes_every_call_of_a_step_itself_one_alone_too(
    redis: RedisServer,
) -> None:
    async def test() -> None:
        async with pipeline(redis.url) as pipe:
            before = await calls_of(redis, "incrby")
            alone = await pipe.eval(SUMMED, [], [5], (("sum",), (0,)))
            together = await asyncio.gather(
                *(pipe.eval(SUMMED, [], [n], (("sum",), (10,))) for n in (1, 2, 3)),
                pipe.eval(SUMMED, [], [4], (("sum",), (100,))),  # shares another start
            )
            assert (alone, together) == (5, [11, 13, 16, 104])  # each its own answer
            assert await calls_of(redis, "incrby") - before == 3  # once a step and start
            assert await command(redis, "GET", "sum") == b"125"

    run(test)
