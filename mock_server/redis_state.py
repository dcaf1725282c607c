"""The mock's state in Redis, shared by every worker process and host that points at it.

Each change is one Redis command or one Lua script, so it is atomic across processes: a code
or a refresh token is used up by one request only, a scenario is taken by one request only,
and the rate limit counts every process's requests in one window per token, on Redis's
clock. What expires (issued tokens, codes, refresh tokens, rate-limit windows) carries
Redis's own time to live, and each kind of issued item is bounded by an index in order of
expiry, as in memory. The journal is a list bounded by count and by bytes.

Every key begins with the prefix, so mocks with different prefixes share a Redis without
seeing each other's state. A command that fails to reach Redis raises `StoreUnavailable`;
the next one connects again, so the mock recovers by itself when Redis is back. Commands are
not retried: a change Redis may have made is never made twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import orjson
import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .answers import Answer
from .autopipeline import NOTHING_SHARED, AutoPipeline, Batched, Shared, packed_by_hiredis
from .contract import ErrorReply
from .findings import Finding, Findings
from .fixtures import Code, Fixtures, Grant
from .journal import DEFAULT_BYTES, DEFAULT_SIZE, Arrival, Raw, RecordedRequest, redacted, select
from .oauth import Consent
from .ratelimit import WINDOW
from .scenarios import MAX_SCENARIOS, QueueFull, Scenario
from .state import DEFAULT_PREFIX, DEFAULT_RATE_LIMIT, Admission, StoreUnavailable
from .store import MAX_ISSUED, Entry, IssuedCode, Refresh

__all__ = ["TIMEOUT", "RedisState", "reachable", "shown"]

TIMEOUT = 2.0
"""Seconds to connect to Redis, and then to wait for each answer."""
MAX_CONNECTIONS = 256
"""Connections to Redis each process opens at most; a command waits for one past that."""
READ_BATCH = 256
"""How many journal entries a read fetches at a time, newest first."""
SEEN = 4096
"""How many tokens' entries a process keeps, each with the version of its value in Redis."""
T = TypeVar("T")

