"""What the tests share: the spec, a mock on a socket, one in-process caller, one fake clock,
the kit's scripts loaded."""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from mock_server.app import MockApp
from mock_server.asgi import Message, Scope
from mock_server.process import running_mock
from mock_server.server import Options, create_app
from mock_server.spec import SPEC_PATH
from mock_server.state import MemoryState

pytest_plugins = ["pytester"]

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


def memory(app: MockApp) -> MemoryState:
    """The in-process state of `app`, for a test to reach into its parts."""
    assert isinstance(app.state, MemoryState)
    return app.state


def git(repo: Path, *args: str) -> str:
    """`git -C repo *args`, its output stripped; CalledProcessError if it fails."""
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def script(path: Path, name: str) -> ModuleType:
    """The Python file at `path`, a script rather than a module of a package, loaded as `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Return once `condition()` holds, checking every 10 ms; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still not true after {timeout} s"
        time.sleep(0.01)


class Clock:
    """A clock that moves only when a test moves it."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app() -> MockApp:
    """The default mock, in-process, with the rate limit off."""
    return create_app(Options(rate_limit=0))


@pytest.fixture(scope="session")
def document() -> dict[str, Any]:
    """The spec, validated by openapi-spec-validator and resolved by prance."""
    from prance import ResolvingParser

    parser = ResolvingParser(str(SPEC_PATH), backend="openapi-spec-validator", strict=True)
    validated: dict[str, Any] = parser.specification
    return validated


@pytest.fixture(scope="session")
def raw_document() -> dict[str, Any]:
    """The spec as written, `$ref`s and all."""
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand the report's figures to the controller."""
    from cases import GENERATED, TABLES

    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["generated"] = dict(GENERATED)
        output["tables"] = dict(TABLES)


def pytest_testnodedown(node: Any, error: object) -> None:
    """In the pytest-xdist controller, gather what each worker handed over."""
    from cases import GENERATED, TABLES

    output = getattr(node, "workeroutput", {})
    GENERATED.update(output.get("generated", {}))
    TABLES.update(output.get("tables", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from cases import GENERATED, TABLES

    for run, count in sorted(GENERATED.items()):
        terminalreporter.write_line(f"schemathesis: {count} cases generated {run}")
    for title, table in TABLES.items():
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(table)


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    """The URL of a mock started from the command line for the session, rate limit off."""
    with running_mock("--rate-limit", "0") as mock:
        yield mock.url
