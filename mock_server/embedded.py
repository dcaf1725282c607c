"""The mock served from a thread of the current process, for the pytest plugin.

Granian's embedded server runs the app on an event loop in a background thread, so the
test process keeps the app object: it can add tokens and read the requests received.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from .app import MockApp
from .process import PROCESS_TIMEOUT, free_port, wait_for_port

if TYPE_CHECKING:
    from .proxy import Proxy
from .server import connection_settings

__all__ = ["Served", "served", "serving"]

T = TypeVar("T")


@dataclass(frozen=True)
class Served:
    """A mock served from a thread: its URL, and its event loop."""

    url: str
    loop: asyncio.AbstractEventLoop

    def call(self, operation: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run `operation` (an admin operation, say) on the server's event loop, as its
        requests run; its result."""
        return asyncio.run_coroutine_threadsafe(operation, self.loop).result(timeout)


@contextmanager
def serving(
    app: MockApp | Proxy, host: str = "127.0.0.1", timeout: float = PROCESS_TIMEOUT
) -> Iterator[str]:
    """Serve `app` (the mock, or the proxy) on a free port of `host` until the block ends,
    with the command line's default connection settings; yields its URL."""
    with served(app, host, timeout) as running:
        yield running.url


@contextmanager
def served(
    app: MockApp | Proxy, host: str = "127.0.0.1", timeout: float = PROCESS_TIMEOUT
) -> Iterator[Served]:
    """`serving`, with the server's event loop as well as its URL."""
    from granian.constants import Interfaces
    from granian.server.embed import Server

    port = free_port()
    server = Server(
        app,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        log_enabled=False,
        **connection_settings(),
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(
        target=loop.run_until_complete, args=(server.serve(),), name="tiktok-mock", daemon=True
    )
    thread.start()
    wait_for_port(host, port, thread.is_alive, timeout)
    try:
        yield Served(f"http://{host}:{port}", loop)
    finally:
        mock = app if isinstance(app, MockApp) else app.mock
        loop.call_soon_threadsafe(mock.faults.release)
        loop.call_soon_threadsafe(server.stop)
        thread.join(timeout)
        loop.close()
