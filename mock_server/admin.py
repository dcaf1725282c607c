"""The admin API under `/__mock/`, and the operations behind it, which the pytest plugin calls
too: health, the request journal, tokens, scenarios, reset, and the spec documents.

Described by `openapi/tiktok-mock-admin.yaml`, and run by it: a request goes by the paths of
that document to the handler of an operationId, its body and its query are checked against
the schemas there. Its requests are never recorded, rate-limited or fault-injected. Bound to
an address other than loopback, it answers only with the token given at start-up
(`Authorization: Bearer <admin token>`); its health check always.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .admin_spec import ADMIN_DOCUMENT, AdminSpec, Problem, admin_spec
from .answers import Answer
from .asgi import Receive, Scope
from .bodies import read_json
from .contract import Contract
from .fixtures import Grant, check
from .journal import RecordedRequest
from .oauth import Consent
from .scenarios import QueueFull, Scenario
from .spec import SPEC_PATH, document_path
from .state import State, StoreUnavailable
from .userinfo import bearer

__all__ = ["ADMIN_PREFIX", "Admin", "AdminError", "Call", "Handler", "check_operations"]

logger = logging.getLogger("mock_server")

ADMIN_PREFIX = "/__mock/"
DOCUMENTS = {"openapi.yaml": SPEC_PATH.name, "admin.yaml": ADMIN_DOCUMENT}
"""The spec documents the admin API serves, by the name it serves them under."""


class AdminError(Exception):
    """A refused admin request: its status, error code, message and problems, if any."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        problems: list[str] | None = None,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.problems = status, error, message, problems
        self.headers = headers

    @classmethod
    def invalid(cls, message: str, problems: list[Problem]) -> AdminError:
        """A 400 listing each problem."""
        return cls(400, "invalid_request", message, [problem.text for problem in problems])

    def answer(self) -> Answer:
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.problems is not None:
            body["problems"] = self.problems
        return Answer.json(self.status, body, headers=self.headers)


@dataclass(frozen=True)
class Call:
    """A request to an operation of the admin API: its operationId, the ASGI request, and
    its path parameters."""

    operation: str
    scope: Scope
    receive: Receive
    params: Mapping[str, str]


Handler = Callable[[Call], Awaitable[Answer]]


