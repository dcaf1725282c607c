"""The mock as a plain ASGI application: TikTok's endpoints, and what every request of them
goes through on the way (the `Prefer` header, scenarios, drawn faults, latency, the journal).

Each request of the API goes through named stages: the route (`routes`: 404, 405); the
`Prefer` header (400 if the mock cannot honour it); the forcing (`forcing`: `Prefer`, else
the queued scenario, else the draws of `--fault-rate` and `--latency`, reduced to one
decision: a delay, then a network fault, a documented error or the operation's own answer);
and the operation's handler (`handlers`, by operationId). The state lives in one `State`.
Requests under `/__mock/` are the admin API's, which none of this applies to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from functools import partial
from types import FrameType
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from .admin import ADMIN_PREFIX, Admin
from .answers import Answer, send_answer
from .asgi import Receive, Scope, Send
from .bodies import read_form
from .contract import Contract, ErrorReply, Operation
from .faults import DEFAULT_MIX, FAULTS, FaultDraw, NetworkFaults
from .fixtures import Fixtures
from .forcing import NOTHING, Forcing, decide, drawn, preferred, queued
from .handlers import Call, check_handlers, handlers, oauth_answer
from .journal import DEFAULT_BYTES, DEFAULT_SIZE, Arrival, Raw
from .latency import Latency
from .logid import new_log_id
from .oauth import OAuth
from .prefer import parse_prefer
from .routes import Route, Routes
from .scenarios import Scenario
from .state import (
    DEFAULT_PREFIX,
    DEFAULT_RATE_LIMIT,
    Admission,
    MemoryState,
    State,
    StoreUnavailable,
)
from .userinfo import UserInfo, bearer

__all__ = ["DEFAULT_RATE_LIMIT", "DEFAULT_TOKEN_TTL", "MockApp"]

DEFAULT_TOKEN_TTL = 86_400
"""Seconds an issued access token works, as TikTok's older documentation gives it."""
INTERNAL_ERROR = ErrorReply(500, "internal_error", "Internal error, please retry later.")
TOKEN_FIELDS = ("token", "refresh_token", "code")
"""The form fields that carry the token a scenario of an OAuth operation can match."""

logger = logging.getLogger("mock_server")


class Journaled(NamedTuple):
    """An answer the state journaled on the way to it."""

    answer: Answer


def entry_of(
    scope: Scope, arrival: Arrival, operation: str | None, form: dict[str, str] | None,
    answer: Answer,
) -> Raw:  # fmt: skip
    """The journal's entry of a request answered with `answer`."""
    return Raw.of(scope, arrival.time, status=answer.status, log_id=answer.log_id,
                  operation=operation, form=form)  # fmt: skip


