"""The mock as a plain ASGI application: TikTok's token checks, fields, scopes and errors."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from .asgi import Message, Receive, Scope, Send
from .contract import Contract, ErrorReply
from .faults import Faults
from .fixtures import TOKEN, Fixtures, Grant
from .forms import read_form
from .logid import new_log_id
from .oauth import OAuth, OAuthReply
from .prefer import parse_prefer
from .ratelimit import SlidingWindow

__all__ = [
    "AUTHORIZE_PATH",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_TOKEN_TTL",
    "Message",
    "MockApp",
    "Receive",
    "RecordedRequest",
    "Scope",
    "Send",
]


DEFAULT_RATE_LIMIT = 600
"""Requests per token per sliding minute, as TikTok documents for this endpoint."""
DEFAULT_TOKEN_TTL = 86_400
"""Seconds an issued access token works, as TikTok's older documentation gives it."""
AUTHORIZE_PATH = "/v2/auth/authorize/"
"""The mock's stand-in for TikTok's authorize page, which lives on www.tiktok.com."""
CACHED_QUERY_BYTES = 512
"""Queries up to this size have their parse cached (1,024 of them at most)."""
RECORDED = 10_000
"""How many of the last requests a recording mock keeps."""
MAX_NAMED_FIELDS = 10
"""How many unknown field names an `invalid_params` message lists."""
# The mock's own answers outside the documented operation, in the same envelope.
NOT_FOUND = ErrorReply(404, "not_found", "The requested path does not exist.")
METHOD_NOT_ALLOWED = ErrorReply(
    405, "method_not_allowed", "The method is not allowed for this path."
)
FIELDS_GIVEN_TWICE = "Fields must be given once, comma-separated"

logger = logging.getLogger("mock_server")


