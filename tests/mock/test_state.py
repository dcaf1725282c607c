"""One owner of the mock's state, with one reset: in memory, and the same interface in Redis
(over a private redis-server)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path

import pytest
from redis import Redis

from mock_server.answers import Answer
from mock_server.contract import Contract
from mock_server.findings import Finding
from mock_server.fixtures import DEFAULT_FIXTURES, EXAMPLE_TOKEN, Code, Grant, load_fixtures
from mock_server.journal import DEFAULT_BYTES, DEFAULT_SIZE, Raw
from mock_server.ratelimit import WINDOW
from mock_server.redis_state import RedisState, _value_and_window
from mock_server.scenarios import Scenario
from mock_server.spec import load_document
from mock_server.state import DEFAULT_RATE_LIMIT, Admission, MemoryState, State
from mock_server.store import IssuedCode, Refresh
from tests.support.redisserver import RedisServer, redis_server

CONTRACT = Contract.from_document(load_document())
NOW = time.time()
FIXTURES = load_fixtures(CONTRACT, DEFAULT_FIXTURES)
REQUEST = {"method": "GET", "path": "/", "headers": [(b"authorization", b"Bearer act.x")],
           "query_string": b"fields=open_id"}  # fmt: skip


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(params=["memory", "redis"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def state_of(
    kind: str,
    request: pytest.FixtureRequest,
    rate_limit: int = DEFAULT_RATE_LIMIT,
    journal_size: int = DEFAULT_SIZE,
    journal_bytes: int = DEFAULT_BYTES,
    window: float = WINDOW,
) -> State:
    """A fresh state of `kind`: in memory, or in the module's Redis under a prefix of the
    test's own."""
    if kind == "memory":
        return MemoryState(
            FIXTURES, rate_limit=rate_limit, journal_size=journal_size,
            journal_bytes=journal_bytes, window=window,
        )  # fmt: skip
    server: RedisServer = request.getfixturevalue("redis")
    return RedisState(
        server.url, FIXTURES, prefix=f"{request.node.name}:", rate_limit=rate_limit,
        journal_size=journal_size, journal_bytes=journal_bytes, window=window,
    )  # fmt: skip


def run(state: State, *steps: object) -> list[object]:
    """Each of `steps` (coroutines of `state`) in turn, on one event loop; their results."""

    async def all_of() -> list[object]:
        try:
            return [await step for step in steps]  # type: ignore[misc]
        finally:
            await state.close()

    return asyncio.run(all_of())


def test_reset_resets_everything(kind: str, request: pytest.FixtureRequest) -> None:
    state = state_of(kind, request, rate_limit=1)

    async def steps() -> None:
        await state.add_token("act.added", Grant({}, frozenset()))
        arrival = state.arrival()
        await state.record(
            Raw.of(REQUEST, arrival.time, status=200, log_id=None, operation=None), arrival
        )
        await state.add_scenario(Scenario("getUserInfo", fault="reset"))
        state.findings.add([Finding("drift", None, "x", "y", "z")])
        assert [(await state.find_admitted(EXAMPLE_TOKEN, NOW))[1] for _ in range(2)] == [
            True, False
        ]  # fmt: skip
        await state.remove_token("act.mock.basic")
        await state.reset()
        assert await state.find("act.added") is None and await state.find("act.mock.basic")
        assert await state.requests() == [] and await state.scenarios() == []
        assert state.findings.counts()["drift"] == 0
        assert (await state.find_admitted(EXAMPLE_TOKEN, NOW))[1]

    run(state, steps())


def test_a_code_and_a_refresh_token_are_spent_once(
    kind: str, request: pytest.FixtureRequest
) -> None:
    state = state_of(kind, request)
    user, scopes, later = {"open_id": "o"}, frozenset({"user.info.basic"}), 4e9

    async def steps() -> None:
        await state.add_code("code.x", IssuedCode(Code(user, scopes, "k", "https://a"), later, "c"))
        issued = await state.code("code.x")
        assert issued is not None and issued.challenge == "c" and issued.code.scopes == scopes
        assert [await state.spend_code("code.x") for _ in range(3)] == [True, False, False]
        assert await state.code("code.x") is None
        assert await state.spend_code("code.example") and await state.code("code.example")
        await state.add_token("act.i", Grant(user, scopes, expires_at=later))
        await state.add_refresh("rft.i", Refresh(user, scopes, "k", "act.i", later))
        assert await state.refresh("rft.i") == Refresh(user, scopes, "k", "act.i", later)
        assert [await state.spend_refresh("rft.i") for _ in range(2)] == [True, False]
        await state.add_refresh("rft.j", Refresh(user, scopes, "k", "act.i", later))
        await state.revoke("act.i")
        assert await state.find("act.i") is None and await state.refresh("rft.j") is None

    run(state, steps())


