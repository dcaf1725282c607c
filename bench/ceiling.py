"""The ceiling: a bare ASGI app answering a fixed body, on the mock's server and settings.

`python -m bench.ceiling --port P --size N` serves it as `python -m mock_server` serves the mock.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable

from mock_server.asgi import Receive, Scope, Send
from mock_server.server import Options, serve

SIZE_VARIABLE = "TIKTOK_MOCK_CEILING_SIZE"


def from_environment() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The bare app, answering a body of the size its parent put in the environment."""
    body = b"x" * int(os.environ[SIZE_VARIABLE])
    start = {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    end = {"type": "http.response.body", "body": body}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await send(start)
            await send(end)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    os.environ[SIZE_VARIABLE] = str(args.size)
    serve(
        Options(port=args.port, workers=args.workers, log_level="warning"),
        "bench.ceiling:from_environment",
    )


if __name__ == "__main__":
    main()
