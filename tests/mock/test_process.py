"""Starting the command line on a free port, and waiting for a port."""

from __future__ import annotations

import socket

import httpx
import pytest

from mock_server.process import free_port, running_mock, wait_for_answer, wait_for_port


def test_a_free_port_is_free() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_running_mock_answers_then_stops_and_gives_its_output() -> None:
    with running_mock("--rate-limit", "0") as mock:
        assert httpx.get(f"{mock.url}/__mock/health").status_code == 200
        output = mock.stop()
        assert mock.process.poll() is not None
        assert mock.stop() == output  # stopping twice gives the same output
    assert "TikTok user info mock on" in output


def test_a_mock_that_cannot_start_says_why() -> None:
    with (
        pytest.raises(RuntimeError, match=r"(?s)exit code 2.*--rate-limit must be 0"),
        running_mock("--rate-limit", "-1"),
    ):
        pass  # pragma: no cover


def test_waiting_gives_up() -> None:
    with pytest.raises(RuntimeError, match="nothing will listen"):
        wait_for_port("127.0.0.1", free_port(), alive=lambda: False)
    with pytest.raises(RuntimeError, match=r"nothing listened on .* within 0\.05s"):
        wait_for_port("127.0.0.1", free_port(), timeout=0.05)


def test_waiting_for_an_answer_is_not_waiting_for_a_listener() -> None:
    """A port that accepts connections and answers nothing (as granian's, before its worker
    has started) is not a mock that answers."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        with pytest.raises(RuntimeError, match=r"nothing answered on .* within 0\.05s"):
            wait_for_answer("127.0.0.1", port, timeout=0.05)
        with pytest.raises(RuntimeError, match="nothing will answer"):
            wait_for_answer("127.0.0.1", port, alive=lambda: False, timeout=0.2)