class MockApp:
    """TikTok's endpoints as TikTok answers them, for the users and tokens in `fixtures`.

    The OAuth endpoints are `oauth`'s. For `GET /v2/user/info/`, every check in TikTok's
    order: the path and method, the `Prefer` header and the
    injected faults, the bearer token (401 `access_token_invalid`), the rate limit per
    token (429), the `fields` parameter (400 `invalid_params`), then each field's scope (401
    `scope_not_authorized`). `rate_limit=0` turns the rate limit off; `fault_rate` answers
    that share of requests with documented 429 and 500 errors, reproducibly for a `seed`.
    With `record`, `requests` holds the last requests received, tokens redacted.
    """

    def __init__(
        self,
        contract: Contract,
        fixtures: Fixtures,
        *,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        fault_rate: float = 0.0,
        seed: int | None = None,
        record: bool = False,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.contract = contract
        self._clock = clock
        # Tokens are looked up by digest and then compared in constant time, so neither the
        # lookup nor the comparison reveals how much of a guessed token was right.
        self._grants: dict[bytes, _Entry] = {}
        for token, grant in fixtures.grants.items():
            self.add_grant(token, grant)
        self._fixture_grants = dict(self._grants)
        self._limiter = SlidingWindow(rate_limit) if rate_limit else None
        self._errors = contract.errors
        # Clients repeat their queries: parse each short one once.
        self._fields_cached = lru_cache(maxsize=1024)(self._fields)
        self.oauth = OAuth(
            fixtures,
            self.add_grant,
            self.remove_grant,
            scopes=contract.scopes,
            token_ttl=token_ttl,
            clock=clock,
        )
        operations = contract.operations
        handlers: dict[str, Callable[[Scope, Receive, str], Awaitable[_Answer]]] = {
            "getUserInfo": self._user_info_answer,
            "fetchAccessToken": self._form_handler(self.oauth.token),
            "revokeAccessToken": self._form_handler(self.oauth.revoke),
        }
        self._routes = {
            path: (method, [(b"allow", method.encode())], handlers[operation_id])
            for operation_id, (path, method) in operations.items()
        }
        self._routes[AUTHORIZE_PATH] = ("GET", [(b"allow", b"GET")], self._authorize_answer)
        injected = [reply for reply in contract.errors.values() if reply.status in (429, 500)]
        self._faults = Faults(fault_rate, injected, seed) if fault_rate else None
        self.requests: deque[RecordedRequest] | None = deque(maxlen=RECORDED) if record else None

    def add_grant(self, token: str, grant: Grant) -> None:
        """Make `token` grant `grant` from now on, replacing what it granted before."""
        fragments = {field: _encode({field: value})[1:-1] for field, value in grant.user.items()}
        self._grants[_digest(token)] = _Entry(token, grant, fragments)

    def remove_grant(self, token: str) -> None:
        """Make `token` unknown from now on."""
        self._grants.pop(_digest(token), None)

    def grants(self) -> dict[str, Grant]:
        """Every token the mock knows, with what it grants."""
        return {entry.token: entry.grant for entry in self._grants.values()}

    def reset_state(self) -> None:
        """Back to the start: the fixtures' tokens only; no recorded requests, rate-limit
        windows or OAuth state."""
        self._grants = dict(self._fixture_grants)
        if self.requests is not None:
            self.requests.clear()
        if self._limiter is not None:
            self._limiter = SlidingWindow(self._limiter.limit, self._limiter.window)
        self.oauth.reset()

    def describe_tokens(self) -> list[tuple[str, str]]:
        """Each token with what it grants, for the start-up banner."""
        return [
            (token, "expired" if grant.expired else " ".join(sorted(grant.scopes)))
            for token, grant in self.grants().items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            answer = await self._answer(scope, receive)
        except Exception as exc:  # a bug: answer TikTok's 500, log no request data
            logger.error("internal error answering %s %s: %s", scope["method"], scope["path"],
                         type(exc).__name__)  # fmt: skip
            answer = _Answer.error(self._errors["internal_error"], new_log_id())
        if answer.delay:
            await asyncio.sleep(answer.delay)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(answer.body)).encode()),
            (b"x-tt-logid", answer.log_id.encode()),
            *answer.headers,
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})
        if self.requests is not None:
            self.requests.append(RecordedRequest.of(scope, answer.status))
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d (log_id %s)",
                scope["method"],
                scope["path"],
                answer.status,
                answer.log_id,
            )

    async def _answer(self, scope: Scope, receive: Receive) -> _Answer:
        """The answer to a request."""
        log_id = new_log_id()
        route = self._routes.get(scope["path"])
        if route is None:
            return _Answer.error(NOT_FOUND, log_id)
        method, allow, handler = route
        if scope["method"] != method:
            return _Answer.error(METHOD_NOT_ALLOWED, log_id, allow)
        return await handler(scope, receive, log_id)

    async def _user_info_answer(self, scope: Scope, receive: Receive, log_id: str) -> _Answer:
        """`GET /v2/user/info/`, with the `Prefer` header and the injected faults."""
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        preference = parse_prefer([v for n, v in headers if n == b"prefer"], self._errors)
        if isinstance(preference, str):
            return _Answer.error(_with_message(self._errors["invalid_params"], preference), log_id)
        forced = preference.forced or (self._faults.draw() if self._faults else None)
        if forced is not None:
            return _Answer.error(forced, log_id, delay=preference.delay)
        status, body = self._user_info(scope, log_id)
        return _Answer(status, body, log_id, delay=preference.delay)

    def _form_handler(
        self, endpoint: Callable[[Mapping[str, str]], OAuthReply]
    ) -> Callable[[Scope, Receive, str], Awaitable[_Answer]]:
        """An OAuth endpoint taking a form-encoded body."""

        async def handler(scope: Scope, receive: Receive, log_id: str) -> _Answer:
            form = await read_form(scope, receive)
            if isinstance(form, str):
                reply = OAuthReply(400, {"error": "invalid_request", "error_description": form})
            else:
                reply = endpoint(form)
            return _Answer.oauth(reply, log_id)

        return handler

    async def _authorize_answer(self, scope: Scope, receive: Receive, log_id: str) -> _Answer:
        """The mock's stand-in for TikTok's authorize page (not part of the API spec)."""
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        return _Answer.oauth(self.oauth.authorize(dict(query)), log_id)

    def _user_info(self, scope: Scope, log_id: str) -> tuple[int, bytes]:
        """The status and body of `GET /v2/user/info/`."""
        entry = self._authorize(scope["headers"])
        if entry is None or not entry.grant.valid_at(self._clock()):
            return _error(self._errors["access_token_invalid"], log_id)
        if self._limiter is not None and not self._limiter.admit(entry.token):
            return _error(self._errors["rate_limit_exceeded"], log_id)
        query: bytes = scope["query_string"]
        fields, problem = (
            self._fields_cached(query) if len(query) <= CACHED_QUERY_BYTES else self._fields(query)
        )
        if problem is not None:
            return _error(problem, log_id)
        scopes = entry.grant.scopes
        if any(self.contract.field_scopes[field] not in scopes for field in fields):
            return _error(self._errors["scope_not_authorized"], log_id)
        fragments = entry.fragments
        user = b",".join(fragments[field] for field in fields if field in fragments)
        return 200, b'{"data":{"user":{%s}},%s' % (user, _ok(log_id))

    def _authorize(self, headers: list[tuple[bytes, bytes]]) -> _Entry | None:
        """What the request's bearer token grants, or None if the token is not a valid one."""
        values = [value for name, value in headers if name == b"authorization"]
        if len(values) != 1:
            return None
        scheme, _, token_bytes = values[0].partition(b" ")
        token = token_bytes.strip(b" ").decode("latin-1")
        if scheme.lower() != b"bearer" or not TOKEN.fullmatch(token):
            return None
        entry = self._grants.get(_digest(token))
        if entry is None or not hmac.compare_digest(entry.token, token):
            return None
        return entry

    def _fields(self, query_string: bytes) -> tuple[tuple[str, ...], ErrorReply | None]:
        """The requested field names, or the error that the `fields` parameter earns."""
        required = self._errors["invalid_params"]
        values = [
            value
            for name, _, value in (pair.partition(b"=") for pair in query_string.split(b"&"))
            if unquote(name.decode("latin-1")) == "fields"
        ]
        if len(values) > 1:
            return (), _with_message(required, FIELDS_GIVEN_TWICE)
        if not values:
            return (), required
        try:
            # Items are separated by literal commas only: TikTok reads a %2C as part of a
            # name, and answers as if `fields` were missing.
            items = [
                unquote(item, errors="strict")
                for item in values[0].decode("ascii").replace("+", " ").split(",")
            ]
        except UnicodeDecodeError:
            return (), _with_message(required, "Fields must be UTF-8, comma-separated")
        fields = list(dict.fromkeys(item for item in items if item))
        if not fields or any("," in field for field in fields):
            return (), required
        unknown = [field for field in fields if field not in self.contract.field_scopes]
        if unknown:
            return (), _with_message(required, _unknown_fields(unknown))
        return tuple(fields), None


