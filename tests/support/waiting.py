"""Waiting for a condition, without a fixed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable

from mock_server.process import PROCESS_TIMEOUT


def until(condition: Callable[[], object], timeout: float = PROCESS_TIMEOUT) -> None:
    """Return once `condition()` holds, checking every 10 ms; fail after `timeout` seconds (as
    long as a server gets to start: a loaded machine is slow, and what holds sooner is
    waited for no longer)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still not true after {timeout} s"
        time.sleep(0.01)
