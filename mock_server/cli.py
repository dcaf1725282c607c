"""The command line: `tiktok-mock`, or `python -m mock_server`."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from dataclasses import replace
from urllib.parse import urlsplit

from .faults import FAULTS, WILDCARDS, parse_mix
from .fixtures import FixtureError
from .latency import SYNTAX, Latency
from .server import Options, create_app, is_loopback, serve

__all__ = ["main", "run"]

LOG_LEVELS = ["critical", "error", "warning", "info", "debug"]
ADMIN_TOKEN_VARIABLE = "TIKTOK_MOCK_ADMIN_TOKEN"


def parse_args(argv: list[str] | None = None, prog: str = "tiktok-mock") -> Options:
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A mock of TikTok's GET /v2/user/info/, built from the kit's OpenAPI spec. "
        "`%(prog)s replay CORPUS` replays a recorded corpus against it instead.",
    )
    parser.add_argument(
        "--host",
        default=defaults.host,
        help="address or host name to listen on (default: %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=defaults.port,
        help="port (default: %(default)s); 0 takes a free port, shown in the first line printed",
    )
    parser.add_argument(
        "--fixtures", metavar="FILE", help="YAML or JSON users and tokens, replacing the defaults"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=defaults.rate_limit,
        metavar="N",
        help="requests per token per sliding minute; 0 turns it off (default: %(default)s)",
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=defaults.fault_rate,
        metavar="R",
        help="answer this share of API requests (0 to 1) with a fault of --fault-mix",
    )
    parser.add_argument(
        "--fault-mix",
        default=defaults.fault_mix,
        metavar="MIX",
        help="what --fault-rate draws: statuses 429 and 500 (documented errors) and network "
        f"faults ({', '.join(FAULTS)}), each optionally =WEIGHT (default: %(default)s)",
    )
    parser.add_argument(
        "--latency",
        metavar="DELAY",
        help=f"delay every API request: {SYNTAX}",
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed of --fault-rate and --latency, for a reproducible sequence",
    )
    parser.add_argument(
        "--token-ttl",
        type=int,
        default=defaults.token_ttl,
        metavar="SECONDS",
        help="expires_in of the access tokens /v2/oauth/token/ issues (default: %(default)s)",
    )
    parser.add_argument(
        "--journal-size",
        type=int,
        default=defaults.journal_size,
        metavar="N",
        help="requests the journal (GET /__mock/requests) keeps; 0 keeps none "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--journal-bytes",
        type=int,
        default=defaults.journal_bytes,
        metavar="N",
        help="bytes of requests (paths, queries, headers, forms) the journal keeps at most, "
        f"the oldest dropped first (default: %(default)s, {defaults.journal_bytes // 2**20} MiB)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=defaults.max_connections,
        metavar="N",
        help="connections each worker serves at once; more wait unanswered, /__mock/health "
        "too (default: %(default)s)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=defaults.idle_timeout,
        metavar="SECONDS",
        help="close a connection that has not sent its next request's head this long after it "
        "opened or was last answered (default: %(default)s)",
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=os.environ.get(ADMIN_TOKEN_VARIABLE),
        help=f"token the admin API under /__mock/ requires (default: ${ADMIN_TOKEN_VARIABLE}); "
        "without one, the admin API answers on a loopback address only",
    )
    parser.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default=defaults.log_level,
        help="debug logs one line per request, no tokens (default: %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help="worker processes; above 1 they share their state in --store, which must be "
        "Redis (default: %(default)s)",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        help="keep the state (tokens, codes, rate limits, journal, scenarios) in Redis at URL "
        "(redis://host:port/db), shared by every worker and every mock on it; default: in the "
        "process",
    )
    parser.add_argument(
        "--store-prefix",
        default=defaults.store_prefix,
        metavar="PREFIX",
        help="with --store: what the mock's keys begin with; mocks with different prefixes "
        "share a Redis without seeing each other's state (default: %(default)s)",
    )
    parser.add_argument(
        "--proxy",
        metavar="URL",
        help="pass the API on to URL (e.g. https://open.tiktokapis.com) and report where its "
        "answers, the app's requests and the mock disagree with the spec and each other",
    )
    parser.add_argument(
        "--proxy-ca",
        metavar="FILE",
        help="with --proxy: the CA certificates (PEM) that verify the upstream's TLS "
        "certificate, instead of the system's",
    )
    parser.add_argument(
        "--proxy-timeout",
        type=float,
        default=defaults.proxy_timeout,
        metavar="SECONDS",
        help="with --proxy: how long to wait for the upstream to connect and then for each "
        "read; 504 after (default: %(default)s)",
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        help="with --proxy: append each exchange to the corpus FILE (one JSON object a line), "
        "credentials redacted and personal values pseudonymised under the key in FILE.key",
    )
    args = parser.parse_args(argv)
    if args.proxy is not None:
        parts = urlsplit(args.proxy)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            parser.error("--proxy takes an http:// or https:// URL with a host and no query")
        if args.workers > 1:
            parser.error("--proxy serves with one worker: its findings live in one process")
    elif args.record is not None or args.proxy_ca is not None:
        parser.error("--record and --proxy-ca go with --proxy")
    if args.proxy_ca is not None and not os.path.isfile(args.proxy_ca):
        parser.error(f"--proxy-ca: no such file: {args.proxy_ca}")
    if not args.proxy_timeout > 0:
        parser.error("--proxy-timeout must be more than 0 seconds")
    if args.record is not None and not os.path.isdir(os.path.dirname(args.record) or "."):
        parser.error(f"--record: no such directory for {args.record}")
    if args.rate_limit < 0:
        parser.error("--rate-limit must be 0 (off) or more")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 (any free port) and 65535")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.store is not None and urlsplit(args.store).scheme not in ("redis", "rediss", "unix"):
        parser.error("--store takes a Redis URL: redis://host:port/db")
    if args.workers > 1 and args.store is None:
        parser.error(
            f"--workers {args.workers} needs --store redis://host:port/db: each worker would "
            "keep its own tokens, codes, rate limits and journal"
        )
    if args.store is None and args.store_prefix != defaults.store_prefix:
        parser.error("--store-prefix goes with --store")
    if not args.store_prefix:
        parser.error("--store-prefix must not be empty")
    if not 0 <= args.fault_rate <= 1:
        parser.error("--fault-rate must be between 0 and 1")
    if args.token_ttl < 1:
        parser.error("--token-ttl must be at least 1 second")
    for name in ("journal_size", "journal_bytes"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must be 0 (off) or more")
    if args.max_connections < 1:
        parser.error("--max-connections must be at least 1")
    if not 0.001 <= args.idle_timeout <= 3600:
        parser.error("--idle-timeout must be between 0.001 and 3600 seconds")
    if args.admin_token is not None and not args.admin_token.strip():
        parser.error("--admin-token must not be empty")
    for check, value in ((parse_mix, args.fault_mix), (Latency.parse, args.latency)):
        try:
            if value is not None:
                check(value)
        except ValueError as exc:
            parser.error(str(exc))
    return Options(
        host=args.host,
        port=args.port,
        fixtures=args.fixtures,
        rate_limit=args.rate_limit,
        fault_rate=args.fault_rate,
        fault_mix=args.fault_mix,
        seed=args.seed,
        latency=args.latency,
        token_ttl=args.token_ttl,
        journal_size=args.journal_size,
        journal_bytes=args.journal_bytes,
        max_connections=args.max_connections,
        idle_timeout=args.idle_timeout,
        admin_token=args.admin_token,
        log_level=args.log_level,
        workers=args.workers,
        store=args.store,
        store_prefix=args.store_prefix,
        proxy=args.proxy,
        proxy_ca=args.proxy_ca,
        proxy_timeout=args.proxy_timeout,
        record=args.record,
    )


def run() -> None:
    """The `tiktok-mock` console script."""
    sys.exit(main())


def main(argv: list[str] | None = None, prog: str = "tiktok-mock") -> int:
    """Run the mock with the options in `argv` (default: the command line's); the exit code.
    `replay CORPUS` replays a corpus instead (see `mock_server.replay`)."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["replay"]:
        from .replay import main as replay

        return replay(args[1:])
    options = parse_args(args, prog)
    try:
        app = create_app(options)
    except FixtureError as exc:
        for problem in str(exc).splitlines():
            print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        address, port = _listen_address(options.host, options.port)
    except OSError as exc:
        reason = (
            "the port is already in use (is another mock running? choose --port)"
            if exc.errno == errno.EADDRINUSE
            else exc.strerror or str(exc)
        )
        print(f"error: cannot listen on {options.host}:{options.port}: {reason}", file=sys.stderr)
        return 1
    if options.host in WILDCARDS:
        print(
            f"warning: listening on all interfaces ({options.host}): anyone who can reach this "
            "machine can call the mock with its public default tokens",
            file=sys.stderr,
        )
    if options.store is not None:
        from .redis_state import reachable  # redis-py loads only for a Redis store

        unreachable = reachable(options.store)
        if unreachable is not None:
            print(f"error: {unreachable}", file=sys.stderr)
            return 2
    url = f"http://{f'[{options.host}]' if ':' in options.host else options.host}:{port}"
    if options.proxy is not None:
        print(f"TikTok user info proxy on {url}, passing the API on to {options.proxy}", flush=True)
    else:
        print(f"TikTok user info mock on {url}{app.contract.user_info.path}", flush=True)
    if options.admin_token is not None:
        print(f"Admin API on {url}/__mock/ (with the admin token)", flush=True)
    elif is_loopback(options.host):
        print(f"Admin API on {url}/__mock/", flush=True)
    else:
        print("Admin API off (start with --admin-token to use it on this address)", flush=True)
    if options.proxy is None:
        if options.fixtures is None:
            print("Default tokens:", flush=True)
            for token, scopes in app.describe_tokens():
                print(f"  {token:40} {scopes}", flush=True)
            fixtures = app.state.fixtures
            for key, client in fixtures.clients.items():
                codes = ", ".join(fixtures.codes)
                print(f"OAuth client {key}, secret {client.secret}; codes: {codes}", flush=True)
        else:
            print(f"{len(app.describe_tokens())} tokens from {options.fixtures}", flush=True)
    serve(replace(options, host=address, port=port))
    return 0


def _listen_address(host: str, port: int) -> tuple[str, int]:
    """The IP address and the port to listen on: the first address `host` resolves to (the
    server takes addresses, not names), and `port`, or a free one for 0; once a probe could
    bind them. OSError says why it could not."""
    family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
        bound: tuple[str, int] = probe.getsockname()[:2]
    return bound
