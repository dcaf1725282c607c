"""The mock served from a thread of the current process, for the pytest plugin.

Granian's embedded server runs the app on an event loop in a background thread, so the
test process keeps the app object: it can add tokens and read the requests received.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .app import MockApp
from .process import free_port, wait_for_port

if TYPE_CHECKING:
    from .proxy import Proxy
from .server import connection_settings

__all__ = ["serving"]


@contextmanager
def serving(app: MockApp | Proxy, host: str = "127.0.0.1", timeout: float = 10.0) -> Iterator[str]:
    """Serve `app` (the mock, or the proxy) on a free port of `host` until the block ends,
    with the command line's default connection settings; yields its URL."""
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
        yield f"http://{host}:{port}"
    finally:
        mock = app if isinstance(app, MockApp) else app.mock
        loop.call_soon_threadsafe(mock.faults.release)
        loop.call_soon_threadsafe(server.stop)
        thread.join(timeout)
        loop.close()
