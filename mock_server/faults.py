"""Faults: the network failures the mock can inject, and the draw of `--fault-rate`."""

from __future__ import annotations

import asyncio
import ctypes
import functools
import os
import re
import socket
import struct
import sys
from pathlib import Path
from random import Random

from .asgi import Receive, Scope, Send

__all__ = [
    "DEFAULT_MIX",
    "FAULTS",
    "HANG_SECONDS",
    "WILDCARDS",
    "FaultDraw",
    "NetworkFaults",
    "parse_mix",
]

FAULTS = ("reset", "empty", "truncated", "garbage", "html", "hang")
"""The network faults, as `Prefer: fault=NAME`, scenarios and `--fault-mix` name them."""
DEFAULT_MIX = "429,500"
"""What `--fault-rate` draws unless told: the operation's documented 429 and 500 errors."""
HANG_SECONDS = 300.0
"""How long `hang` holds a request before closing it unanswered (shutdown releases it)."""
MIX_ITEM = re.compile(r"(?P<name>[a-z]+|[0-9]{3})(?:=(?P<weight>[0-9]+))?")
STATUSES = ("429", "500")
"""The statuses a mix can draw: errors every operation of the spec documents."""
FDS = Path("/proc/self/fd")
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
"""The host addresses that bind every interface."""
UNSUPPORTED = (
    b"The mock cannot reach this request's connection to break it: it needs Linux's "
    b"/proc/self/fd.\n"
)
PROXY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def parse_mix(text: str) -> list[tuple[str, int]]:
    """`429,500,reset=2`: each documented status or network fault, with its weight (1 unless
    given); ValueError saying what is wrong otherwise."""
    mix = []
    for item in text.split(","):
        match = MIX_ITEM.fullmatch(item.strip())
        if match is None or match["name"] not in (*STATUSES, *FAULTS):
            known = ", ".join((*STATUSES, *FAULTS))
            raise ValueError(f"{item.strip()!r} is not a fault ({known}), optionally =WEIGHT")
        weight = int(match["weight"] or 1)
        if weight < 1:
            raise ValueError(f"{item.strip()!r}: a weight is at least 1")
        mix.append((match["name"], weight))
    return mix


class FaultDraw:
    """Draws a fault of `mix` for a `rate` share of requests, reproducibly for a `seed`."""

    def __init__(self, rate: float, mix: str = DEFAULT_MIX, seed: int | None = None) -> None:
        if not 0 <= rate <= 1:
            raise ValueError("the fault rate must be between 0 and 1")
        self.rate = rate
        parsed = parse_mix(mix)
        self._names = [name for name, _ in parsed]
        self._weights = [weight for _, weight in parsed]
        self._random = Random(seed)

    def draw(self) -> str | None:
        """A status (`"429"`, `"500"`) or a fault name for the next request, or None."""
        if self._random.random() < self.rate:
            return self._random.choices(self._names, self._weights)[0]
        return None


class NetworkFaults:
    """Injects the network faults into a request's connection; `release()` ends every `hang`.

    The faults below HTTP (`reset`, `empty`, `truncated`, `garbage`) act on the connection's
    socket itself, which the app finds among its process's open files by the two addresses
    of the request (Linux's /proc/self/fd); `html` and `hang` are plain ASGI.
    """

    def __init__(self, hang_seconds: float = HANG_SECONDS) -> None:
        self.hang_seconds = hang_seconds
        self._released: asyncio.Event | None = None

    def release(self) -> None:
        """End every `hang` now, and every later one at once (the server is stopping)."""
        self._release_event().set()

    def _release_event(self) -> asyncio.Event:
        """The event `release()` sets, made on first use (inside the server's event loop)."""
        if self._released is None:
            self._released = asyncio.Event()
        return self._released

    async def inject(self, fault: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the request of `scope` with `fault` instead of a response."""
        if fault == "html":
            await _respond(send, 502, PROXY_PAGE, b"text/html")
            return
        if fault == "hang":
            await self._hang(receive)
            fault = "empty"
        connection = _connection(scope)
        if connection is None:
            await _respond(send, 501, UNSUPPORTED, b"text/plain")
            return
        with connection:
            _break(fault, connection)
        # Whatever the server makes of this answer, it reaches no one: the connection is over.
        await _respond(send, 500, b"", b"text/plain")

    async def _hang(self, receive: Receive) -> None:
        """Wait until the client goes away, the server stops, or `hang_seconds` pass."""
        waits = [
            asyncio.ensure_future(self._release_event().wait()),
            asyncio.ensure_future(_disconnected(receive)),
        ]
        await asyncio.wait(waits, timeout=self.hang_seconds, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()


def _break(fault: str, connection: socket.socket) -> None:
    """Do `fault` to the connection: a reset, a close, or bytes that are not a whole answer,
    then a close."""
    if fault == "reset":
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        _disconnect(connection.fileno())
        return
    if fault == "truncated":
        head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1024\r\n\r\n"
        connection.sendall(head + b'{"data":{"user":{"open_id":"')
    elif fault == "garbage":
        connection.sendall(_garbage())
    connection.shutdown(socket.SHUT_RDWR)


def _garbage() -> bytes:
    """Random bytes that cannot be a status line: none is CR or LF (so a client reads them
    all as one line) and they do not start with `HTTP/`; then the blank line that ends a
    head, so that the client judges them at once."""
    noise = bytes(byte for byte in os.urandom(512) if byte not in b"\r\nH")[:200]
    return noise + b"\r\n\r\n"


def _disconnect(fd: int) -> None:
    """Reset the TCP connection of `fd` now: connect() to AF_UNSPEC, which on Linux aborts
    the connection with a RST whatever other descriptors of it remain open."""
    unspecified = struct.pack("H14s", socket.AF_UNSPEC, b"")
    if _libc().connect(fd, unspecified, len(unspecified)) != 0:
        raise OSError(ctypes.get_errno(), "cannot reset the connection")


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _connection(scope: Scope) -> socket.socket | None:
    """A socket of the request's connection, found among the process's open files by its
    two addresses; None where it cannot be: no /proc, a connection that is not plain
    HTTP/1.1 over TCP (bytes written to a TLS or HTTP/2 connection would not break it the
    same way), or a client already gone."""
    server, client = scope.get("server"), scope.get("client")
    if (
        not FDS.is_dir()
        or sys.platform != "linux"
        or scope.get("http_version") != "1.1"
        or scope.get("scheme") != "http"
        or server is None
        or client is None
    ):
        return None
    # The server address is the listening one: on a wildcard bind, only its port is known.
    host = None if server[0] in WILDCARDS else server[0]
    port, peer = int(server[1]), (client[0], int(client[1]))
    for name in os.listdir(FDS):
        try:
            if not os.readlink(FDS / name).startswith("socket:"):
                continue
            candidate = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        try:
            if candidate.family in (socket.AF_INET, socket.AF_INET6):
                local = candidate.getsockname()[:2]
                if (
                    local[1] == port
                    and host in (None, local[0])
                    and candidate.getpeername()[:2] == peer
                ):
                    return candidate  # the first match: a later one could be our own dup
        except OSError:
            pass
        candidate.close()
    return None


async def _disconnected(receive: Receive) -> None:
    """Return once the client has gone away."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _respond(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
