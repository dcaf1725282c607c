"""One request to an ASGI app in-process, its answer checked as a server would check it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from mock_server.asgi import Message, Scope

Headers = Mapping[str, str] | Sequence[tuple[bytes, bytes]]


def call(
    app: Any,
    method: str = "GET",
    target: str | bytes = "/",
    headers: Headers = (),
    body: bytes = b"",
) -> httpx.Response:
    """`app` answering one request in-process, sent exactly as given: `target` is the path
    and the raw query string; `headers` go as they are, bytes and all."""
    raw = target.encode("latin-1") if isinstance(target, str) else target
    path, _, query = raw.partition(b"?")
    if isinstance(headers, Mapping):
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path.decode("latin-1"),
        "raw_path": path,
        "query_string": query,
        "headers": list(headers),
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    sent: list[Message] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return _response(sent)


def _response(sent: list[Message]) -> httpx.Response:
    """The response `sent` makes, checked as a server would: a start then one final body,
    header names in lower case, and a Content-Length that is the body's."""
    start, *bodies = sent
    assert start["type"] == "http.response.start", start
    assert 100 <= start["status"] <= 599
    assert all(message["type"] == "http.response.body" for message in bodies), bodies
    assert bodies and not bodies[-1].get("more_body", False)
    headers: list[tuple[bytes, bytes]] = start["headers"]
    assert all(name == name.lower() for name, _ in headers), headers
    content = b"".join(message.get("body", b"") for message in bodies)
    lengths = [value for name, value in headers if name == b"content-length"]
    assert lengths == [str(len(content)).encode()], (lengths, len(content))
    return httpx.Response(start["status"], headers=headers, content=content)


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    """The status, code and message of an answer in TikTok's envelope, whose data is empty."""
    body = response.json()
    assert body["data"] == {}
    return response.status_code, body["error"]["code"], body["error"]["message"]
