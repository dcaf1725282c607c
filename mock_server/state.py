"""Everything a mock holds that requests change, with one owner and one reset: the tokens,
codes and refresh tokens, the journal, the queued scenarios, the rate-limit windows and the
proxy's findings. The handlers and the admin API receive it; nothing else keeps state."""

from __future__ import annotations

import time
from collections.abc import Callable

from .findings import Findings
from .fixtures import Fixtures
from .journal import DEFAULT_BYTES, DEFAULT_SIZE, Journal
from .ratelimit import SlidingWindow
from .scenarios import Scenarios
from .store import TokenStore

__all__ = ["DEFAULT_RATE_LIMIT", "State"]

DEFAULT_RATE_LIMIT = 600
"""Requests per token per sliding minute, as TikTok documents for this endpoint."""


class State:
    """One mock's state. `rate_limit=0` keeps no rate-limit windows (the limit is off)."""

    def __init__(
        self,
        fixtures: Fixtures,
        *,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        journal_size: int = DEFAULT_SIZE,
        journal_bytes: int = DEFAULT_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = TokenStore(fixtures, clock)
        self.journal = Journal(journal_size, journal_bytes)
        self.scenarios = Scenarios()
        self.limiter = SlidingWindow(rate_limit) if rate_limit else None
        self.findings = Findings()

    def reset(self) -> None:
        """Back to the start-up state: the fixtures' tokens only, no recorded requests or
        findings, no queued scenarios, empty rate-limit windows."""
        self.store.reset()
        self.journal.clear()
        self.scenarios.clear()
        self.findings.clear()
        if self.limiter is not None:
            self.limiter.clear()
