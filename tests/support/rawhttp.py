"""Raw HTTP/1.x over a socket, for requests no well-behaved client would send."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from tests.support.seeds import EXAMPLE_TOKEN as TOKEN


@dataclass(frozen=True)
class RawResponse:
    version: str
    status: int
    headers: dict[str, str]
    body: bytes


def build(
    target: str = "/v2/user/info/?fields=open_id",
    *,
    method: str = "GET",
    version: str = "HTTP/1.1",
    headers: list[tuple[str, str]] | None = None,
    authorization: str | None = f"Bearer {TOKEN}",
) -> bytes:
    """A request as bytes; header values are sent as given (latin-1), no checks."""
    lines = [f"{method} {target} {version}", "Host: 127.0.0.1"]
    if authorization is not None:
        lines.append(f"Authorization: {authorization}")
    lines += [f"{name}: {value}" for name, value in headers or []]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def exchange(
    port: int, data: bytes, *, expect: int = 1, timeout: float = 5.0, bodyless: bool = False
) -> list[RawResponse]:
    """Send `data` on a new connection; read `expect` responses, or until the server closes.

    `bodyless`: the answers have no body whatever their Content-Length (answers to HEAD).
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        buffer = b""
        responses: list[RawResponse] = []
        while len(responses) < expect:
            parsed = _parse(buffer, bodyless)
            if parsed is not None:
                response, buffer = parsed
                responses.append(response)
                continue
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            buffer += chunk
        return responses


def _parse(buffer: bytes, bodyless: bool) -> tuple[RawResponse, bytes] | None:
    head, separator, rest = buffer.partition(b"\r\n\r\n")
    if not separator:
        return None
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    version, status, *_ = status_line.split(" ")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if bodyless else int(headers.get("content-length", "0"))
    if len(rest) < length:
        return None
    return RawResponse(version, int(status), headers, rest[:length]), rest[length:]