# Each item of a kind that expires is a key with a time to live, indexed in a sorted set by
# expiry: KEYS[1] the item, KEYS[2] the index; ARGV the index's member, the value, its expiry
# (ms since the epoch), the most items the index holds, and what item keys begin with.
PUT_EXPIRING = """
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local t = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', t[1] * 1000 + math.floor(t[2] / 1000))
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  for _, member in ipairs(redis.call('ZPOPMIN', KEYS[2], over)) do
    if _ % 2 == 1 then redis.call('DEL', ARGV[5] .. member) end
  end
end
return 1
"""
# What the scripts that admit and journal requests share: each takes the calls of a step
# (`autopipeline.Batched`) and reads and writes what they share once, the token's value and
# window, the time, the journal, with the effect of the calls run one by one. SK and SA are
# the keys and the arguments the calls share, the arguments all numbers; `each(one)` answers
# the list of what `one(kb, ab)` answers for each call, where KEYS[kb + j] and ARGV[ab + j]
# are the call's own, then writes what the calls added.
STEP = """
local SK, SA = {}, {}
for j = 1, tonumber(ARGV[2]) do SK[j] = KEYS[j] end
for j = 1, tonumber(ARGV[3]) do SA[j] = tonumber(ARGV[5 + j]) end
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tokens, windows, journals, order = {}, {}, {}, {}
-- The token at `key`, read once: its value, when it stops being valid (0 never, -1 valid for
-- ever, else us since the epoch) and the version of its value; false for none.
local function token_of(key)
  local token = tokens[key]
  if token == nil then
    local value = redis.call('GET', key)
    token = false
    if value then
      local valid_until, version = string.match(value, '^([^ ]+) ([^ ]+)')
      token = {value = value, valid_until = tonumber(valid_until), version = version}
    end
    tokens[key] = token
  end
  return token
end
-- A window is a list of one item a step that admitted requests, 'its time (us) the total
-- admitted so far', after an item '0 0'; the first item is the last one that left the
-- window, so the window holds the last total less the first. Its length is bounded by the
-- limit, and it expires with the window's span.
local function total(item) return tonumber(string.match(item, ' (%d+)$')) end
local function time_of(item) return tonumber(string.match(item, '^(%d+)')) end
-- 1 if the window at `key` admits a request now of `token`, counting it, else 0: `now` in
-- us (a string, read only for a token that expires), the limit (0: none), the window's span
-- in us.
local function admitted(token, key, now, limit, span)
  local valid_until = token.valid_until
  if valid_until == 0 or (valid_until > 0 and valid_until <= tonumber(now)) then return 0 end
  if limit == 0 then return 1 end
  local window = windows[key]
  if window == nil then
    local first, last = redis.call('LINDEX', key, 0), 0
    if first then
      local since, second = now_us - span, redis.call('LINDEX', key, 1)
      while second and time_of(second) <= since do
        redis.call('LPOP', key)
        first, second = second, redis.call('LINDEX', key, 1)
      end
      last = total(redis.call('LINDEX', key, -1))
    end
    window = {count = last - (first and total(first) or 0), last = last, span = span,
      new = not first, added = 0}
    windows[key] = window
  end
  if window.count >= limit then return 0 end
  window.count, window.added = window.count + 1, window.added + 1
  return 1
end
-- 1 if the entry (its size, a space, its JSON) of a request that arrived at `arrival` (us,
-- a string) is kept in the journal at `key`, else 0 (the journal was cleared since, or
-- keeps none); the journal keeps the last `most` entries that fit in `most_bytes`.
local function journaled(key, bytes_key, cleared_key, arrival, size, entry, most, most_bytes)
  local journal = journals[key]
  if journal == nil then
    local cleared = redis.call('GET', cleared_key)
    journal = {bytes_key = bytes_key, cleared = cleared and tonumber(cleared), most = most,
      most_bytes = most_bytes, entries = {}, total = 0}
    journals[key] = journal
    table.insert(order, key)
  end
  if (journal.cleared and tonumber(arrival) < journal.cleared * 1000000) or most == 0 then
    return 0
  end
  table.insert(journal.entries, entry)
  journal.total = journal.total + size
  return 1
end
local function written()
  for key, window in pairs(windows) do
    if window.added > 0 then
      if window.new then redis.call('RPUSH', key, '0 0') end
      redis.call('RPUSH', key, string.format('%d %d', now_us, window.last + window.added))
      redis.call('PEXPIRE', key, math.ceil(window.span / 1000))
    end
  end
  for _, key in ipairs(order) do
    local journal = journals[key]
    local entries = journal.entries
    if #entries > 0 then
      local count
      for first = 1, #entries, 1000 do
        count = redis.call('LPUSH', key, unpack(entries, first, math.min(first + 999, #entries)))
      end
      local bytes = redis.call('INCRBY', journal.bytes_key, journal.total)
      local over = count - journal.most
      if over > 0 then
        local freed = 0
        for _, oldest in ipairs(redis.call('RPOP', key, over)) do
          freed = freed + tonumber(string.match(oldest, '^%d+'))
        end
        bytes = redis.call('DECRBY', journal.bytes_key, freed)
      end
      while bytes > journal.most_bytes do
        local oldest = redis.call('RPOP', key)
        bytes = redis.call('DECRBY', journal.bytes_key, tonumber(string.match(oldest, '^%d+')))
      end
    end
  end
end
local function each(one)
  local out, nk, na, k, a = {}, tonumber(ARGV[4]), tonumber(ARGV[5]), #SK, 5 + #SA
  for i = 1, tonumber(ARGV[1]) do
    out[i] = one(k, a)
    k, a = k + nk, a + na
  end
  written()
  return out
end
"""
# Shared: the limit (0: none) and the window (us) as SA[1], SA[2]. KEYS: the token, its
# window; ARGV: now (us). Answers the token's value and whether the request was admitted (0
# or 1), or false for a token not found.
FIND_ADMITTED = Batched(
    STEP
    + """
return each(function(kb, ab)
  local token = token_of(KEYS[kb + 1])
  if not token then return false end
  return {token.value, admitted(token, KEYS[kb + 2], ARGV[ab + 1], SA[1], SA[2])}
end)
"""
)
# Shared: the journal, its byte count, when it was last cleared (SK[1] to SK[3]); the most
# entries and bytes kept (SA[1], SA[2]). ARGV: the request's arrival (us), its size, the entry
# (its size, a space, its JSON).
RECORD = Batched(
    STEP
    + """
return each(function(kb, ab)
  return journaled(SK[1], SK[2], SK[3], ARGV[ab + 1], tonumber(ARGV[ab + 2]), ARGV[ab + 3],
    SA[1], SA[2])
end)
"""
)
# KEYS: the scenarios, their times left, the set of queues, the queue, the id counter;
# ARGV: the scenario, its times, the most scenarios queued.
ADD_SCENARIO = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
local id = redis.call('INCR', KEYS[5])
redis.call('HSET', KEYS[1], id, ARGV[1])
redis.call('HSET', KEYS[2], id, ARGV[2])
redis.call('SADD', KEYS[3], KEYS[4])
redis.call('RPUSH', KEYS[4], id)
return id
"""
# KEYS: the scenarios, their times left, the queue for any token, the queue for this one.
TAKE_SCENARIO = """
if redis.call('EXISTS', KEYS[3], KEYS[4]) == 0 then return false end
local any = redis.call('LINDEX', KEYS[3], 0)
local own = KEYS[4] ~= KEYS[3] and redis.call('LINDEX', KEYS[4], 0)
local queue, id
if any and (not own or tonumber(any) < tonumber(own)) then
  queue, id = KEYS[3], any
