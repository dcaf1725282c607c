"""The mock as a validating, differential proxy: each API request goes to the upstream (TikTok,
or a staging deployment) as the app sent it, and the upstream's answer back to the app as it
came; on the way, the exchange is checked against the spec and against what the mock would
have answered, and each finding goes to the request's journal entry, the log, and
`GET /__mock/findings`. The admin API is the mock's own, as without the proxy.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import ssl
import sys
import zlib
from collections import OrderedDict
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from .admin import ADMIN_PREFIX
from .answers import Answer, send_answer
from .app import MockApp
from .asgi import Headers, Receive, Scope, Send
from .bodies import MAX_BODY_BYTES, read_form
from .conformance import error_code, json_body, request_findings, response_findings
from .contract import Operation
from .corpus import Exchange, Recorder
from .disagreement import Verdict, disagreements, oauth_verdict, user_info_verdict
from .findings import Finding
from .journal import Arrival, Raw
from .userinfo import bearer

__all__ = ["MAX_ANSWER_BYTES", "MAX_GRANTS", "Proxy"]

logger = logging.getLogger("mock_server")

MAX_ANSWER_BYTES = 1_048_576
"""The longest answer the proxy passes on: far more than any answer of the spec's."""
MAX_CONNECTIONS = 100
"""How many connections to the upstream the proxy keeps at once."""
MAX_GRANTS = 10_000
"""How many access tokens' grants, seen in token responses, the proxy remembers."""
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"host",
        b"content-length",
    }
)
"""Headers that belong to one connection, not to the exchange; content-length is set anew."""


