"""An upstream stand-in for the proxy's tests: TikTok's API as a raw HTTP server on a socket of
its own, which drifts from the spec in the way each request's `x-stand-in` header asks."""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mock_server.process import free_port, wait_for_port

LOG_ID = "20221129194722CBE87ED59D524E727021"
USER: dict[str, Any] = {
    "open_id": "0d7b4e2a-5c3f-4a1b-9e8d-7c6b5a4f3e2d",
    "union_id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
    "display_name": "Alice Personal",
    "username": "alice.personal",
    "bio_description": "Private bio of Alice",
    "avatar_url": "https://p16-sign.tiktokcdn-us.com/tos-avt/alice-secret-avatar~c5.jpeg",
    "follower_count": 42,
}
"""A user whose every string is personal: none may reach a corpus or a finding."""
TOKEN_ANSWER: dict[str, Any] = {
    "access_token": "act.IssuedByUpstreamSecret000000000000000",
    "expires_in": 86400,
    "open_id": USER["open_id"],
    "refresh_expires_in": 31536000,
    "refresh_token": "rft.IssuedRefreshSecret0000000000000000",
    "scope": "user.info.basic",
    "token_type": "Bearer",
}


def envelope(code: str = "ok", user: dict[str, Any] | None = None, log_id: str = LOG_ID) -> bytes:
    data = {} if user is None else {"user": user}
    message = "" if code == "ok" else "Something"
    body = {"data": data, "error": {"code": code, "message": message, "log_id": log_id}}
    return json.dumps(body).encode()


@dataclass
class Received:
    method: str
    target: bytes
    headers: dict[str, str]
    body: bytes


@dataclass
class StandIn:
    url: str
    received: list[Received] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


GZIPPED = gzip.compress(envelope())
ANSWERS: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {
    "ok": (200, [("x-tt-logid", LOG_ID), ("x-upstream", "kept")], envelope(user=USER)),
    "extra-field": (200, [("x-tt-logid", LOG_ID)], envelope(user={**USER, "nickname": "Al"})),
    "unknown-code": (400, [("x-tt-logid", LOG_ID)], envelope("brand_new_code")),
    "no-header": (200, [], envelope(user=USER)),
    "html-200": (200, [("x-tt-logid", LOG_ID), ("content-type", "text/html")], b"<html></html>"),
    "bad-log-id": (200, [("x-tt-logid", "nope")], envelope(user=USER, log_id="nope")),
    "teapot": (418, [("x-tt-logid", LOG_ID)], envelope("ok")),
    "scope-refused": (401, [("x-tt-logid", LOG_ID)], envelope("scope_not_authorized")),
    "token": (200, [("x-tt-logid", LOG_ID)], json.dumps(TOKEN_ANSWER).encode()),
    "gzip": (
        200,
        [("x-tt-logid", LOG_ID), ("content-encoding", "gzip")],
        gzip.compress(envelope()),
    ),
    "huge": (200, [("x-tt-logid", LOG_ID)], b" " * (1024 * 1024 + 1)),
    "brotli": (200, [("x-tt-logid", LOG_ID), ("content-encoding", "br")], b"\x0b\x02\x80{}\x03"),
}
"""Each mode's status, headers and body (content-type is JSON unless given)."""


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stand_in: StandIn
) -> None:
    task = asyncio.current_task()
    assert task is not None
    stand_in.tasks.add(task)
    try:
        if await _answer(reader, writer, stand_in):
            writer.transport.abort()
            return
        writer.close()
        await writer.wait_closed()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
        writer.transport.abort()  # every connection ends here, none is left to the collector
    finally:
        stand_in.tasks.discard(task)


async def _answer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stand_in: StandIn
) -> bool:
    """Answer as the request's mode asks; True to reset the connection instead."""
    head = await reader.readuntil(b"\r\n\r\n")
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ")
    headers = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    stand_in.received.append(Received(method, target.encode("latin-1"), headers, body))
    mode = headers.get("x-stand-in", "ok")
    if mode == "reset":
        return True
    if mode == "slow":
        await asyncio.sleep(1.5)
        mode = "ok"
    status, extra, payload = ANSWERS[mode]
    names = {name for name, _ in extra}
    out = [f"HTTP/1.1 {status} Whatever"]
    if "content-type" not in names:
        out.append("content-type: application/json")
    out += [f"{name}: {value}" for name, value in extra]
    out += [f"content-length: {len(payload)}", "connection: close", "", ""]
    writer.write("\r\n".join(out).encode("latin-1") + payload)
    await writer.drain()
    return False


@contextmanager
def stand_in(tls: ssl.SSLContext | None = None) -> Iterator[StandIn]:
    """The stand-in on a free port of 127.0.0.1, until the block ends."""
    port = free_port()
    scheme = "https" if tls else "http"
    served = StandIn(f"{scheme}://127.0.0.1:{port}")
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stopping = asyncio.Event()

    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _handle(r, w, served), "127.0.0.1", port, ssl=tls
        )
        started.set()
        await stopping.wait()
        server.close()
        for task in list(served.tasks):
            task.cancel()
        await asyncio.gather(*served.tasks, return_exceptions=True)
        await server.wait_closed()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    started.wait(10)
    wait_for_port("127.0.0.1", port)
    try:
        yield served
    finally:
        loop.call_soon_threadsafe(stopping.set)
        thread.join(10)
        loop.close()