class Admin:
    """The admin operations of one mock; `answer` serves them over HTTP."""

    def __init__(
        self,
        state: State,
        contract: Contract,
        *,
        token: str | None = None,
        open_without_token: bool = True,
    ) -> None:
        self._state = state
        self._contract = contract
        self._token = token
        self._open = open_without_token
        self.handlers: dict[str, Handler] = {
            "health": self._health,
            "listRequests": self._list_requests,
            "clearRequests": self._clear_requests,
            "addToken": self._add_token,
            "removeToken": self._remove_token,
            "listScenarios": self._list_scenarios,
            "addScenario": self._add_scenario,
            "clearScenarios": self._clear_scenarios,
            "listFindings": self._list_findings,
            "reset": self._reset,
            "getApiSpec": self._document,
            "getAdminSpec": self._document,
            "getReference": self._reference,
        }
        """The handler of each operation of the admin spec, by operationId."""

    @functools.cached_property
    def _spec(self) -> AdminSpec:
        """The admin spec, read when first needed; ValueError unless each of its operations
        has a handler, and each handler an operation."""
        spec = admin_spec()
        check_operations(self.handlers, spec)
        return spec

    # The operations, as the plugin calls them

    async def health(self) -> tuple[int, dict[str, Any]]:
        """200 and the spec's version, or 503 and why the store cannot serve."""
        problem = await self._state.problem()
        if problem is not None:
            return 503, {"status": "unavailable", "message": problem}
        return 200, {"status": "ok", "version": self._contract.version}

    async def requests(self, **filters: Any) -> list[RecordedRequest]:
        """The journal, oldest first: see `Journal.requests` for the filters."""
        return await self._state.requests(**filters)

    async def clear_requests(self) -> None:
        await self._state.clear_requests()

    async def add_token(self, payload: Any) -> dict[str, Any]:
        """Make `payload["token"]` grant `scopes` (default: what `getUserInfo` requires at
        the least, `user.info.basic`) on `user`."""
        problems = self._spec.body_problems("addToken", payload)
        if all(problem.path for problem in problems):  # the body is whole: word its fields'
            problems = self._grant_problems(payload) or problems  # as the fixtures' check does
        if problems:
            raise AdminError.invalid("The token cannot be added", problems)
        token, scopes = payload["token"], payload.get("scopes", list(self._contract.default_scopes))
        expired = payload.get("expired", False)
        await self._state.add_token(token, Grant(dict(payload["user"]), frozenset(scopes), expired))
        return {"token": token, "scopes": sorted(set(scopes)), "expired": expired}

    async def remove_token(self, token: str) -> None:
        if not await self._state.remove_token(token):
            raise AdminError(404, "not_found", "The mock does not know this token")

    async def add_scenario(self, payload: Any) -> dict[str, Any]:
        """Queue an answer for the next requests of an operation; see the admin spec."""
        problems = self._spec.body_problems("addScenario", payload)
        if problems:
            raise AdminError.invalid("The scenario cannot be queued", problems)
        scenario = self._scenario(payload)
        try:
            return (await self._state.add_scenario(scenario)).to_json()
        except QueueFull as full:
            raise AdminError(
                409, "too_many_scenarios", f"{full}: let them be taken, or drop them first"
            ) from None

    async def scenarios(self) -> list[dict[str, Any]]:
        return [scenario.to_json() for scenario in await self._state.scenarios()]

    async def clear_scenarios(self) -> None:
        await self._state.clear_scenarios()

    async def reset(self) -> None:
        """Back to the start-up state: the fixtures' tokens only, nothing recorded or queued,
        rate-limit windows empty."""
        await self._state.reset()

    # Over HTTP

    async def answer(self, scope: Scope, receive: Receive) -> Answer:
        """The answer to a request under `/__mock/`."""
        try:
            return await self._answer(scope, receive)
        except AdminError as refused:
            return refused.answer()
        except StoreUnavailable as lost:
            logger.error("%s %s: %s", scope["method"], scope["path"], lost)
            return AdminError(503, "store_unavailable", str(lost)).answer()
        except Exception as exc:  # a bug: say so, log no request data
            logger.error("internal error answering %s %s: %s", scope["method"], scope["path"],
                         type(exc).__name__)  # fmt: skip
            return AdminError(500, "internal_error", "The mock failed; see its log").answer()

    async def _answer(self, scope: Scope, receive: Receive) -> Answer:
        """Route by the admin spec's paths: 404 for a path it does not have, 405 for a
        method its path does not take."""
        path, method = scope["path"], scope["method"]
        routed = self._spec.route(path)
        if routed is None or not self._spec.open.issuperset(routed[0].operations.values()):
            self._authorize(scope)
        if routed is None:
            raise AdminError(404, "not_found", f"No admin endpoint {path}")
        route, params = routed
        operation = route.operations.get(method)
        if operation is None:
            allowed = ", ".join(route.operations)
            raise AdminError(
                405,
                "method_not_allowed",
                f"{method} is not allowed here ({allowed})",
                headers=((b"allow", allowed.encode()),),
            )
        return await self.handlers[operation](Call(operation, scope, receive, params))

    async def _health(self, call: Call) -> Answer:
        return Answer.json(*await self.health())

    async def _list_requests(self, call: Call) -> Answer:
        filters, problems = self._spec.query(call.operation, call.scope["query_string"])
        if problems:
            raise AdminError.invalid("The journal cannot be filtered", problems)
        found = await self.requests(**filters)
        return Answer.json(200, {"requests": [request.to_json() for request in found]})

    async def _clear_requests(self, call: Call) -> Answer:
        await self.clear_requests()
        return Answer(204, b"")

    async def _add_token(self, call: Call) -> Answer:
        return Answer.json(201, await self.add_token(await _json(call)))

    async def _remove_token(self, call: Call) -> Answer:
        await self.remove_token(call.params["token"])
        return Answer(204, b"")

    async def _list_scenarios(self, call: Call) -> Answer:
        return Answer.json(200, {"scenarios": await self.scenarios()})

    async def _add_scenario(self, call: Call) -> Answer:
        return Answer.json(201, await self.add_scenario(await _json(call)))

    async def _clear_scenarios(self, call: Call) -> Answer:
        await self.clear_scenarios()
        return Answer(204, b"")

    async def _list_findings(self, call: Call) -> Answer:
        return Answer.json(200, self._state.findings.to_json())

    async def _reset(self, call: Call) -> Answer:
        await self.reset()
        return Answer(204, b"")

    async def _document(self, call: Call) -> Answer:
        name = call.scope["path"].removeprefix(ADMIN_PREFIX)
        return Answer(200, _served_document(name), content_type=b"application/yaml")

    async def _reference(self, call: Call) -> Answer:
        return Answer(200, _reference(), content_type=b"text/html; charset=utf-8")

    def _authorize(self, scope: Scope) -> None:
        if self._token is None:
            if not self._open:
                raise AdminError(
                    403,
                    "forbidden",
                    "The admin API needs a token on an address other than loopback: "
                    "start the mock with --admin-token",
                )
            return
        given = bearer(scope["headers"])
        if given is None or not hmac.compare_digest(given.encode(), self._token.encode()):
            raise AdminError(
                401,
                "unauthorized",
                "Send the admin token: Authorization: Bearer <admin token>",
                headers=((b"www-authenticate", b"Bearer"),),
            )

    def _grant_problems(self, payload: Mapping[str, Any]) -> list[Problem]:
        """The problems of a new token's fields, as the fixtures' check words them, and what
        it finds that no schema says (text that is not Unicode)."""
        token = payload["token"]
        key = token if isinstance(token, str) else ""  # a token that is not text is not one
        data = {
            "users": {"user": payload["user"]},
            "tokens": {key: {"user": "user", "scopes": payload.get("scopes", []),
                             "expired": payload.get("expired", False)}},
        }  # fmt: skip
        return [
            Problem((), problem.replace(f"tokens.{key}.", "").replace(f"tokens.{key}", "token")
                    .replace("users.user", "user"))
            for problem in check(data, self._contract)
        ]  # fmt: skip

    def _scenario(self, payload: Mapping[str, Any]) -> Scenario:
        """The scenario of a body that keeps to the admin spec's `NewScenario`."""
        name = payload["operation"]
        error = (
            self._contract.operations[name].error(payload["error"]) if "error" in payload else None
        )
        consent = None
        if "consent" in payload or "scopes" in payload:
            scopes = payload.get("scopes")
            consent = Consent(
                payload.get("consent") == "deny", None if scopes is None else frozenset(scopes)
            )
        delay = payload.get("delay_ms")
        given = {key: payload[key] for key in ("times", "token", "fault") if key in payload}
        return Scenario(
            name,
            error=error,
            delay=None if delay is None else delay / 1000,
            consent=consent,
            **given,
        )


def check_operations(handlers: Mapping[str, Handler], spec: AdminSpec) -> None:
    """ValueError unless every operation of the admin spec has a handler, and every handler
    an operation."""
    operations = {op for route in spec.routes for op in route.operations.values()}
    missing, extra = sorted(operations - set(handlers)), sorted(set(handlers) - operations)
    if missing or extra:
        raise ValueError(
            f"admin operations without a handler: {missing or 'none'}; "
            f"handlers without an admin operation: {extra or 'none'}"
        )


async def _json(call: Call) -> Any:
    payload, problem = await read_json(call.scope, call.receive)
    if problem is not None:
        raise AdminError(400, "invalid_request", problem)
    return payload


@functools.cache
def _served_document(name: str) -> bytes:
    """The document served as `name`, its references to the other documents by the names
    they are served under (`openapi.yaml#/...`), so that a tool reading it by URL finds them."""
    text = document_path(DOCUMENTS[name]).read_text(encoding="utf-8")
    for served, written in DOCUMENTS.items():
        text = text.replace(f'"{written}#', f'"{served}#')
    return text.encode()


@functools.cache
def _reference() -> bytes:
    """The rendered reference of the API's document (`make docs`)."""
    return resources.files("mock_server").joinpath("reference.html").read_bytes()
