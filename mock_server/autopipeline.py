"""Lua scripts run on Redis together: every script call asked for while the event loop runs
one step goes to Redis in one pipeline, one write and one read, whichever request asked for
it, and the calls of one script in that step run as one call of the script looped over them.

Under load many requests are in flight at once, so a request's calls share their round
trip, and the cost of sending and parsing, with those of the others. A call alone is sent at
the loop's next step, as soon as it would have been sent on its own. Redis runs the commands
of a pipeline in order, and the calls looped in one script one after the other, so each
caller sees what it would have seen had its call been sent alone. The calls looped in one
script have as many keys and arguments each, counted once: the fewer values a command has,
the less it costs to send.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

import hiredis
import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, RedisError, ResponseError

__all__ = ["NOTHING_SHARED", "AutoPipeline", "Batched", "Shared", "looped", "packed_by_hiredis"]

Waiting = list[tuple[tuple[Any, ...], "asyncio.Future[Any]"]]
"""Commands to send, each with the future of its caller."""
Calls = list[tuple[Sequence[Any], Sequence[Any], "asyncio.Future[Any]"]]
"""The calls of one script of one shape: their keys, their arguments, and their callers'
futures."""
Shared = tuple[tuple[Any, ...], tuple[Any, ...]]
"""The keys and the arguments that the calls of a batched script share, sent once a step."""
NOTHING_SHARED: Shared = ((), ())

LOOP = """
local out, nk, na, k, a = {}, tonumber(ARGV[4]), tonumber(ARGV[5]), 0, 5
for i = 1, tonumber(ARGV[1]) do
  local keys, args = {}, {}
  for j = 1, nk do keys[j] = KEYS[k + j] end
  for j = 1, na do args[j] = ARGV[a + j] end
  k, a = k + nk, a + na
  local ran, answer = pcall(one, keys, args)
  if not ran then  -- this call's error, to its caller alone
    answer = {err = type(answer) == 'table' and answer.err or tostring(answer)}
  elseif answer == nil then
    answer = false
  end
  out[i] = answer
end
return out
"""


class _HiredisPacking:
    """Commands packed into Redis's protocol by hiredis, in C, rather than in Python."""

    def pack_command(self, *args: Any) -> list[bytes]:
        name, rest = args[0], args[1:]
        words = name.split() if isinstance(name, (str, bytes)) else [name]  # 'SCRIPT LOAD'
        return [hiredis.pack_command((*words, *rest))]


def packed_by_hiredis(pool: aioredis.ConnectionPool) -> aioredis.ConnectionPool:
    """`pool`, its connections packing commands with hiredis: the same bytes, made faster."""
    base = pool.connection_class
    pool.connection_class = type(base.__name__, (_HiredisPacking, base), {})
    return pool


class Batched(str):
    """A script that takes the calls of a step itself, in `looped`'s layout (one call too),
    and answers a list of their answers: for what the calls share to be done once.

    The keys and arguments its calls share (`Shared`) come first, once: the shared keys
    begin KEYS, and ARGV[2] and ARGV[3] count them and the shared arguments, which follow
    ARGV[4] and ARGV[5], the number of keys and of arguments of each call.
    """


def looped(script: str) -> str:
    """`script` as a function run once for each call: ARGV[1] is the number of calls,
    ARGV[2] and ARGV[3] the number of keys and arguments they share (none, here), ARGV[4]
    and ARGV[5] the number of keys and of arguments of each call, which follow in order; it
    answers a list of the answers."""
    return f"local function one(KEYS, ARGV)\n{script}\nend\n{LOOP}"


