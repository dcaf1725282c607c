"""Building the mock from its options, and serving it with granian."""

from __future__ import annotations

import gc
import ipaddress
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .app import DEFAULT_RATE_LIMIT, DEFAULT_TOKEN_TTL, MockApp
from .contract import Contract
from .faults import DEFAULT_MIX
from .fixtures import DEFAULT_FIXTURES, load_fixtures
from .journal import DEFAULT_BYTES, DEFAULT_SIZE
from .latency import Latency
from .spec import SPEC_PATH, load_document
from .state import DEFAULT_PREFIX

if TYPE_CHECKING:
    from .proxy import Proxy

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_MAX_CONNECTIONS",
    "EVENT_LOOP",
    "OPTIONS_VARIABLE",
    "YOUNG_GENERATION",
    "Options",
    "connection_settings",
    "create_app",
    "create_served",
    "from_environment",
    "is_loopback",
    "serve",
]

WORKERS_KILL_SECONDS = 65
"""How long a stopping server waits for a worker before killing it: longer than any delay
the mock adds to an answer (60 s), so no answer in flight is cut short; a bound for a worker
stopped before it had finished starting, which granian can miss."""
OPTIONS_VARIABLE = "TIKTOK_MOCK_OPTIONS"
"""How the options reach granian's worker processes, which build their own app."""
DEFAULT_MAX_CONNECTIONS = 1024
"""How many connections each worker serves at once (granian's default)."""
DEFAULT_IDLE_TIMEOUT = 30.0
"""Seconds a connection may take to send the head of its next request (granian's default)."""
YOUNG_GENERATION = 10_000
"""How many objects a worker makes, net, before the garbage collector looks at the youngest
(Python's default is 700): the requests waiting on Redis hold theirs across the wait, and the
collector looked at all of them every few dozen requests; most objects are freed as soon as
they are unused, so the collector finds few to free."""
EVENT_LOOP = "asyncio" if sys.platform == "win32" else "uvloop"
"""granian's event loop for the app: uvloop (a dependency, but on Windows, which it does not
support), whose wakeups from granian's threads and socket I/O cost less than asyncio's."""


@dataclass(frozen=True)
class Options:
    """Everything that shapes a mock. The defaults are the mock that `make mock` runs."""

    host: str = "127.0.0.1"
    port: int = 8080
    fixtures: str | None = None
    rate_limit: int = DEFAULT_RATE_LIMIT
    fault_rate: float = 0.0
    fault_mix: str = DEFAULT_MIX
    seed: int | None = None
    latency: str | None = None
    token_ttl: int = DEFAULT_TOKEN_TTL
    journal_size: int = DEFAULT_SIZE
    journal_bytes: int = DEFAULT_BYTES
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    admin_token: str | None = None
    log_level: str = "info"
    workers: int = 1
    store: str | None = None
    """The Redis URL of the state, shared by the workers; None keeps it in the process."""
    store_prefix: str = DEFAULT_PREFIX
    spec: str = str(SPEC_PATH)
    proxy: str | None = None
    """The upstream the API is passed on to, checked, instead of answered by the mock."""
    proxy_ca: str | None = None
    proxy_timeout: float = 10.0
    """Seconds the proxy waits for the upstream to connect, and then for each read."""
    record: str | None = None
    """The corpus file the proxy appends each exchange to."""


def is_loopback(host: str) -> bool:
    """Whether `host` is an address of this machine only (`localhost` counts)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(options: Options = Options()) -> MockApp:
    """The mock: the spec's contract, the fixtures' grants (checked if not the defaults)."""
    contract = Contract.from_document(load_document(Path(options.spec)))
    if options.fixtures is None:
        fixtures = load_fixtures(contract, DEFAULT_FIXTURES, validate=False)
    else:
        fixtures = load_fixtures(contract, Path(options.fixtures))
    latency = None if options.latency is None else Latency.parse(options.latency, options.seed)
    return MockApp(
        contract,
        fixtures,
        rate_limit=options.rate_limit,
        fault_rate=options.fault_rate,
        fault_mix=options.fault_mix,
        seed=options.seed,
        latency=latency,
        token_ttl=options.token_ttl,
        journal_size=options.journal_size,
        journal_bytes=options.journal_bytes,
        admin_token=options.admin_token,
        admin_open=is_loopback(options.host),
        store=options.store,
        store_prefix=options.store_prefix,
    )


def create_served(options: Options) -> MockApp | Proxy:
    """What serves the port: the mock, or the proxy in front of the upstream."""
    app = create_app(options)
    if options.proxy is None:
        return app
    from .corpus import Recorder  # the proxy's client and checks load only for the proxy
    from .proxy import Proxy

    recorder = None if options.record is None else Recorder(Path(options.record))
    return Proxy(
        app,
        options.proxy,
        ca_file=options.proxy_ca,
        timeout=options.proxy_timeout,
        recorder=recorder,
    )


def from_environment() -> MockApp | Proxy:
    """The app of a granian worker, from the options its parent put in the environment.

    What the worker holds once the app is built (the spec, the contract, the modules) lives
    as long as the worker, so it is frozen out of the garbage collector's passes: a full
    pass then looks only at what serving made, and pauses every request in flight for less.
    The collector's youngest generation is `YOUNG_GENERATION` objects.
    """
    options = Options(**json.loads(os.environ[OPTIONS_VARIABLE]))
    logging.basicConfig(level=options.log_level.upper(), format="[%(levelname)s] %(message)s")
    served = create_served(options)
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, *gc.get_threshold()[1:])
    return served


def connection_settings(
    max_connections: int = DEFAULT_MAX_CONNECTIONS, idle_timeout: float = DEFAULT_IDLE_TIMEOUT
) -> dict[str, Any]:
    """granian's settings for the connections of a mock.

    HTTP/1.1 only: the network faults write HTTP/1.1 bytes, and granian's detection of
    HTTP/2 waits for a new connection's first bytes without a timeout. Each worker serves
    `max_connections` at once; more wait, unanswered, in the listen queue (`/__mock/health`
    too: granian takes a connection before it knows what it asks for). A connection that has
    not sent the whole head of its next request `idle_timeout` seconds after it opened or
    after its last answer is closed: new, idle between requests, or slow.
    """
    from granian.constants import HTTPModes
    from granian.http import HTTP1Settings

    return {
        "http": HTTPModes.http1,
        "backpressure": max_connections,
        "http1_settings": HTTP1Settings(header_read_timeout=round(idle_timeout * 1000)),
    }


def serve(options: Options, target: str = "mock_server.server:from_environment") -> None:
    """Serve the app that the factory `target` builds from `options`, until interrupted."""
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    os.environ[OPTIONS_VARIABLE] = json.dumps(asdict(options))
    Server(
        target,
        address=options.host,
        port=options.port,
        interface=Interfaces.ASGI,
        loop=Loops(EVENT_LOOP),
        workers=options.workers,
        factory=True,
        log_level=LogLevels(options.log_level),
        workers_kill_timeout=WORKERS_KILL_SECONDS,
        **connection_settings(options.max_connections, options.idle_timeout),
    ).serve()
