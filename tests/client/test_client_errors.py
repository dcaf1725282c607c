"""What the generated client does when the other end misbehaves: a typed error, never None."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from mock_server.process import free_port
from tiktok_user_info_client import AuthenticatedClient, Retries, errors
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import User, UserField

FIELDS = [UserField.OPEN_ID]
ONCE = Retries(max_retries=0)
"""Each call here is sent once: what retries do is tests/client/test_retries.py's."""
PROXY_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def answering(status: int, content: bytes, content_type: str = "text/html") -> AuthenticatedClient:
    transport = httpx.MockTransport(
        lambda _: httpx.Response(status, content=content, headers={"content-type": content_type})
    )
    return AuthenticatedClient(
        base_url="https://open.tiktokapis.com",
        token="t",
        httpx_args={"transport": transport},
        retries=ONCE,
    )


@pytest.mark.parametrize("status", [403, 404, 502, 503])
def test_an_undocumented_status_raises_unexpected_status(status: int) -> None:
    with pytest.raises(errors.UnexpectedStatus) as raised:
        get_user_info.sync(client=answering(status, PROXY_PAGE), fields=FIELDS)
    assert raised.value.status_code == status
    assert raised.value.content == PROXY_PAGE
    assert isinstance(raised.value, errors.ClientError)


def test_none_for_an_undocumented_status_only_when_asked() -> None:
    client = answering(502, PROXY_PAGE)
    client.raise_on_unexpected_status = False
    assert get_user_info.sync(client=client, fields=FIELDS) is None


@pytest.mark.parametrize("status", [299, 499, 520, 599])
def test_a_status_http_does_not_register_is_an_unexpected_status_too(status: int) -> None:
    with pytest.raises(errors.UnexpectedStatus) as raised:
        get_user_info.sync(client=answering(status, PROXY_PAGE), fields=FIELDS)
    assert raised.value.status_code == status
    client = answering(status, PROXY_PAGE)
    client.raise_on_unexpected_status = False
    response = get_user_info.sync_detailed(client=client, fields=FIELDS)
    assert (response.status_code, response.parsed) == (status, None)


@pytest.mark.parametrize(
    ("status", "content"),
    [
        (500, PROXY_PAGE),
        (200, b"not json"),
        (200, b'{"data": {"user": {"open_id": "o"}}, "error": {"code": "ok"'),
        (200, b'{"error": "no envelope"}'),
        (429, b"[]"),
        (200, b""),
    ],
)
def test_a_documented_status_with_another_body_raises_unexpected_content(
    status: int, content: bytes
) -> None:
    with pytest.raises(errors.UnexpectedContent) as raised:
        get_user_info.sync(client=answering(status, content, "application/json"), fields=FIELDS)
    assert raised.value.status_code == status
    assert raised.value.content == content
    assert isinstance(raised.value, errors.ClientError)
    assert raised.value.__cause__ is not None


def test_a_long_body_is_cut_in_the_message() -> None:
    with pytest.raises(errors.UnexpectedStatus) as raised:
        get_user_info.sync(client=answering(502, b"x" * 10_000), fields=FIELDS)
    assert str(raised.value).endswith("... (10000 bytes)")
    assert len(raised.value.content) == 10_000


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        accepted: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            server.settimeout(0.1)
            while not stop.is_set():
                try:
                    accepted.append(server.accept()[0])
                except TimeoutError:
                    continue

        thread = threading.Thread(target=accept)
        thread.start()
        yield server.getsockname()[1]
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()


def test_a_timeout_raises_httpx_timeout(silent_server: int) -> None:
    client = AuthenticatedClient(
        base_url=f"http://127.0.0.1:{silent_server}",
        token="t",
        timeout=httpx.Timeout(0.2),
        retries=ONCE,
    )
    with pytest.raises(httpx.TimeoutException):
        get_user_info.sync(client=client, fields=FIELDS)


def test_a_refused_connection_raises_httpx_connect_error() -> None:
    client = AuthenticatedClient(
        base_url=f"http://127.0.0.1:{free_port()}", token="t", retries=ONCE
    )
    with pytest.raises(httpx.ConnectError):
        get_user_info.sync(client=client, fields=FIELDS)


def test_async_raises_the_same() -> None:
    import asyncio

    async def call() -> None:
        await get_user_info.asyncio(client=answering(200, b"<html>"), fields=FIELDS)

    with pytest.raises(errors.UnexpectedContent):
        asyncio.run(call())


def test_the_values_in_an_envelope_are_not_checked_against_their_types() -> None:
    error = {"code": "ok", "message": "", "log_id": "L"}
    body = json.dumps({"data": {"user": {"follower_count": "many"}}, "error": error}).encode()
    reply = get_user_info.sync(client=answering(200, body, "application/json"), fields=FIELDS)
    assert reply is not None and isinstance(reply.data.user, User)
    assert reply.data.user.to_dict() == {"follower_count": "many"}  # typed int, not checked
