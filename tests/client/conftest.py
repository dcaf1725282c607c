"""What the client's tests share: a mock on a socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.process import running_mock


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    """The URL of a mock started from the command line for the session, rate limit off."""
    with running_mock("--rate-limit", "0") as mock:
        yield mock.url
