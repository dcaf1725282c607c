"""The mock's answers and their bodies: TikTok's envelope, OAuth's errors, the admin API's JSON."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, NamedTuple

from .asgi import Send
from .contract import ErrorReply

__all__ = ["JSON", "Answer", "json_bytes", "ok_body", "send_answer"]

JSON = b"application/json"


class Answer(NamedTuple):
    """A status, a body and its headers; `log_id` also goes in the `x-tt-logid` header."""

    status: int
    body: bytes
    log_id: str | None = None
    headers: tuple[tuple[bytes, bytes], ...] = ()
    content_type: bytes = JSON

    @classmethod
    def error(
        cls, reply: ErrorReply, log_id: str, headers: tuple[tuple[bytes, bytes], ...] = ()
    ) -> Answer:
        """A documented error, in the shape its operation answers errors."""
        before, after = _error_parts(reply)
        return cls(reply.status, before + log_id.encode() + after, log_id, headers)

    @classmethod
    def json(
        cls,
        status: int,
        body: Any,
        log_id: str | None = None,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> Answer:
        return cls(status, json_bytes(body), log_id, headers)


def json_bytes(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def ok_body(user: bytes, log_id: str) -> bytes:
    """The success envelope around `user`, the user object's members already encoded."""
    return b'{"data":{"user":{%s}},"error":{"code":"ok","message":"","log_id":"%s"}}' % (
        user,
        log_id.encode(),
    )


@lru_cache(maxsize=256)
def _error_parts(reply: ErrorReply) -> tuple[bytes, bytes]:
    """An error body encoded once, split where its log id goes."""
    if reply.oauth:
        body: Any = {"error": reply.code, "error_description": reply.message, "log_id": ""}
    else:
        body = {"data": {}, "error": {"code": reply.code, "message": reply.message, "log_id": ""}}
    before, after = json_bytes(body).rsplit(b'"log_id":"', 1)  # a quote in a string is escaped
    return before + b'"log_id":"', after


async def send_answer(send: Send, answer: Answer) -> None:
    """Send `answer`, with its length, type and log id headers."""
    headers = [(b"content-length", str(len(answer.body)).encode())]
    if answer.body:
        headers.append((b"content-type", answer.content_type))
    if answer.log_id is not None:
        headers.append((b"x-tt-logid", answer.log_id.encode()))
    headers.extend(answer.headers)
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
