"""The mock as a plain ASGI application: TikTok's endpoints, and what every request of them
goes through on the way (the `Prefer` header, scenarios, drawn faults, latency, the journal).

For each request of the API, in this order: the path (404) and the method (405); the
`Prefer` header (400 if the mock cannot honour it); then the first answer forced by the
`Prefer` header, by a queued scenario, or drawn by `--fault-rate`: a network fault or a
documented error; else the operation's own answer. The delay asked for by `Prefer`, else by
the scenario, else drawn from `--latency`, comes first. Requests under `/__mock/` are the
admin API's, which none of this applies to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from .admin import ADMIN_PREFIX, Admin
from .answers import Answer, send_answer
from .asgi import Receive, Scope, Send
from .bodies import read_form
from .contract import Contract, ErrorReply, Operation
from .faults import DEFAULT_MIX, FAULTS, FaultDraw, NetworkFaults
from .findings import Findings
from .fixtures import Fixtures
from .journal import DEFAULT_BYTES, DEFAULT_SIZE, Journal
from .latency import Latency
from .logid import new_log_id
from .oauth import OAuth, OAuthReply
from .prefer import NONE, Preference, parse_prefer
from .ratelimit import SlidingWindow
from .scenarios import AUTHORIZE, Scenario, Scenarios
from .store import TokenStore
from .userinfo import UserInfo, bearer

__all__ = ["AUTHORIZE_PATH", "DEFAULT_RATE_LIMIT", "DEFAULT_TOKEN_TTL", "MockApp"]

DEFAULT_RATE_LIMIT = 600
"""Requests per token per sliding minute, as TikTok documents for this endpoint."""
DEFAULT_TOKEN_TTL = 86_400
"""Seconds an issued access token works, as TikTok's older documentation gives it."""
AUTHORIZE_PATH = "/v2/auth/authorize/"
"""The mock's stand-in for TikTok's authorize page, which lives on www.tiktok.com."""
# The mock's own answers outside the documented operations, in TikTok's envelope.
NOT_FOUND = ErrorReply(404, "not_found", "The requested path does not exist.")
METHOD_NOT_ALLOWED = ErrorReply(
    405, "method_not_allowed", "The method is not allowed for this path."
)
OAUTH_METHOD_NOT_ALLOWED = ErrorReply(
    405, "invalid_request", METHOD_NOT_ALLOWED.message, oauth=True
)
"""The same, in OAuth's shape, for the OAuth endpoints (OAuth has no code of its own for it)."""
INTERNAL_ERROR = ErrorReply(500, "internal_error", "Internal error, please retry later.")
TOKEN_FIELDS = ("token", "refresh_token", "code")
"""The form fields that carry the token a scenario of an OAuth operation can match."""

logger = logging.getLogger("mock_server")
T = TypeVar("T")


@dataclass(frozen=True)
class Route:
    """A path the mock serves: its method, its operation in the spec (None for the consent
    page), and the name scenarios match."""

    method: str
    operation: Operation | None
    name: str

    @property
    def oauth(self) -> bool:
        return self.operation is None or self.operation.method == "POST"