@dataclass(frozen=True)
class RecordedRequest:
    """A request the mock received, its bearer token redacted, and the status it got."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    status: int

    @classmethod
    def of(cls, scope: Scope, status: int) -> RecordedRequest:
        headers = {}
        for name, value in scope["headers"]:
            text = value.decode("latin-1")
            if name == b"authorization":
                scheme, _, token = text.partition(" ")
                text = f"{scheme} <redacted>" if token else "<redacted>"
            headers[name.decode("latin-1")] = text
        query = scope["query_string"].decode("latin-1")
        return cls(scope["method"], scope["path"], query, headers, status)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    log_id: str
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    delay: float = 0.0

    @classmethod
    def error(
        cls,
        reply: ErrorReply,
        log_id: str,
        headers: list[tuple[bytes, bytes]] | None = None,
        delay: float = 0.0,
    ) -> _Answer:
        return cls(*_error(reply, log_id), log_id, headers or [], delay)

    @classmethod
    def oauth(cls, reply: OAuthReply, log_id: str) -> _Answer:
        """An OAuth answer; its errors carry the log id, as TikTok's do."""
        body = dict(reply.body)
        if "error" in body:
            body["log_id"] = log_id
        return cls(reply.status, _encode(body), log_id, list(reply.headers))


@dataclass(frozen=True)
class _Entry:
    """A token, its grant, and its user's fields each encoded once as a JSON member."""

    token: str
    grant: Grant
    fragments: Mapping[str, bytes]


def _ok(log_id: str) -> bytes:
    """The success envelope's `error` member and the closing brace."""
    return b'"error":{"code":"ok","message":"","log_id":"%s"}}' % log_id.encode()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def _encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _error(reply: ErrorReply, log_id: str) -> tuple[int, bytes]:
    before, after = _error_parts(reply)
    return reply.status, before + log_id.encode() + after


@lru_cache(maxsize=256)
def _error_parts(reply: ErrorReply) -> tuple[bytes, bytes]:
    """An error body encoded once, split where its log id goes."""
    body = _encode(
        {"data": {}, "error": {"code": reply.code, "message": reply.message, "log_id": ""}}
    )
    before, after = body.rsplit(b'"log_id":"', 1)  # a quote inside a string would be escaped
    return before + b'"log_id":"', after


def _with_message(reply: ErrorReply, message: str) -> ErrorReply:
    return ErrorReply(reply.status, reply.code, message)


def _unknown_fields(names: list[str]) -> str:
    """The message for unknown field names, e.g. "Invalid fields: nickname"."""
    listed = ", ".join(
        name if len(name) <= 64 else name[:61] + "..." for name in names[:MAX_NAMED_FIELDS]
    )
    more = f" and {len(names) - MAX_NAMED_FIELDS} more" if len(names) > MAX_NAMED_FIELDS else ""
    return f"Invalid fields: {listed}{more}"


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
