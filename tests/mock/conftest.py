"""What the mock's tests share: the default mock, in-process."""

from __future__ import annotations

import pytest

from mock_server.app import MockApp
from mock_server.server import Options, create_app


@pytest.fixture
def app() -> MockApp:
    """The default mock, in-process, with the rate limit off."""
    return create_app(Options(rate_limit=0))