class Proxy:
    """An ASGI app that passes the spec's API on to `upstream`, checking each exchange."""

    def __init__(
        self,
        mock: MockApp,
        upstream: str,
        *,
        ca_file: str | None = None,
        timeout: float,
        recorder: Recorder | None = None,
    ) -> None:
        self.mock = mock
        self.upstream = upstream.rstrip("/")
        self._prefix = urlsplit(self.upstream).path.encode()
        self._timeout = timeout
        self._recorder = recorder
        self._ssl = ssl.create_default_context(cafile=ca_file)
        self._session: aiohttp.ClientSession | None = None
        self._grants: OrderedDict[bytes, frozenset[str]] = OrderedDict()
        self._operations = {(op.path, op.method): op for op in mock.contract.operations.values()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            if scope["path"].startswith(ADMIN_PREFIX):
                await self.mock(scope, receive, send)
            else:
                await self._pass_on(scope, receive, send)

    async def _pass_on(self, scope: Scope, receive: Receive, send: Send) -> None:
        arrival = self.mock.state.arrival()
        operation = self._operations.get((scope["path"], scope["method"]))
        body = await _body(receive)
        if body is None:
            await send_answer(
                send, _refusal(413, f"The request body is over {MAX_BODY_BYTES} bytes")
            )
            return
        answered = await self._forward(scope, body)
        if isinstance(answered, Finding):
            await self._report(scope, arrival, operation, None, 502, None, [answered])
            status = 504 if answered.check == "timeout" else 502
            await send_answer(send, _refusal(status, answered.actual))
            return
        status, headers, raw = answered
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": raw})
        decoded = _decoded(headers, raw)
        form = await self._form(scope, operation, body)
        found, grant = self._check(scope, operation, form, status, headers, decoded)
        log_id = _log_id(headers, decoded)
        found = [replace(finding, log_id=log_id) for finding in found]
        parsed_form = form if isinstance(form, dict) else None
        await self._report(scope, arrival, operation, parsed_form, status, log_id, found)
        if self._recorder is not None and decoded is not None:
            self._recorder.record(
                Exchange(
                    operation.operation_id if operation else None,
                    scope["method"],
                    scope["path"],
                    scope["query_string"],
                    scope["headers"],
                    parsed_form,
                    status,
                    headers,
                    decoded,
                    grant,
                )
            )

    async def _forward(self, scope: Scope, body: bytes) -> tuple[int, Headers, bytes] | Finding:
        """The upstream's status, headers and raw body; or, if no answer came, the finding."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._ssl, limit=MAX_CONNECTIONS),
                timeout=aiohttp.ClientTimeout(sock_connect=self._timeout, sock_read=self._timeout),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            )
        query = scope["query_string"]
        raw_path = scope.get("raw_path") or scope["path"].encode()
        target = self._prefix + raw_path + (b"?" + query if query else b"")
        url = URL(self.upstream + target.decode("latin-1"), encoded=True)
        headers = CIMultiDict(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in scope["headers"]
            if name not in HOP_BY_HOP
        )
        try:
            async with self._session.request(
                scope["method"], url, headers=headers, data=body or None, allow_redirects=False
            ) as response:
                raw = b""
                async for chunk in response.content.iter_chunked(65_536):
                    raw += chunk
                    if len(raw) > MAX_ANSWER_BYTES:
                        what = f"an answer of over {MAX_ANSWER_BYTES} bytes"
                        return _unanswered("size", f"{self.upstream} sent {what}")
                status, answered = response.status, response.raw_headers
        except (TimeoutError, aiohttp.ServerTimeoutError):
            reason = f"{self.upstream} did not answer within {self._timeout:g} s"
            return _unanswered("timeout", reason)
        except aiohttp.ClientSSLError as exc:
            reason = f"{self.upstream} failed TLS verification: {_reason(exc)}"
            return _unanswered("tls", reason)
        except aiohttp.ClientConnectorError as exc:
            reason = f"{self.upstream} could not be reached: {_reason(exc)}"
            return _unanswered("connect", reason)
        except aiohttp.ClientError as exc:
            reason = f"{self.upstream} closed the connection before answering: {_reason(exc)}"
            return _unanswered("connection", reason)
        kept = [(name.lower(), value) for name, value in answered if name.lower() not in HOP_BY_HOP]
        kept.append((b"content-length", str(len(raw)).encode()))
        return status, kept, raw

    async def _form(
        self, scope: Scope, operation: Operation | None, body: bytes
    ) -> dict[str, str] | str | None:
        if operation is None or not operation.form_fields:
            return None

        async def replayed() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        return await read_form(scope, replayed, operation.form_fields)

    def _check(
        self,
        scope: Scope,
        operation: Operation | None,
        form: dict[str, str] | str | None,
        status: int,
        headers: Headers,
        body: bytes | None,
    ) -> tuple[list[Finding], frozenset[str] | None]:
        """The exchange's findings, and the grant of its token if the proxy saw it."""
        if operation is None:
            where = f"{scope['method']} {scope['path'][:64]}"
            return [
                Finding("violation", None, "request path", "an operation of the spec", where)
            ], None
        mock, grant = self.mock, None
        fields_problem = None
        verdict: Verdict
        if operation.form_fields:
            bad = mock.bad_request(operation, form if isinstance(form, str) else "")
            verdict = oauth_verdict(mock.oauth, operation, form or {}, bad)
        else:
            token = _bearer_digest(scope["headers"])
            grant = self._grants.get(token) if token is not None else None
            fields_problem = mock.user_info.fields(scope["query_string"])[1]
            verdict = user_info_verdict(mock.user_info, scope["query_string"], grant)
        found = request_findings(operation, scope["headers"], fields_problem, form)
        if body is None:
            encoding = dict(headers).get(b"content-encoding", b"").decode("latin-1")[:32]
            what = f"a body in {encoding} encoding, which the proxy cannot read"
            return [
                *found,
                Finding("violation", operation.operation_id, "body", "JSON", what),
            ], grant
        found += response_findings(mock.contract, operation, status, headers, body)
        parsed, _ = json_body(body)
        found += disagreements(operation, verdict, status, error_code(parsed))
        if operation.operation_id == "fetchAccessToken" and status == 200:
            self._remember(parsed)
        return found, grant

    def _remember(self, body: Any) -> None:
        """Keep the grant of the access token a token response carries."""
        if not isinstance(body, dict):
            return
        token, scope = body.get("access_token"), body.get("scope")
        if isinstance(token, str) and isinstance(scope, str):
            self._grants[_digest(token)] = frozenset(s for s in scope.split(",") if s)
            while len(self._grants) > MAX_GRANTS:
                self._grants.popitem(last=False)

    async def _report(
        self,
        scope: Scope,
        arrival: Arrival,
        operation: Operation | None,
        form: dict[str, str] | None,
        status: int,
        log_id: str | None,
        found: list[Finding],
    ) -> None:
        self.mock.state.findings.add(found)
        raw = Raw.of(
            scope, arrival.time, status=status, log_id=log_id,
            operation=operation.operation_id if operation else None, form=form,
            findings=tuple(found),
        )  # fmt: skip
        await self.mock.state.record(raw, arrival)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._session is not None:
                    await self._session.close()
                if self._recorder is not None:
                    self._recorder.close()
                print(self.mock.state.findings.summary(), file=sys.stderr, flush=True)
                await send({"type": "lifespan.shutdown.complete"})
                return


def _unanswered(check: str, reason: str) -> Finding:
    return Finding("upstream", None, check, "an answer", reason)


def _reason(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:200]


def _refusal(status: int, message: str) -> Answer:
    error = "gateway_timeout" if status == 504 else "bad_gateway" if status == 502 else "too_large"
    return Answer.json(status, {"error": error, "message": message})


async def _body(receive: Receive) -> bytes | None:
    """The request's whole body, or None if it is longer than the proxy passes on."""
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return body
        chunk: bytes = message.get("body", b"")
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
        if not message.get("more_body"):
            return body


def _decoded(headers: Headers, raw: bytes) -> bytes | None:
    """The body as the upstream meant it: gzip and deflate undone; None for another coding."""
    encoding = dict(headers).get(b"content-encoding", b"identity").strip().lower()
    try:
        if encoding == b"identity":
            return raw
        if encoding == b"gzip":
            return bytes(gzip.decompress(raw))
        if encoding == b"deflate":
            return bytes(zlib.decompress(raw))
    except (OSError, zlib.error, EOFError):
        return None
    return None


def _log_id(headers: Headers, body: bytes | None) -> str | None:
    header = dict(headers).get(b"x-tt-logid")
    if header is not None:
        return header.decode("latin-1")[:64]
    parsed, _ = json_body(body or b"")
    error = parsed.get("error") if isinstance(parsed, dict) else None
    found = error.get("log_id") if isinstance(error, dict) else None
    if found is None and isinstance(parsed, dict):
        found = parsed.get("log_id")
    return found[:64] if isinstance(found, str) else None


def _bearer_digest(headers: Headers) -> bytes | None:
    token = bearer(headers)
    return None if token is None else _digest(token)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