elseif own then
  queue, id = KEYS[4], own
else
  return false
end
local left = redis.call('HINCRBY', KEYS[2], id, -1)
local scenario = redis.call('HGET', KEYS[1], id)
if left <= 0 then
  redis.call('LPOP', queue)
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
return {id, scenario, left}
"""
# The user-info requests of one step. Shared: the scenarios, their times left, the queue for
# any token (SK[1] to SK[3]), then RECORD's keys (SK[4] to SK[6]); FIND_ADMITTED's shared
# arguments, then RECORD's (SA[1] to SA[4]). KEYS: the token's queue, then FIND_ADMITTED's.
# ARGV: the request's numbers, then its entry (RECORD's) with the status of an admitted
# request. Its numbers, in one argument: now (us), the version of the token's value the
# caller has answered, the status of its answer for a token not found, admitted, and
# refused, its arrival (us) and its size. Answers, for each, the request recorded with the
# status of its admission: -1 (not found), 0 (refused) or 1 (admitted); else {1, the scenario
# taken}; or, for a value of another version, {0, FIND_ADMITTED's answer}, recorded by no one
# yet.
TAKE_OR_ANSWER = Batched(
    STEP
    + "local function take(KEYS, ARGV)\n"
    + TAKE_SCENARIO
    + """
end
local empty = {}  -- the queues found empty: no scenario is queued during the script
local NUMBERS = '^(%d+) (%S+) (%d+) (%d+) (%d+) (%d+) (%d+)$'
return each(function(kb, ab)
  local own = KEYS[kb + 1]
  if not empty[own] then
    local taken = take({SK[1], SK[2], SK[3], own}, {})
    if taken then return {1, taken} end
    empty[own] = true
  end
  local now, version, missing, ok, refused, arrival, size = string.match(ARGV[ab + 1], NUMBERS)
  local token, entry = token_of(KEYS[kb + 2]), ARGV[ab + 2]
  local found, status = -1, missing
  if token then
    found = admitted(token, KEYS[kb + 3], now, SA[1], SA[2])
    if token.version ~= version then return {0, {token.value, found}} end
    status = found == 1 and ok or refused
  end
  if status ~= ok then entry = string.sub(entry, 1, #entry - #ok - 1) .. status .. '}' end
  journaled(SK[4], SK[5], SK[6], arrival, tonumber(size), entry, SA[3], SA[4])
  return found
end)
"""
)
# KEYS: the scenarios, their times left, the set of queues.
CLEAR_SCENARIOS = """
for _, queue in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('DEL', queue) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
"""
# KEYS: the access token, its index, its refresh token's link; ARGV: the token's index
# member, what refresh token keys begin with, their index.
REVOKE = """
local refresh = redis.call('GET', KEYS[3])
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[1])
if refresh then
  redis.call('DEL', ARGV[2] .. refresh)
  redis.call('ZREM', ARGV[3], refresh)