class AutoPipeline:
    """Runs the script calls of `eval` through `redis`, a pipeline per step of the event loop;
    an answer is awaited within `timeout` seconds.

    A call that fails (a Lua error, a key of the wrong type) raises its error to its caller
    alone, as `ResponseError`, what it changed before it failed kept, as Redis keeps it for a
    script; a lost connection, or one that takes longer than `timeout`, raises to every caller
    of its pipeline, as `RedisError`, `OSError` or `TimeoutError`.
    """

    def __init__(self, redis: aioredis.Redis, timeout: float) -> None:
        self._redis = redis
        self._timeout = timeout
        self._scripts: dict[tuple[str, Shared, int, int], Calls] = {}
        self._looped: dict[str, str] = {}
        self._shas: dict[str, str] = {}
        self._scripts_of: dict[str, str] = {}
        self._sending: set[asyncio.Task[None]] = set()  # held, so that none is collected

    def eval(
        self,
        script: str,
        keys: Sequence[Any],
        args: Sequence[Any],
        shared: Shared = NOTHING_SHARED,
    ) -> asyncio.Future[Any]:
        """The answer of the Lua `script` run on `keys` and `args`, with the other calls of
        it in this step that have as many keys and arguments; a `Batched` script's calls that
        give the same `shared` too are sent as one call, with `shared` once."""
        if shared != NOTHING_SHARED and not isinstance(script, Batched):
            raise ValueError("only a batched script's calls share keys and arguments")
        loop = asyncio.get_running_loop()
        if not self._scripts:
            loop.call_soon(self._send)
        future: asyncio.Future[Any] = loop.create_future()
        shape = (script, shared, len(keys), len(args))
        self._scripts.setdefault(shape, []).append((keys, args, future))
        return future

    def _send(self) -> None:
        batch: Waiting = []
        for (script, shared, _, _), calls in self._scripts.items():
            if len(calls) == 1 and not isinstance(script, Batched):
                keys, args, future = calls[0]
                batch.append((("EVALSHA", self._sha(script), len(keys), *keys, *args), future))
            else:
                batch.append(self._loop(script, shared, calls))
        self._scripts = {}
        task = asyncio.get_running_loop().create_task(self._execute(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    def _loop(
        self, script: str, shared: Shared, calls: Calls
    ) -> tuple[tuple[Any, ...], asyncio.Future[Any]]:
        """One EVAL of `script` looped over `calls`, which share `shared` and their shape,
        and a future whose list of answers is handed out to theirs."""
        if isinstance(script, Batched):
            body: str = script
        else:
            body = self._looped.get(script) or self._looped.setdefault(script, looped(script))
        shared_keys, shared_args = shared
        first_keys, first_args, _ = calls[0]
        counts = (len(calls), len(shared_keys), len(shared_args), len(first_keys), len(first_args))
        keys: list[Any] = [*shared_keys]
        args: list[Any] = [*counts, *shared_args]
        for call_keys, call_args, _ in calls:
            keys += call_keys
            args += call_args
        futures = [future for _, _, future in calls]
        answers: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        answers.add_done_callback(lambda done: _hand_out(done, futures))
        return ("EVALSHA", self._sha(body), len(keys), *keys, *args), answers

    def _sha(self, script: str) -> str:
        sha = self._shas.get(script)
        if sha is None:
            sha = self._shas[script] = hashlib.sha1(script.encode()).hexdigest()
            self._scripts_of[sha] = script
        return sha

    async def _execute(self, batch: Waiting) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                answers = await self._answers(batch)
        except (RedisError, OSError, TimeoutError) as lost:
            answers = [lost] * len(batch)
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        unknown = [i for i, answer in enumerate(answers) if isinstance(answer, NoScriptError)]
        if unknown:  # Redis forgot the scripts (it restarted): none of these ran, so send again
            answers = await self._again(batch, unknown, answers)
        for (_, future), answer in zip(batch, answers, strict=True):
            _settle(future, answer)

    async def _answers(self, batch: Waiting) -> list[Any]:
        """The answers of `batch`'s commands, sent together on a connection of the pool, an
        error among them for each that failed; past the client's layers, which cost more
        than the step's own work when the step is short."""
        pool = self._redis.connection_pool
        connection = await pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            packed = connection.pack_commands([args for args, _ in batch])
            await connection.send_packed_command(packed, check_health=False)
            answers: list[Any] = []
            for _ in batch:
                try:
                    answers.append(await connection.read_response())
                except ResponseError as failed:
                    answers.append(failed)
        finally:  # a connection that failed (or timed out) was closed by redis-py, its
            # late answers with it
            await pool.release(connection)
        return answers

    async def _again(self, batch: Waiting, unknown: list[int], answers: list[Any]) -> list[Any]:
        """`answers`, with those at `unknown` of commands sent again once their scripts are
        loaded."""
        pipe = self._redis.pipeline(transaction=False)
        for sha in {batch[i][0][1] for i in unknown}:
            pipe.script_load(self._scripts_of[sha])
        for i in unknown:
            pipe.execute_command(*batch[i][0])
        try:
            async with asyncio.timeout(self._timeout):
                again = (await pipe.execute(raise_on_error=False))[-len(unknown) :]
        except (RedisError, OSError, TimeoutError) as lost:
            again = [lost] * len(unknown)
        answers = list(answers)
        for i, answer in zip(unknown, again, strict=True):
            answers[i] = answer
        return answers


def _hand_out(done: asyncio.Future[Any], futures: list[asyncio.Future[Any]]) -> None:
    """The answers of a looped script, each to its caller's future."""
    if done.cancelled():
        for future in futures:
            future.cancel()
        return
    failed = done.exception()
    answers = [failed] * len(futures) if failed is not None else done.result()
    for future, answer in zip(futures, answers, strict=True):
        _settle(future, answer)


def _settle(future: asyncio.Future[Any], answer: Any) -> None:
    if future.done():  # its caller stopped waiting
        return
    if isinstance(answer, BaseException):
        future.set_exception(answer)
    else:
        future.set_result(answer)