def test_scenarios_are_taken_oldest_first_and_counted_off(
    kind: str, request: pytest.FixtureRequest
) -> None:
    state = state_of(kind, request)

    async def steps() -> None:
        first = await state.add_scenario(Scenario("getUserInfo", times=2, fault="reset"))
        mine = await state.add_scenario(Scenario("getUserInfo", token="act.me", delay=0.25))
        assert mine.id > first.id
        assert [s.to_json() for s in await state.scenarios()] == [first.to_json(), mine.to_json()]
        taken = []
        for _ in range(4):
            scenario = await state.take_scenario("getUserInfo", "act.me")
            taken.append(scenario and (scenario.fault, scenario.delay, scenario.times))
        assert taken == [
            ("reset", None, 1), ("reset", None, 0), (None, 0.25, 0), None
        ]  # fmt: skip
        await state.add_scenario(Scenario("revokeAccessToken", token="act.me"))
        assert await state.take_scenario("revokeAccessToken", "act.other") is None
        await state.clear_scenarios()
        assert await state.scenarios() == []

    run(state, steps())


def test_the_journal_keeps_its_size_and_bytes(kind: str, request: pytest.FixtureRequest) -> None:
    size = len("/") + len(b"fields=open_id") + len(b"authorization") + len(b"Bearer act.x")
    state = state_of(kind, request, journal_size=3, journal_bytes=2 * size)

    async def steps() -> None:
        arrival = state.arrival()
        for status in (200, 401, 429):
            raw = Raw.of(REQUEST, arrival.time, status=status, log_id=None, operation="op")
            await state.record(raw, arrival)
        kept = await state.requests()
        assert [entry.status for entry in kept] == [401, 429]  # two fit in the bytes
        assert kept[0].headers == {"authorization": "Bearer <redacted>"}
        assert [e.status for e in await state.requests(status=401)] == [401]
        assert [e.status for e in await state.requests(limit=1)] == [429]
        await state.clear_requests()
        await state.record(
            Raw.of(REQUEST, arrival.time, status=200, log_id=None, operation=None), arrival
        )
        assert await state.requests() == []  # it arrived before the clearing

    run(state, steps())