end
return 1
"""


def shown(url: str) -> str:
    """`url` with its password, if any, left out: as logs and messages show it."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def reachable(url: str) -> str | None:
    """Why the Redis at `url` cannot be used, or None if it answers: the start-up check."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
    except (RedisError, OSError, ValueError) as exc:
        return f"cannot reach the store at {shown(url)}: {exc}"
    return None


class RedisState:
    """One mock's state in the Redis at `url`, under `prefix`; see the module's docstring."""

    def __init__(
        self,
        url: str,
        fixtures: Fixtures,
        *,
        prefix: str = DEFAULT_PREFIX,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        journal_size: int = DEFAULT_SIZE,
        journal_bytes: int = DEFAULT_BYTES,
        window: float = WINDOW,
        clock: Callable[[], float] = time.time,
        limit: int = MAX_ISSUED,
    ) -> None:
        self.fixtures = fixtures
        self.findings = Findings()
        self.where = f"the store at {shown(url)}"
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=TIMEOUT,
            socket_timeout=TIMEOUT,
            socket_connect_timeout=TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
        self._redis = aioredis.Redis.from_pool(packed_by_hiredis(pool))  # closing it closes it
        self._prefix = prefix
        self._clock = clock
        self._limit = limit
        self._seeded = False
        self._pipeline = AutoPipeline(self._redis, TIMEOUT)
        self._seen: dict[str, tuple[bytes, Entry]] = {}
        # The keys of the journal and of the scenarios (TAKE_SCENARIO's first two)
        journal_keys = tuple(self._key(k) for k in ("journal", "journal-bytes", "journal-cleared"))
        self._scenario_keys = [self._key(k) for k in ("scenarios", "scenario-times", "queues")]
        # What the calls of FIND_ADMITTED, RECORD and TAKE_OR_ANSWER share
        self._admitting: Shared = ((), (rate_limit, round(window * 1_000_000)))
        self._recording: Shared = (journal_keys, (journal_size, journal_bytes))
        self._answering: dict[str, Shared] = {}

    def _key(self, *parts: str) -> str:
        return _keyed(self._prefix, *parts)

    async def _call(self, command: Awaitable[T]) -> T:
        try:
            return await command
        except (RedisError, OSError) as exc:
            self._seeded = False  # Redis may come back empty: look again then
            raise StoreUnavailable(f"{self.where} is unreachable: {exc}") from None

    def _eval(
        self,
        script: str,
        keys: Sequence[str],
        args: Sequence[object] = (),
        shared: Shared = NOTHING_SHARED,
    ) -> Awaitable[Any]:
        """Run `script` on `keys` and `args`, with the other commands of this step."""
        return self._pipeline.eval(script, keys, args, shared)

    async def _ready(self) -> None:
        """Seed the fixtures' tokens, once for every mock on this Redis and prefix."""
        if self._seeded:
            return
        if await self._call(self._redis.set(self._key("seeded"), "1", nx=True)):
            await self._seed()
        self._seeded = True

    async def _seed(self) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for token, grant in self.fixtures.grants.items():
            pipe.set(self._key("token", _digest(token)), _grant_json(token, grant))
        await self._call(pipe.execute())

    # Access tokens

    async def find(self, token: str) -> Entry | None:
        await self._ready()
        raw = await self._call(self._redis.get(self._key("token", _digest(token))))
        if raw is None:
            return None
        entry = _entry(raw)
        return entry if hmac.compare_digest(entry.token, token) else None

    async def add_token(self, token: str, grant: Grant) -> None:
        await self._ready()
        digest = _digest(token)
        key = self._key("token", digest)
        await self._call(self._redis.zrem(self._key("issued"), digest))
        if grant.expires_at is None:
            await self._call(self._redis.set(key, _grant_json(token, grant)))
        else:
            await self._expiring(key, "issued", digest, _grant_json(token, grant), grant.expires_at)

    async def _expiring(self, key: str, index: str, member: str, value: str, at: float) -> None:
        keys = [key, self._key(index)]
        args: list[str | int] = [member, value, round(at * 1000), self._limit, key[: -len(member)]]
        await self._call(self._eval(PUT_EXPIRING, keys, args))

    async def remove_token(self, token: str) -> bool:
        await self._ready()
        digest = _digest(token)
        await self._call(self._redis.zrem(self._key("issued"), digest))
        return bool(await self._call(self._redis.delete(self._key("token", digest))))

    async def grants(self) -> dict[str, Grant]:
        await self._ready()
        keys = [key async for key in self._redis.scan_iter(match=self._pattern("token:*"))]
        values = await self._call(self._redis.mget(keys)) if keys else []
        entries = [_entry(value) for value in values if value is not None]
        return {entry.token: entry.grant for entry in entries}

    # Codes and refresh tokens

    async def add_code(self, code: str, issued: IssuedCode) -> None:
        value = json.dumps(
            {
                "user": issued.code.user,
                "scopes": sorted(issued.code.scopes),
                "client_key": issued.code.client_key,
                "redirect_uri": issued.code.redirect_uri,
                "expires_at": issued.expires_at,
                "challenge": issued.challenge,
            }
        )
        await self._expiring(self._key("code", code), "codes", code, value, issued.expires_at)

    async def code(self, code: str) -> IssuedCode | None:
        fixture = self.fixtures.codes.get(code)
        if fixture is not None:
            return IssuedCode(fixture, float("inf"))
        raw = await self._call(self._redis.get(self._key("code", code)))
        if raw is None:
            return None
        item = json.loads(raw)
        issued = IssuedCode(
            Code(item["user"], frozenset(item["scopes"]), item["client_key"], item["redirect_uri"]),
            item["expires_at"],
            item["challenge"],
        )
        return None if self._clock() >= issued.expires_at else issued

    async def spend_code(self, code: str) -> bool:
        if code in self.fixtures.codes:
            return True
        await self._call(self._redis.zrem(self._key("codes"), code))
        return bool(await self._call(self._redis.delete(self._key("code", code))))

    async def add_refresh(self, token: str, refresh: Refresh) -> None:
        value = json.dumps(
            {
                "user": refresh.user,
                "scopes": sorted(refresh.scopes),
                "client_key": refresh.client_key,
                "access_token": refresh.access_token,
                "expires_at": refresh.expires_at,
            }
        )
        key = self._key("refresh", token)
        await self._expiring(key, "refreshes", token, value, refresh.expires_at)
        link = self._key("refresh-of", _digest(refresh.access_token))
        at = round(refresh.expires_at * 1000)
        await self._call(self._redis.set(link, token, pxat=at))

    async def refresh(self, token: str) -> Refresh | None:
        raw = await self._call(self._redis.get(self._key("refresh", token)))
        if raw is None:
            return None
        item = json.loads(raw)
        refresh = Refresh(
            item["user"],
            frozenset(item["scopes"]),
            item["client_key"],
            item["access_token"],
            item["expires_at"],
        )
        return None if self._clock() >= refresh.expires_at else refresh

    async def spend_refresh(self, token: str) -> bool:
        await self._call(self._redis.zrem(self._key("refreshes"), token))
        return bool(await self._call(self._redis.delete(self._key("refresh", token))))

    async def revoke(self, access_token: str) -> None:
        await self._ready()
        digest = _digest(access_token)
        keys = [self._key("token", digest), self._key("issued"), self._key("refresh-of", digest)]
        args = [digest, self._key("refresh", ""), self._key("refreshes")]
        await self._call(self._eval(REVOKE, keys, args))

    # The rate limit

    async def find_admitted(self, token: str, now: float) -> Admission:
        await self._ready()
        keys = list(_value_and_window(self._prefix, token))
        args = [_micros(now)]
        found = await self._call(self._eval(FIND_ADMITTED, keys, args, self._admitting))
        return self._admitted(token, found)

    def _admitted(self, token: str, found: list[bytes | int] | None) -> Admission:
        """The admission FIND_ADMITTED's answer stands for; its entry is remembered, by
        version, for the token's next requests (see `take_scenario_or_answer`)."""
        if not found:
            return None, False
        value = found[0]
        assert isinstance(value, bytes)
        entry = _entry(value)
        if not hmac.compare_digest(entry.token, token):
            return None, False
        if len(self._seen) >= SEEN:
            self._seen.clear()
        self._seen[_value_and_window(self._prefix, token)[0]] = (_version(value), entry)
        return entry, bool(found[1])

    # The journal

    def arrival(self) -> Arrival:
        return Arrival(time.time(), 0)

    async def record(self, raw: Raw, arrival: Arrival) -> None:
        args = [_micros(arrival.time), raw.size, _raw_json(raw)]
        await self._call(self._eval(RECORD, [], args, self._recording))

    async def requests(self, *, limit: int | None = None, **filters: Any) -> list[RecordedRequest]:
        found: list[Raw] = []
        start, key = 0, self._key("journal")
        while limit is None or len(found) < limit:
            batch = await self._call(self._redis.lrange(key, start, start + READ_BATCH - 1))
            wanted = None if limit is None else limit - len(found)
            found += select(map(_raw_of, batch), wanted, **filters)
            if len(batch) < READ_BATCH:
                break
            start += READ_BATCH
        return [redacted(raw) for raw in reversed(found)]

    async def clear_requests(self) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.set(self._key("journal-cleared"), repr(time.time()))
        pipe.delete(self._key("journal"), self._key("journal-bytes"))
        await self._call(pipe.execute())

    # The scenarios

    @property
    def may_have_scenarios(self) -> bool:
        return True  # another process may have queued one

    def _queue(self, operation: str, token: str | None) -> str:
        return _queue_key(self._prefix, operation, token)

    async def add_scenario(self, scenario: Scenario) -> Scenario:
        queue = self._queue(scenario.operation, scenario.token)
        keys = [*self._scenario_keys, queue, self._key("scenario-ids")]
        args: list[str | int] = [_scenario_json(scenario), scenario.times, MAX_SCENARIOS]
        number = await self._call(self._eval(ADD_SCENARIO, keys, args))
        if not number:
            raise QueueFull(f"{MAX_SCENARIOS} scenarios are queued, the most the mock holds")
        scenario.id = int(number)
        return scenario

    async def take_scenario(self, operation: str, token: str | None) -> Scenario | None:
        taken = await self._call(self._eval(TAKE_SCENARIO, self._take_keys(operation, token)))
        return _scenario_of(*taken) if taken else None

    async def take_scenario_or_answer(
        self,
        operation: str,
        token: str,
        now: float,
        answer: Callable[[Admission], Answer],
        status: Callable[[Admission], int],
        journaled: Callable[[Answer], Raw],
        arrival: Arrival,
    ) -> Scenario | Answer:
        # The status for each admission of the entry this process last saw of the token:
        # if Redis holds the same version, it records the request with the status its
        # admission picks, and the request takes one round trip. Only the likeliest answer
        # is made before; the others, when their admission is the one found.
        if not self._seeded:
            await self._ready()
        call = _answer_keys(self._prefix, operation, token)
        version, entry = self._seen.get(call[1], (b"-", None))
        likeliest = answer((None, False) if entry is None else (entry, True))
        raw = journaled(likeliest)
        if entry is None:
            missing = refused = likeliest.status
        else:
            missing, refused = status((None, False)), status((entry, False))
        numbers = b"%d %s %d %d %d %d %d" % (
            _micros(now), version, missing, likeliest.status, refused, _micros(arrival.time),
            raw.size,
        )  # fmt: skip
        shared = self._answering.get(operation) or self._answering_of(operation)
        args = (numbers, _raw_json(raw))
        found = await self._call(self._eval(TAKE_OR_ANSWER, call, args, shared))
        if isinstance(found, int):
            if entry is None or found == 1:
                return likeliest
            return answer((entry, False) if found == 0 else (None, False))
        kind, found = found
        if kind == 1:
            return _scenario_of(*found)
        answered = answer(self._admitted(token, found))
        await self.record(journaled(answered), arrival)
        return answered

    def _answering_of(self, operation: str) -> Shared:
        """What the calls of TAKE_OR_ANSWER for `operation` share."""
        (_, admitting), (journal_keys, recording) = self._admitting, self._recording
        keys = (*self._scenario_keys[:2], self._queue(operation, None), *journal_keys)
        shared = self._answering[operation] = (keys, (*admitting, *recording))
        return shared

    def _take_keys(self, operation: str, token: str | None) -> list[str]:
        """TAKE_SCENARIO's keys."""
        keys = [*self._scenario_keys[:2], self._queue(operation, None)]
        keys.append(self._queue(operation, token) if token is not None else keys[-1])
        return keys

    async def scenarios(self) -> list[Scenario]:
        pipe = self._redis.pipeline(transaction=True)
        pipe.hgetall(self._key("scenarios"))
        pipe.hgetall(self._key("scenario-times"))
        queued, times = await self._call(pipe.execute())
        found = [_scenario_of(int(n), value, int(times[n])) for n, value in queued.items()]
        return sorted(found, key=lambda scenario: scenario.id)

    async def clear_scenarios(self) -> None:
        await self._call(self._eval(CLEAR_SCENARIOS, self._scenario_keys))

    # The whole

    async def reset(self) -> None:
        await self.clear_requests()  # first: a request answered from now on is dropped
        kept = self._key("journal-cleared").encode()
        keys = [key async for key in self._redis.scan_iter(match=self._pattern("*"), count=1000)]
        doomed = [key for key in keys if key != kept]
        for start in range(0, len(doomed), 1000):
            await self._call(self._redis.unlink(*doomed[start : start + 1000]))
        await self._seed()
        await self._call(self._redis.set(self._key("seeded"), "1"))
        self.findings.clear()

    def _pattern(self, rest: str) -> str:
        """A SCAN pattern for the keys under the prefix that then match `rest`."""
        escaped = "".join("\\" + c if c in "*?[]\\" else c for c in self._prefix)
        return escaped + rest

    async def problem(self) -> str | None:
        try:
            await self._call(self._redis.ping())
        except StoreUnavailable as lost:
            return str(lost)
        return None

    async def close(self) -> None:
        await self._redis.aclose()