class MockApp:
    """TikTok's endpoints as TikTok answers them, for the users and tokens in `fixtures`.

    `rate_limit=0` turns the rate limit off; `fault_rate` answers that share of requests with
    a fault of `fault_mix` (documented errors by status, or network faults), and `latency`
    delays every request, each reproducibly for a `seed`. `workers` is how many processes
    serve the same port, each with its own app: above 1, the state-changing endpoints refuse.
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
        workers: int = 1,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.contract = contract
        self.workers = workers
        self.store = TokenStore(fixtures, clock)
        self.journal = Journal(journal_size, journal_bytes)
        self.scenarios = Scenarios()
        self.findings = Findings()
        limiter = SlidingWindow(rate_limit) if rate_limit else None
        self.user_info = UserInfo(contract, self.store, limiter, clock)
        self.oauth = OAuth(contract, self.store, token_ttl=token_ttl, clock=clock)
        self.admin = Admin(self, token=admin_token, open_without_token=admin_open)
        self.faults = NetworkFaults()
        self._draw = FaultDraw(fault_rate, fault_mix, seed) if fault_rate else None
        self._latency = latency
        self._routes = {
            op.path: Route(op.method, op, name) for name, op in contract.operations.items()
        }
        self._routes[AUTHORIZE_PATH] = Route("GET", None, AUTHORIZE)

    def reset(self) -> None:
        """Back to the start-up state: the fixtures' tokens only, no recorded requests, no
        queued scenarios, empty rate-limit windows."""
        self.store.reset()
        self.journal.clear()
        self.scenarios.clear()
        self.findings.clear()
        if self.user_info.limiter is not None:
            self.user_info.limiter.clear()

    def describe_tokens(self) -> list[tuple[str, str]]:
        """Each token with what it grants, for the start-up banner."""
        return [
            (token, "expired" if grant.expired else " ".join(sorted(grant.scopes)))
            for token, grant in self.store.grants().items()
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
        arrival = self.journal.arrival()
        log_id = new_log_id()
        route = self._routes.get(scope["path"])
        operation = route.operation if route is not None else None
        form: dict[str, str] | None = None
        try:
            if route is None:
                answer = Answer.error(NOT_FOUND, log_id)
            elif scope["method"] != route.method:
                allow = ((b"allow", route.method.encode()),)
                refusal = OAUTH_METHOD_NOT_ALLOWED if route.oauth else METHOD_NOT_ALLOWED
                answer = Answer.error(refusal, log_id, allow)
            else:
                fields = operation.form_fields if operation is not None else None
                form_or_problem = await read_form(scope, receive, fields) if fields else None
                form = form_or_problem if isinstance(form_or_problem, dict) else None
                routed = await self._route(scope, route, form_or_problem, log_id)
                if isinstance(routed, str):
                    self.journal.record(
                        scope, arrival, status=None, log_id=None, operation=route.name,
                        form=form, fault=routed,
                    )  # fmt: skip
                    if logger.isEnabledFor(logging.DEBUG):
                        logger.debug("%s %s -> fault %s", scope["method"], scope["path"], routed)
                    await self.faults.inject(routed, scope, receive, send)
                    return
                answer = routed
        except Exception as exc:  # a bug: answer TikTok's 500, log no request data
            logger.error("internal error answering %s %s: %s", scope["method"], scope["path"],
                         type(exc).__name__)  # fmt: skip
            reply = (operation.error_of_status(500) if operation else None) or INTERNAL_ERROR
            answer = Answer.error(reply, log_id)
        await send_answer(send, answer)
        self.journal.record(
            scope,
            arrival,
            status=answer.status,
            log_id=answer.log_id,
            operation=route.name if route is not None else None,
            form=form,
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> %d (log_id %s)", scope["method"], scope["path"],
                         answer.status, answer.log_id)  # fmt: skip

    async def _route(
        self,
        scope: Scope,
        route: Route,
        form: dict[str, str] | str | None,
        log_id: str,
    ) -> str | Answer:
        """The name of a network fault to inject, or the answer: forced, or the operation's
        own."""
        operation = route.operation
        if route.oauth and self.workers > 1:
            message = (
                f"This mock runs {self.workers} worker processes, each with its own state: "
                "the OAuth flow needs --workers 1"
            )
            body = {"error": "single_worker_only", "error_description": message, "log_id": log_id}
            return Answer.json(501, body, log_id)
        preference = parse_prefer(scope["headers"], operation, FAULTS)
        if isinstance(preference, str):
            return Answer.error(self.bad_request(operation, preference), log_id)
        scenario = self._scenario(route, scope, form) if self.scenarios else None
        drawn = self._draw.draw() if self._draw is not None and operation is not None else None
        if preference is not NONE or scenario is not None or drawn is not None:
            forced = await self._forced(operation, preference, scenario, drawn)
            if isinstance(forced, ErrorReply):
                return Answer.error(forced, log_id)
            if forced is not None:
                return forced
        elif self._latency is not None:
            await asyncio.sleep(self._latency.draw())
        if operation is None:
            query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
            consent = scenario.consent if scenario is not None else None
            return _oauth_answer(self.oauth.authorize(query, consent), log_id)
        if isinstance(form, str):
            return Answer.error(self.bad_request(operation, form), log_id)
        if form is not None:
            endpoint = self.oauth.token if route.name == "fetchAccessToken" else self.oauth.revoke
            return _oauth_answer(endpoint(form), log_id)
        return self.user_info.answer(bearer(scope["headers"]), scope["query_string"], log_id)

    async def _forced(
        self,
        operation: Operation | None,
        preference: Preference,
        scenario: Scenario | None,
        drawn: str | None,
    ) -> str | ErrorReply | None:
        """After the delay asked for, the network fault or the error forced on the request
        (by its `Prefer` header, else by `scenario`, else `drawn`), or None."""
        delay = _first(
            preference.delay,
            scenario.delay if scenario is not None else None,
            self._latency.draw() if self._latency is not None else None,
        )
        if delay:
            await asyncio.sleep(delay)
        fault = _first(preference.fault, scenario.fault if scenario is not None else None)
        error = _first(preference.error, scenario.error if scenario is not None else None)
        if fault is not None or error is not None or drawn is None:
            return fault or error
        if drawn in FAULTS:
            return drawn
        assert operation is not None  # nothing is drawn for the consent page
        return operation.error_of_status(int(drawn))

    def _scenario(
        self, route: Route, scope: Scope, form: dict[str, str] | str | None
    ) -> Scenario | None:
        """The queued scenario this request takes, if any."""
        if route.oauth:
            fields = form if isinstance(form, dict) else {}
            token = next((fields[name] for name in TOKEN_FIELDS if name in fields), None)
        else:
            token = bearer(scope["headers"])
        return self.scenarios.take(route.name, token)

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
                await send({"type": "lifespan.shutdown.complete"})
                return


def _first(*values: T | None) -> T | None:
    """The first value that is not None."""
    return next((value for value in values if value is not None), None)


def _oauth_answer(reply: OAuthReply, log_id: str) -> Answer:
    """An OAuth answer; its errors carry the log id, as TikTok's do."""
    body = dict(reply.body)
    if "error" in body:
        body["log_id"] = log_id
    return Answer.json(reply.status, body, log_id, reply.headers)
