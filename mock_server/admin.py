"""The admin API under `/__mock/`, and the operations behind it, which the pytest plugin calls
too: health, the request journal, tokens, scenarios, reset, and the spec documents.

Described by `openapi/tiktok-mock-admin.yaml`. Its requests are never recorded,
rate-limited or fault-injected. Bound to an address other than loopback, it answers only with
the token given at start-up (`Authorization: Bearer <admin token>`); its health check always.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Mapping
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, unquote

from .answers import Answer
from .asgi import Receive, Scope
from .bodies import read_json
from .contract import Contract
from .faults import FAULTS
from .fixtures import Grant, check, longest_token
from .journal import RecordedRequest
from .latency import MAX_LATENCY_MS
from .oauth import Consent
from .scenarios import AUTHORIZE, QueueFull, Scenario
from .spec import document_path
from .state import State, StoreUnavailable
from .userinfo import bearer

__all__ = ["ADMIN_PREFIX", "MAX_TIMES", "Admin", "AdminError"]

logger = logging.getLogger("mock_server")

ADMIN_PREFIX = "/__mock/"
MAX_TIMES = 1_000_000
"""The most requests one scenario can answer."""
DOCUMENTS = {"openapi.yaml": "tiktok-user-info.yaml", "admin.yaml": "tiktok-mock-admin.yaml"}
"""The spec documents the admin API serves, by the name it serves them under."""
TOKEN_KEYS = {"token", "user", "scopes", "expired"}
SCENARIO_KEYS = {"operation", "token", "times", "error", "fault", "delay_ms", "consent", "scopes"}
FILTERS = {"operation", "method", "path", "status", "limit"}


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

    def answer(self) -> Answer:
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.problems is not None:
            body["problems"] = self.problems
        return Answer.json(self.status, body, headers=self.headers)


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
        problems = _unknown_keys(payload, TOKEN_KEYS, {"token", "user"})
        if problems:
            raise AdminError(400, "invalid_request", "The token cannot be added", problems)
        token, scopes = payload["token"], payload.get("scopes", list(self._contract.default_scopes))
        expired = payload.get("expired", False)
        key = token if isinstance(token, str) else ""  # a token that is not text is not one
        data = {
            "users": {"user": payload["user"]},
            "tokens": {key: {"user": "user", "scopes": scopes, "expired": expired}},
        }
        problems = [
            problem.replace(f"tokens.{key}.", "").replace(f"tokens.{key}", "token")
            .replace("users.user", "user")
            for problem in check(data, self._contract)
        ]  # fmt: skip
        if problems:
            raise AdminError(400, "invalid_request", "The token cannot be added", problems)
        await self._state.add_token(token, Grant(dict(payload["user"]), frozenset(scopes), expired))
        return {"token": token, "scopes": sorted(set(scopes)), "expired": expired}

    async def remove_token(self, token: str) -> None:
        if not await self._state.remove_token(token):
            raise AdminError(404, "not_found", "The mock does not know this token")

    async def add_scenario(self, payload: Any) -> dict[str, Any]:
        """Queue an answer for the next requests of an operation; see the admin spec."""
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
        route, method = scope["path"][len(ADMIN_PREFIX) :], scope["method"]
        if route == "health":
            _allow(method, "GET")
            return Answer.json(*await self.health())
        self._authorize(scope)
        if route in DOCUMENTS:
            _allow(method, "GET")
            return Answer(200, _served_document(route), content_type=b"application/yaml")
        if route == "reference":
            _allow(method, "GET")
            return Answer(200, _reference(), content_type=b"text/html; charset=utf-8")
        if route == "requests":
            _allow(method, "GET", "DELETE")
            if method == "DELETE":
                await self.clear_requests()
                return Answer(204, b"")
            found = await self.requests(**_filters(scope["query_string"]))
            return Answer.json(200, {"requests": [request.to_json() for request in found]})
        if route == "tokens":
            _allow(method, "POST")
            return Answer.json(201, await self.add_token(await _json(scope, receive)))
        if route.startswith("tokens/") and len(route) > len("tokens/"):
            _allow(method, "DELETE")
            await self.remove_token(unquote(route[len("tokens/") :]))
            return Answer(204, b"")
        if route == "scenarios":
            _allow(method, "GET", "POST", "DELETE")
            if method == "GET":
                return Answer.json(200, {"scenarios": await self.scenarios()})
            if method == "DELETE":
                await self.clear_scenarios()
                return Answer(204, b"")
            return Answer.json(201, await self.add_scenario(await _json(scope, receive)))
        if route == "findings":
            _allow(method, "GET")
            return Answer.json(200, self._state.findings.to_json())
        if route == "reset":
            _allow(method, "POST")
            await self.reset()
            return Answer(204, b"")
        raise AdminError(404, "not_found", f"No admin endpoint {scope['path']}")

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

    def _scenario(self, payload: Any) -> Scenario:
        problems = _unknown_keys(payload, SCENARIO_KEYS, {"operation"})
        if problems:
            raise AdminError(400, "invalid_request", "The scenario cannot be queued", problems)
        name = payload["operation"]
        operations = self._contract.operations
        if not isinstance(name, str) or (name != AUTHORIZE and name not in operations):
            known = ", ".join([*operations, AUTHORIZE])
            raise AdminError(
                400, "invalid_request", "The scenario cannot be queued", [
                    f"operation: {name!r} is not an operation ({known})"
                ],
            )  # fmt: skip
        times = payload.get("times", 1)
        if not _is_int(times) or not 1 <= times <= MAX_TIMES:
            problems.append(f"times: must be a whole number from 1 to {MAX_TIMES}")
        token, longest = payload.get("token"), longest_token(self._contract)
        if "token" in payload and (not isinstance(token, str) or not token or len(token) > longest):
            problems.append(f"token: must be a non-empty string of at most {longest} characters")
        delay = payload.get("delay_ms")
        if "delay_ms" in payload and (not _is_int(delay) or not 0 <= delay <= MAX_LATENCY_MS):
            problems.append(f"delay_ms: must be whole milliseconds from 0 to {MAX_LATENCY_MS}")
        fault = payload.get("fault")
        if "fault" in payload and fault not in FAULTS:
            problems.append(f"fault: {fault!r} is not a fault ({', '.join(FAULTS)})")
        error = None
        consent = None
        if name == AUTHORIZE:
            for key in ("error", "token"):
                if key in payload:
                    problems.append(f"{key}: the consent page takes no {key}")
            consent = self._consent(payload, problems)
        else:
            for key in ("consent", "scopes"):
                if key in payload:
                    problems.append(f"{key}: only the consent page ({AUTHORIZE}) takes it")
            if "error" in payload:
                codes = list(dict.fromkeys(r.code for r in operations[name].errors.values()))
                if payload["error"] in codes:
                    error = operations[name].error(payload["error"])
                else:
                    problems.append(
                        f"error: {payload['error']!r} is not an error code of {name} "
                        f"({', '.join(codes)})"
                    )
        if "error" in payload and "fault" in payload:
            problems.append("error, fault: give one of them, not both")
        if not SCENARIO_KEYS - {"operation", "token", "times"} & set(payload):
            problems.append("give an error, a fault, delay_ms, or for the consent page a decision")
        if problems:
            raise AdminError(400, "invalid_request", "The scenario cannot be queued", problems)
        return Scenario(
            name,
            times,
            token,
            error,
            fault,
            None if delay is None else delay / 1000,
            consent,
        )

    def _consent(self, payload: Mapping[str, Any], problems: list[str]) -> Consent | None:
        decision = payload.get("consent", "allow")
        if decision not in ("allow", "deny"):
            problems.append("consent: must be allow or deny")
        scopes = None
        if "scopes" in payload:
            given = payload["scopes"]
            if not isinstance(given, list) or not all(isinstance(s, str) for s in given):
                problems.append("scopes: must be a list of scope names")
            elif unknown := sorted(set(given) - self._contract.scopes):
                problems.append(f"scopes: unknown scopes {', '.join(unknown)}")
            else:
                scopes = frozenset(given)
        if "consent" not in payload and "scopes" not in payload:
            return None
        return Consent(decision == "deny", scopes)


def _allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        listed = ", ".join(allowed)
        raise AdminError(
            405,
            "method_not_allowed",
            f"{method} is not allowed here ({listed})",
            headers=((b"allow", listed.encode()),),
        )


async def _json(scope: Scope, receive: Receive) -> Any:
    payload, problem = await read_json(scope, receive)
    if problem is not None:
        raise AdminError(400, "invalid_request", problem)
    return payload


def _unknown_keys(payload: Any, keys: set[str], required: set[str]) -> list[str]:
    if not isinstance(payload, dict):
        return ["the body must be a JSON object"]
    problems = [
        f"{key}: unknown key (known: {', '.join(sorted(keys))})"
        for key in payload
        if key not in keys
    ]
    problems += [f"{key}: required" for key in sorted(required - set(payload))]
    return problems


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _filters(query: bytes) -> dict[str, Any]:
    """The journal filters of the query string."""
    filters: dict[str, Any] = {}
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name not in FILTERS:
            raise AdminError(
                400, "invalid_request", f"Unknown filter {name!r} ({', '.join(sorted(FILTERS))})"
            )
        if name in ("status", "limit"):
            if not value.isascii() or not value.isdigit() or len(value) > 9:
                raise AdminError(400, "invalid_request", f"{name} must be a whole number")
            filters[name] = int(value)
        else:
            filters[name] = value
    return filters


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