@lru_cache(maxsize=4096)
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _micros(seconds: float) -> int:
    """`seconds` in whole microseconds: how times go to the scripts, for an integer is
    written out in a fraction of the time a float is."""
    return round(seconds * 1_000_000)


@lru_cache(maxsize=4096)
def _value_and_window(prefix: str, token: str) -> tuple[str, str]:
    """The keys, under `prefix`, of `token`'s value and of its rate-limit window."""
    digest = _digest(token)
    return _keyed(prefix, "token", digest), _keyed(prefix, "window", digest)


@lru_cache(maxsize=4096)
def _queue_key(prefix: str, operation: str, token: str | None) -> str:
    """The key, under `prefix`, of the scenarios queued for `operation` and `token` (None:
    any token)."""
    return _keyed(prefix, "queue", operation, "*" if token is None else _digest(token))


@lru_cache(maxsize=4096)
def _answer_keys(prefix: str, operation: str, token: str) -> tuple[str, str, str]:
    """TAKE_OR_ANSWER's keys of a call: the scenarios queued for `operation` and `token`,
    then the token's value and window."""
    return (_queue_key(prefix, operation, token), *_value_and_window(prefix, token))


def _keyed(prefix: str, *parts: str) -> str:
    """The key of `parts` under `prefix`: every key of the state is made here."""
    return prefix + ":".join(parts)


