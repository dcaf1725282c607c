"""The generated client's defaults: it gives up on a silent server, and shares its SSL context."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest
import trustme

from tests.support.seeds import ENDPOINT_EXAMPLE
from tiktok_user_info_client import AuthenticatedClient, Client
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.client import DEFAULT_TIMEOUT
from tiktok_user_info_client.models import UserField

FIELDS = [UserField.OPEN_ID]


@pytest.fixture
def silent_server() -> Iterator[socket.socket]:
    """A listening socket that completes connections (the kernel does) and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


@pytest.fixture
def full_server() -> Iterator[socket.socket]:
    """A listening socket whose accept queue is full: the kernel drops further SYNs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        with socket.create_connection(server.getsockname(), timeout=1):  # fills the queue
            yield server


def seconds_to_fail(client: AuthenticatedClient) -> tuple[type[BaseException], float]:
    began = time.monotonic()
    with pytest.raises(httpx.TimeoutException) as raised:
        get_user_info.sync(client=client, fields=FIELDS)
    return type(raised.value), time.monotonic() - began


def test_the_default_timeout_is_five_seconds_each_way() -> None:
    assert DEFAULT_TIMEOUT == httpx.Timeout(5.0, connect=5.0, read=5.0, write=5.0, pool=5.0)
    for client in (AuthenticatedClient(base_url="http://x", token="t"), Client("http://x")):
        assert client.get_httpx_client().timeout == DEFAULT_TIMEOUT
        assert client.get_async_httpx_client().timeout == DEFAULT_TIMEOUT


def test_a_client_built_with_defaults_gives_up(
    silent_server: socket.socket, full_server: socket.socket
) -> None:
    """The read timeout against a server that accepts and never answers, and the connect
    timeout against one that never accepts, each met three times (the default two retries,
    after up to 0.5 s and up to 1 s); measured side by side."""

    def client_for(server: socket.socket) -> AuthenticatedClient:
        host, port = server.getsockname()
        return AuthenticatedClient(base_url=f"http://{host}:{port}", token="t")

    with ThreadPoolExecutor(2) as pool:
        read = pool.submit(seconds_to_fail, client_for(silent_server))
        connect = pool.submit(seconds_to_fail, client_for(full_server))
        (read_error, read_seconds), (connect_error, connect_seconds) = (
            read.result(),
            connect.result(),
        )
    assert read_error is httpx.ReadTimeout
    assert connect_error is httpx.ConnectTimeout
    for seconds in (read_seconds, connect_seconds):
        assert 3 * 4.9 <= seconds < 3 * 5 + 1.5 + 3


def test_none_still_means_no_timeout() -> None:
    client = AuthenticatedClient(base_url="http://x", token="t", timeout=None)
    assert client.get_httpx_client().timeout == httpx.Timeout(None)


def test_clients_share_one_ssl_context() -> None:
    def context(client: AuthenticatedClient) -> ssl.SSLContext:
        pool = client.get_httpx_client()._transport.transport._pool  # type: ignore[attr-defined]
        found: ssl.SSLContext = pool._ssl_context
        return found

    first = AuthenticatedClient(base_url="https://open.tiktokapis.com", token="a")
    second = AuthenticatedClient(base_url="https://open.tiktokapis.com", token="b")
    shared = context(first)
    assert context(second) is shared
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
    async_pool = first.get_async_httpx_client()._transport.transport._pool  # type: ignore[attr-defined]
    assert async_pool._ssl_context is shared


@pytest.fixture(scope="module")
def https_server() -> Iterator[tuple[str, trustme.CA]]:
    """An https server on localhost answering the endpoint page's example, with a certificate
    from a test CA that no default trust store holds."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(ENDPOINT_EXAMPLE).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}", ca
    server.shutdown()
    server.server_close()


def call(client: AuthenticatedClient) -> str:
    reply = get_user_info.sync(client=client, fields=FIELDS)
    assert reply is not None
    return str(reply.data.user.open_id)  # type: ignore[union-attr]


def test_certificates_are_still_verified(https_server: tuple[str, trustme.CA]) -> None:
    url, ca = https_server
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        call(AuthenticatedClient(base_url=url, token="t"))
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    assert (
        call(AuthenticatedClient(base_url=url, token="t", verify_ssl=trusted))
        == (ENDPOINT_EXAMPLE["data"]["user"]["open_id"])
    )