class MockApp:
    """TikTok's endpoints as TikTok answers them, for the users and tokens in `fixtures`.

    `rate_limit=0` turns the rate limit off; `fault_rate` answers that share of requests with
    a fault of `fault_mix` (documented errors by status, or network faults), and `latency`
    delays every request, each reproducibly for a `seed`. The state is in this process,
    unless `store` is a Redis URL (`redis://host:port/db`), with its keys under `store_prefix`.
    """

    def __init__(
        self,
        contract: Contract,
        fixtures: Fixtures,
        *,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        fault_rate: float = 0.0,
        fault_mix: str = DEFAULT_MIX,
        seed: int | None = None,
        latency: Latency | None = None,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        journal_size: int = DEFAULT_SIZE,
        journal_bytes: int = DEFAULT_BYTES,
        admin_token: str | None = None,
        admin_open: bool = True,
        store: str | None = None,
        store_prefix: str = DEFAULT_PREFIX,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.contract = contract
        self.state: State
        if store is None:
            self.state = MemoryState(
                fixtures, rate_limit=rate_limit, journal_size=journal_size,
                journal_bytes=journal_bytes, clock=clock,
            )  # fmt: skip
        else:
            from .redis_state import RedisState  # redis-py loads only for a Redis store

            self.state = RedisState(
                store, fixtures, prefix=store_prefix, rate_limit=rate_limit,
                journal_size=journal_size, journal_bytes=journal_bytes, clock=clock,
            )  # fmt: skip
        self.user_info = UserInfo(contract, self.state, clock)
        self.oauth = OAuth(contract, self.state, token_ttl=token_ttl, clock=clock)
        self.admin = Admin(self.state, contract, token=admin_token, open_without_token=admin_open)
        self.faults = NetworkFaults()
        self._clock = clock
        self._draw = FaultDraw(fault_rate, fault_mix, seed) if fault_rate else None
        self._latency = latency
        self._routes = Routes(contract)
        self._handlers = handlers(self.user_info, self.oauth)
        check_handlers(self._handlers, contract)

    def describe_tokens(self) -> list[tuple[str, str]]:
        """Each fixture token with what it grants, for the start-up banner."""
        return [
            (token, "expired" if grant.expired else " ".join(sorted(grant.scopes)))
            for token, grant in self.state.fixtures.grants.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            if scope["path"].startswith(ADMIN_PREFIX):
                await send_answer(send, await self.admin.answer(scope, receive))
            else:
                await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = self.state
        arrival = state.arrival()
        log_id = new_log_id()
        routed = self._routes.route(scope, log_id)
        route = routed if isinstance(routed, Route) else None
        operation = route.operation if route is not None else None
        form: dict[str, str] | None = None
        journaled = False
        try:
            if isinstance(routed, Answer):
                answer = routed
            else:
                fields = operation.form_fields if operation is not None else None
                form_or_problem = await read_form(scope, receive, fields) if fields else None
                form = form_or_problem if isinstance(form_or_problem, dict) else None
                answered = await self._answer(scope, routed, form_or_problem, log_id, arrival)
                if isinstance(answered, str):
                    faulted = Raw.of(scope, arrival.time, status=None, log_id=None,
                                     operation=routed.name, form=form, fault=answered)  # fmt: skip
                    await state.record(faulted, arrival)
                    if logger.isEnabledFor(logging.DEBUG):
                        logger.debug("%s %s -> fault %s", scope["method"], scope["path"], answered)
                    await self.faults.inject(answered, scope, receive, send)
                    return
                journaled = isinstance(answered, Journaled)
                answer = answered.answer if isinstance(answered, Journaled) else answered
        except StoreUnavailable as lost:  # the operation's 500, until the store is back
            logger.error("%s %s: %s", scope["method"], scope["path"], lost)
            answer = Answer.error(self._internal_error(operation), log_id)
        except Exception as exc:  # a bug: answer TikTok's 500, log no request data
            logger.error("internal error answering %s %s: %s", scope["method"], scope["path"],
                         type(exc).__name__)  # fmt: skip
            answer = Answer.error(self._internal_error(operation), log_id)
        # Journaled before it is answered: once a client has its answer, the journal of every
        # mock sharing the store lists it.
        if not journaled:
            name = route.name if route is not None else None
            try:
                await state.record(entry_of(scope, arrival, name, form, answer), arrival)
            except StoreUnavailable:  # its 500 is logged above
                pass
        await send_answer(send, answer)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> %d (log_id %s)", scope["method"], scope["path"],
                         answer.status, answer.log_id)  # fmt: skip

    async def _answer(
        self,
        scope: Scope,
        route: Route,
        form: dict[str, str] | str | None,
        log_id: str,
        arrival: Arrival,
    ) -> str | Answer | Journaled:
        """The name of a network fault to inject, or the answer: forced, or the operation's
        own (journaled already if the state answered it on the way)."""
        operation = route.operation
        preference = parse_prefer(scope["headers"], operation, FAULTS)
        if isinstance(preference, str):
            return Answer.error(self.bad_request(operation, preference), log_id)
        draw = self._draw.draw() if self._draw is not None and operation is not None else None
        delay = self._latency.draw() if self._latency is not None else None
        forcing = (preferred(preference), drawn(operation, draw, delay))
        scenario = None
        if self.state.may_have_scenarios:
            taken = await self._scenario(route, scope, form, decide(*forcing), log_id, arrival)
            if isinstance(taken, Answer):  # nothing forced it, and the state journaled it
                return Journaled(taken)
            scenario = taken
        decision = decide(forcing[0], queued(scenario), forcing[1])
        if decision.delay:
            await asyncio.sleep(decision.delay)
        if isinstance(decision.outcome, str):
            return decision.outcome
        if isinstance(decision.outcome, ErrorReply):
            return Answer.error(decision.outcome, log_id)
        if operation is None:
            query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
            consent = scenario.consent if scenario is not None else None
            return oauth_answer(await self.oauth.authorize(query, consent), log_id)
        if isinstance(form, str):
            return Answer.error(self.bad_request(operation, form), log_id)
        call = Call(scope["headers"], scope["query_string"], form or {}, log_id)
        return await self._handlers[route.name](call)

    @staticmethod
    def _internal_error(operation: Operation | None) -> ErrorReply:
        """The operation's documented 500."""
        return (operation.error_of_status(500) if operation else None) or INTERNAL_ERROR

    async def _scenario(
        self,
        route: Route,
        scope: Scope,
        form: dict[str, str] | str | None,
        forced: Forcing,
        log_id: str,
        arrival: Arrival,
    ) -> Scenario | Answer | None:
        """The queued scenario this request takes, if any; and if there is none and nothing
        else forces or delays the request, its answer, journaled, in the same step."""
        if route.oauth:
            fields = form if isinstance(form, dict) else {}
            token = next((fields[name] for name in TOKEN_FIELDS if name in fields), None)
            return await self.state.take_scenario(route.name, token)
        token = bearer(scope["headers"])
        if token is None or forced != NOTHING:
            return await self.state.take_scenario(route.name, token)
        now, query = self._clock(), scope["query_string"]

        def answer(admission: Admission) -> Answer:
            return self.user_info.answered(admission, query, log_id, now)

        def status(admission: Admission) -> int:
            return self.user_info.status(admission, query, now)

        journaled = partial(entry_of, scope, arrival, route.name, None)
        return await self.state.take_scenario_or_answer(
            route.name, token, now, answer, status, journaled, arrival
        )

    def _release_on_stop(self) -> None:
        """End every `hang` as soon as the server process is told to stop (SIGTERM or SIGINT),
        before the server waits for the requests in flight to finish.

        The server's own handlers stay as they are: the event loop hears of the signal
        through its wakeup file descriptor, whichever Python handler is set. Where signals do
        not reach the app (a thread, as the pytest plugin serves it), whoever stops the
        server releases the hangs itself.
        """
        loop = asyncio.get_running_loop()

        def on_stop(number: int, frame: FrameType | None) -> None:
            loop.call_soon_threadsafe(self.faults.release)
            if callable(previous[number]):
                previous[number](number, frame)
            elif previous[number] == signal.SIG_DFL:  # what the signal would have done
                signal.signal(number, signal.SIG_DFL)
                signal.raise_signal(number)

        previous: dict[int, Any] = {}
        with contextlib.suppress(ValueError):  # not the main thread
            for number in (signal.SIGTERM, signal.SIGINT):
                previous[number] = signal.getsignal(number)
                signal.signal(number, on_stop)

    @staticmethod
    def bad_request(operation: Operation | None, problem: str) -> ErrorReply:
        """The operation's first documented 400, saying `problem`."""
        reply = operation.error_of_status(400) if operation is not None else None
        return (reply or ErrorReply(400, "invalid_request", "", True)).with_message(problem)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._release_on_stop()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.faults.release()
                await self.state.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