def _grant_json(token: str, grant: Grant) -> str:
    """The value of a token: when it stops being valid (see `admitted` in STEP), the version
    of its grant, then its grant."""
    if grant.expired or grant.expires_at is None:
        valid_until = 0 if grant.expired else -1
    else:
        valid_until = _micros(grant.expires_at)
    item = json.dumps(
        {
            "token": token,
            "user": grant.user,
            "scopes": sorted(grant.scopes),
            "expired": grant.expired,
            "expires_at": grant.expires_at,
        }
    )
    version = hashlib.sha1(item.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{valid_until} {version} {item}"


def _version(value: bytes) -> bytes:
    return value.split(b" ", 2)[1]


@lru_cache(maxsize=1024)
def _entry(value: bytes) -> Entry:
    """The entry a token's value in Redis stands for; each built once while it is in use."""
    item = json.loads(value.split(b" ", 2)[2])
    grant = Grant(item["user"], frozenset(item["scopes"]), item["expired"], item["expires_at"])
    return Entry.of(item["token"], grant)


def _raw_json(raw: Raw) -> bytes:
    """The journal's entry of `raw` as stored, read back by `_raw_of`: its size, a space, its
    JSON, which ends with its status (see TAKE_OR_ANSWER)."""
    try:
        encoded = orjson.dumps(_raw_item(raw, orjson.Fragment(_headers_json(tuple(raw.headers)))))
    except TypeError:  # a string orjson refuses (a lone surrogate): the standard library's
        item = _raw_item(raw, _headers(raw.headers))
        encoded = json.dumps(item, separators=(",", ":")).encode()
    return b"%d %s" % (raw.size, encoded)


def _raw_item(raw: Raw, headers: object) -> dict[str, object]:
    return {
        "method": raw.method,
        "path": raw.path,
        "query": raw.query.decode("latin-1"),
        "headers": headers,
        "form": raw.form,
        "log_id": raw.log_id,
        "time": raw.time,
        "operation": raw.operation,
        "fault": raw.fault,
        "findings": [finding.to_json() for finding in raw.findings],
        "status": raw.status,
    }


def _headers(headers: Sequence[tuple[bytes, bytes]]) -> list[list[str]]:
    return [[name.decode("latin-1"), value.decode("latin-1")] for name, value in headers]


@lru_cache(maxsize=1024)
def _headers_json(headers: tuple[tuple[bytes, bytes], ...]) -> bytes:
    """`headers` in JSON, each set encoded once while its clients send it."""
    return orjson.dumps(_headers(headers))


def _raw_of(stored: bytes | str) -> Raw:
    size, _, value = (stored if isinstance(stored, bytes) else stored.encode()).partition(b" ")
    item = json.loads(value)
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in item["headers"]]
    findings = tuple(Finding(**finding) for finding in item["findings"])
    return Raw(
        item["method"], item["path"], item["query"].encode("latin-1"), headers, item["form"],
        item["status"], item["log_id"], item["time"], item["operation"], item["fault"],
        findings, int(size),
    )  # fmt: skip


def _scenario_json(scenario: Scenario) -> str:
    error, consent = scenario.error, scenario.consent
    return json.dumps(
        {
            "operation": scenario.operation,
            "token": scenario.token is not None,
            "error": None if error is None else [
                error.status, error.code, error.message, error.oauth
            ],
            "fault": scenario.fault,
            "delay": scenario.delay,
            "consent": None if consent is None else [
                consent.deny, None if consent.scopes is None else sorted(consent.scopes)
            ],
        }
    )  # fmt: skip


def _scenario_of(number: bytes | int, value: bytes, left: bytes | int) -> Scenario:
    item = json.loads(value)
    error, consent = item["error"], item["consent"]
    return Scenario(
        operation=item["operation"],
        times=int(left),
        token="" if item["token"] else None,
        error=None if error is None else ErrorReply(*error),
        fault=item["fault"],
        delay=item["delay"],
        consent=None if consent is None else Consent(
            consent[0], None if consent[1] is None else frozenset(consent[1])
        ),
        id=int(number),
    )  # fmt: skip