def test_the_journal_keeps_what_a_request_sent_as_it_came(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """Headers, a form, and a path that is not Unicode text (a lone surrogate, which orjson
    refuses), each read back as recorded; two requests with the same headers, each its own."""
    state = state_of(kind, request)
    odd = {**REQUEST, "path": "/v2/user/info/\udcff", "headers": [(b"x-odd", b"\xe9t\xe9")]}

    async def steps() -> None:
        arrival = state.arrival()
        for scope in (REQUEST, odd, REQUEST):
            raw = Raw.of(scope, arrival.time, status=200, log_id="l", operation="getUserInfo")
            await state.record(raw, arrival)
        kept = await state.requests()
        assert [(entry.path, entry.headers) for entry in kept] == [
            ("/", {"authorization": "Bearer <redacted>"}),
            ("/v2/user/info/\udcff", {"x-odd": "\xe9t\xe9"}),
            ("/", {"authorization": "Bearer <redacted>"}),
        ]

    run(state, steps())


def test_only_a_valid_tokens_requests_count(kind: str, request: pytest.FixtureRequest) -> None:
    state = state_of(kind, request, rate_limit=1)
    user, scopes = {"open_id": "o"}, frozenset({"user.info.basic"})

    async def steps() -> None:
        now = time.time()  # Redis ends an issued token by its clock
        assert await state.find_admitted("act.unknown", now) == (None, False)
        await state.add_token("act.ended", Grant(user, scopes, expires_at=now + 60))
        entry, admitted = await state.find_admitted("act.ended", now + 60)
        assert entry is not None and entry.token == "act.ended" and not admitted
        await state.add_token("act.never", Grant(user, scopes, expired=True))
        assert not (await state.find_admitted("act.never", now))[1]
        assert (await state.find_admitted("act.ended", now))[1]  # none of the above counted
        assert not (await state.find_admitted("act.ended", now))[1]

    run(state, steps())


def test_a_window_admits_again_what_left_it_and_only_that(
    kind: str, request: pytest.FixtureRequest
) -> None:
    # 2 s windows of 180: 130 requests, 50 of 60 more 1.2 s later, then, once the first 130
    # have left the window, 130 of 150
    state = state_of(kind, request, rate_limit=180, window=2.0)

    async def admitted(count: int) -> int:
        found = await asyncio.gather(
            *(state.find_admitted(EXAMPLE_TOKEN, time.time()) for _ in range(count))
        )
        return sum(admitted for _, admitted in found)

    async def steps() -> list[int]:
        counts = [await admitted(130)]
        await asyncio.sleep(1.2)
        counts.append(await admitted(60))
        await asyncio.sleep(1.2)
        counts.append(await admitted(150))
        return counts

    assert run(state, steps()) == [[130, 50, 130]]


def test_a_window_in_redis_holds_no_more_items_than_its_limit_and_expires(
    redis: RedisServer,
) -> None:
    """In Redis a token's window is a list of one item a step that admitted requests, after
    an item that left it: 40 requests one by one against a limit of 3 leave 4 items, which
    expire with the window."""
    state = RedisState(redis.url, FIXTURES, prefix="window-items:", rate_limit=3, window=0.5)
    client = Redis.from_url(redis.url)
    key = _value_and_window("window-items:", EXAMPLE_TOKEN)[1]

    async def steps() -> None:
        found = [(await state.find_admitted(EXAMPLE_TOKEN, time.time()))[1] for _ in range(40)]
        assert found == [True] * 3 + [False] * 37
        assert client.llen(key) == 4 and 0 < client.pttl(key) <= 500
        await asyncio.sleep(0.6)
        assert client.exists(key) == 0

    try:
        run(state, steps())
    finally:
        client.close()


def test_rate_limit_zero_keeps_no_windows() -> None:
    assert MemoryState(FIXTURES, rate_limit=0).limiter is None


def test_an_unreachable_redis_is_store_unavailable_and_then_back(tmp_path: Path) -> None:
    from mock_server.state import StoreUnavailable

    with redis_server(tmp_path, durable=True) as server:
        state = RedisState(server.url, FIXTURES)

        async def steps() -> None:
            assert await state.problem() is None
            server.kill()
            problem = await state.problem()
            assert problem is not None and problem.startswith(f"the store at {server.url} is")
            with pytest.raises(StoreUnavailable, match="unreachable"):
                await state.find("act.mock.basic")
            server.start()
            assert await state.problem() is None and await state.find("act.mock.basic")

        run(state, steps())


def answer_of(admission: Admission) -> Answer:
    """A stand-in for the user-info answer: 200 admitted, 429 refused, 401 for no entry;
    its body names the scopes of the entry it saw."""
    entry, admitted = admission
    if entry is None:
        return Answer(401, b"", "log")
    return Answer(200 if admitted else 429, " ".join(sorted(entry.grant.scopes)).encode(), "log")


def answered(state: State, token: str) -> Awaitable[Scenario | Answer]:
    """`take_scenario_or_answer` of a user-info request bearing `token`, now."""
    arrival = state.arrival()

    def journaled(answer: Answer) -> Raw:
        return Raw.of(REQUEST, arrival.time, status=answer.status, log_id=answer.log_id,
                      operation="getUserInfo")  # fmt: skip

    def status_of(admission: Admission) -> int:
        return answer_of(admission).status

    return state.take_scenario_or_answer(
        "getUserInfo", token, time.time(), answer_of, status_of, journaled, arrival
    )


def test_a_queued_scenario_is_taken_before_the_token_is_answered(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """`take_scenario_or_answer`: the scenario if one is queued, and then the request does
    not count against the rate limit and is not journaled; else the answer of the token's
    admission, counted, and journaled with its status, whether the store had seen the token
    before or not, or its grant changed since."""
    state = state_of(kind, request, rate_limit=2)

    async def steps() -> None:
        await state.add_scenario(Scenario("getUserInfo", token=EXAMPLE_TOKEN, fault="reset"))
        taken = await answered(state, EXAMPLE_TOKEN)
        assert isinstance(taken, Scenario) and taken.fault == "reset"
        assert await state.requests() == []
        first = await answered(state, EXAMPLE_TOKEN)
        assert isinstance(first, Answer) and first.status == 200
        await state.add_token(
            EXAMPLE_TOKEN, Grant({"open_id": "o"}, frozenset({"user.info.basic"}))
        )
        changed = await answered(state, EXAMPLE_TOKEN)
        assert isinstance(changed, Answer) and (changed.status, changed.body) == (
            200,
            b"user.info.basic",
        )
        refused = await answered(state, EXAMPLE_TOKEN)
        assert isinstance(refused, Answer) and refused.status == 429
        unknown = await answered(state, "act.unknown")
        assert isinstance(unknown, Answer) and unknown.status == 401
        assert [r.status for r in await state.requests()] == [200, 200, 429, 401]

    run(state, steps())


def test_a_request_of_a_token_seen_before_takes_one_script(redis: RedisServer) -> None:
    """On Redis, once a process has seen a token's grant, a request of it is counted,
    answered and journaled by one script; a grant changed meanwhile takes a second."""
    state = RedisState(redis.url, FIXTURES, prefix="one-script:")
    client = Redis.from_url(redis.url)

    def scripts() -> int:
        stats = client.info("commandstats")
        return int(stats.get("cmdstat_evalsha", {"calls": 0})["calls"])

    async def steps() -> list[int]:
        counted = []
        for token in (EXAMPLE_TOKEN, EXAMPLE_TOKEN, "act.unknown"):
            before = scripts()
            await answered(state, token)
            counted.append(scripts() - before)
        await state.add_token(
            EXAMPLE_TOKEN, Grant({"open_id": "o"}, frozenset({"user.info.basic"}))
        )
        before = scripts()
        await answered(state, EXAMPLE_TOKEN)
        counted.append(scripts() - before)
        return counted

    try:
        assert run(state, steps()) == [[2, 1, 1, 2]]
    finally:
        client.close()


def test_requests_of_one_step_are_counted_and_journaled_as_one_by_one(
    kind: str, request: pytest.FixtureRequest
) -> None:
    """Requests answered in one step (on Redis, by one call of one script) are counted
    against their token's window and journaled in order, as they would be one by one: the
    limit admits the first of them, and the journal keeps the last it holds, by count and
    by bytes."""
    size = Raw.of(REQUEST, 0.0, status=200, log_id="log", operation="getUserInfo").size
    by_count = state_of(kind, request, rate_limit=5, journal_size=4)
    by_bytes = state_of(kind, request, rate_limit=5, journal_bytes=size * 5 // 2)
    scripts: list[int] = []

    async def steps(state: State) -> tuple[list[int], list[int | None]]:
        await state.reset()  # on Redis both states have the test's prefix
        await answered(state, EXAMPLE_TOKEN)  # the grant is seen, as a running mock has
        before = _script_calls(request) if kind == "redis" else 0
        tokens = [EXAMPLE_TOKEN] * 8 + ["act.unknown"]
        answers = await asyncio.gather(*(answered(state, token) for token in tokens))
        if kind == "redis":
            scripts.append(_script_calls(request) - before)
        statuses = [a.status for a in answers if isinstance(a, Answer)]
        return statuses, [r.status for r in await state.requests()]

    assert run(by_count, steps(by_count)) == [([200] * 4 + [429] * 4 + [401], [429, 429, 429, 401])]
    assert run(by_bytes, steps(by_bytes)) == [([200] * 4 + [429] * 4 + [401], [429, 401])]
    assert scripts == ([1, 1] if kind == "redis" else [])


def _script_calls(request: pytest.FixtureRequest) -> int:
    """How many scripts the test's Redis has run."""
    server: RedisServer = request.getfixturevalue("redis")
    client = Redis.from_url(server.url)
    try:
        return int(client.info("commandstats").get("cmdstat_evalsha", {"calls": 0})["calls"])
    finally:
        client.close()
