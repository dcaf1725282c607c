"""Everything a mock holds that requests change, behind one interface with one reset: the
tokens, codes and refresh tokens, the rate-limit windows, the journal and the queued
scenarios. The handlers and the admin API receive it; nothing else keeps state.

Two stores implement it: `MemoryState`, in the process (the default), and
`redis_state.RedisState`, in Redis, which several processes and hosts share. The proxy's
findings stay in each process (`findings`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from .answers import Answer
from .findings import Findings
from .fixtures import Fixtures, Grant
from .journal import DEFAULT_BYTES, DEFAULT_SIZE, Arrival, Journal, Raw, RecordedRequest
from .ratelimit import WINDOW, SlidingWindow
from .scenarios import Scenario, Scenarios
from .store import Entry, IssuedCode, Refresh, TokenStore

__all__ = [
    "DEFAULT_PREFIX", "DEFAULT_RATE_LIMIT", "Admission", "MemoryState", "State", "StoreUnavailable"
]  # fmt: skip

DEFAULT_RATE_LIMIT = 600
"""Requests per token per sliding minute, as TikTok documents for this endpoint."""
DEFAULT_PREFIX = "tiktok-mock:"
"""What the keys of a mock's state in a shared store begin with."""
Admission = tuple[Entry | None, bool]
"""A token's entry, if any, and whether the rate limit admitted a request of it."""


class StoreUnavailable(Exception):
    """The store cannot be reached; the message says where it was looked for, and why."""


class State(Protocol):
    """One mock's state. Every call may raise `StoreUnavailable`."""

    fixtures: Fixtures
    findings: Findings
    where: str
    """The store, as the logs and the health check name it: `memory`, or its URL."""

    # Access tokens
    async def find(self, token: str) -> Entry | None:
        """The entry of `token`, or None if the mock does not know it."""

    async def add_token(self, token: str, grant: Grant) -> None:
        """Make `token` grant `grant` from now on, replacing what it granted before."""

    async def remove_token(self, token: str) -> bool:
        """Make `token` unknown from now on; whether it was known."""

    async def grants(self) -> dict[str, Grant]:
        """Every access token the mock knows, with what it grants."""

    # The OAuth flow's codes and refresh tokens
    async def add_code(self, code: str, issued: IssuedCode) -> None: ...

    async def code(self, code: str) -> IssuedCode | None:
        """The code, if it works now: a fixture code always, an issued one until used or
        expired."""

    async def spend_code(self, code: str) -> bool:
        """Use `code` up; whether this call did (False: another used it first). Fixture
        codes are never used up."""

    async def add_refresh(self, token: str, refresh: Refresh) -> None: ...

    async def refresh(self, token: str) -> Refresh | None:
        """The refresh token, if it works now: not used, revoked or expired."""

    async def spend_refresh(self, token: str) -> bool:
        """Use the refresh token up; whether this call did."""

    async def revoke(self, access_token: str) -> None:
        """End `access_token` and the refresh token issued with it."""

    # The rate limit
    async def find_admitted(self, token: str, now: float) -> Admission:
        """The entry of `token` (as `find`), and, if its grant is valid at `now`, whether the
        rate limit admits a request of it now, counting it (False for an invalid one)."""

    # The journal
    def arrival(self) -> Arrival:
        """Now, for a request that has just arrived: `record` it with this once answered."""

    async def record(self, raw: Raw, arrival: Arrival) -> None:
        """Keep the request, unless the journal was cleared since it arrived."""

    async def requests(self, **filters: Any) -> list[RecordedRequest]:
        """The requests recorded, oldest first: see `Journal.requests` for the filters."""

    async def clear_requests(self) -> None: ...

    # The scenarios
    @property
    def may_have_scenarios(self) -> bool:
        """False when no scenario can be queued: a request need not look for one."""

    async def add_scenario(self, scenario: Scenario) -> Scenario:
        """Queue `scenario`, numbered; `QueueFull` if as many are queued as can be."""

    async def take_scenario(self, operation: str, token: str | None) -> Scenario | None:
        """The scenario the next request of `operation` bearing `token` gets, counted off."""

    async def take_scenario_or_answer(
        self,
        operation: str,
        token: str,
        now: float,
        answer: Callable[[Admission], Answer],
        status: Callable[[Admission], int],
        journaled: Callable[[Answer], Raw],
        arrival: Arrival,
    ) -> Scenario | Answer:
        """`take_scenario`; if there is none, what `answer` makes of `find_admitted(token,
        now)`, recorded as `journaled` makes it (see `record`): for a request that nothing
        but a scenario could force, in one step. `status` is the status of the answer
        `answer` would make, without making it. Neither may depend on anything but the
        admission, as they may be asked before the admission is known."""

    async def scenarios(self) -> list[Scenario]:
        """Every queued scenario, oldest first."""

    async def clear_scenarios(self) -> None: ...

    # The whole
    async def reset(self) -> None:
        """Back to the start-up state: the fixtures' tokens only, no recorded requests or
        findings, no queued scenarios, empty rate-limit windows."""

    async def problem(self) -> str | None:
        """Why the store cannot serve now, or None if it can."""

    async def close(self) -> None:
        """Let go of the store's connections."""


class MemoryState:
    """The state in this process: as fast as a dict. `rate_limit=0` keeps no windows."""

    where = "memory"

    def __init__(
        self,
        fixtures: Fixtures,
        *,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        journal_size: int = DEFAULT_SIZE,
        journal_bytes: int = DEFAULT_BYTES,
        window: float = WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.fixtures = fixtures
        self.store = TokenStore(fixtures, clock)
        self.journal = Journal(journal_size, journal_bytes)
        self.queue = Scenarios()
        self.limiter = SlidingWindow(rate_limit, window) if rate_limit else None
        self.findings = Findings()

    async def find(self, token: str) -> Entry | None:
        return self.store.find(token)

    async def add_token(self, token: str, grant: Grant) -> None:
        self.store.add(token, grant)

    async def remove_token(self, token: str) -> bool:
        return self.store.remove(token)

    async def grants(self) -> dict[str, Grant]:
        return self.store.grants()

    async def add_code(self, code: str, issued: IssuedCode) -> None:
        self.store.add_code(code, issued)

    async def code(self, code: str) -> IssuedCode | None:
        return self.store.code(code)

    async def spend_code(self, code: str) -> bool:
        return self.store.spend_code(code)

    async def add_refresh(self, token: str, refresh: Refresh) -> None:
        self.store.add_refresh(token, refresh)

    async def refresh(self, token: str) -> Refresh | None:
        return self.store.refresh(token)

    async def spend_refresh(self, token: str) -> bool:
        return self.store.spend_refresh(token)

    async def revoke(self, access_token: str) -> None:
        self.store.revoke(access_token)

    async def find_admitted(self, token: str, now: float) -> Admission:
        entry = self.store.find(token)
        if entry is None or not entry.grant.valid_at(now):
            return entry, False
        return entry, self.limiter is None or self.limiter.admit(entry.token)

    def arrival(self) -> Arrival:
        return self.journal.arrival()

    async def record(self, raw: Raw, arrival: Arrival) -> None:
        self.journal.keep(raw, arrival)

    async def requests(self, **filters: Any) -> list[RecordedRequest]:
        return self.journal.requests(**filters)

    async def clear_requests(self) -> None:
        self.journal.clear()

    @property
    def may_have_scenarios(self) -> bool:
        return bool(self.queue)

    async def add_scenario(self, scenario: Scenario) -> Scenario:
        return self.queue.add(scenario)

    async def take_scenario(self, operation: str, token: str | None) -> Scenario | None:
        return self.queue.take(operation, token)

    async def take_scenario_or_answer(
        self,
        operation: str,
        token: str,
        now: float,
        answer: Callable[[Admission], Answer],
        status: Callable[[Admission], int],
        journaled: Callable[[Answer], Raw],
        arrival: Arrival,
    ) -> Scenario | Answer:
        scenario = self.queue.take(operation, token)
        if scenario is not None:
            return scenario
        answered = answer(await self.find_admitted(token, now))
        self.journal.keep(journaled(answered), arrival)
        return answered

    async def scenarios(self) -> list[Scenario]:
        return self.queue.pending()

    async def clear_scenarios(self) -> None:
        self.queue.clear()

    async def reset(self) -> None:
        self.store.reset()
        self.journal.clear()
        self.queue.clear()
        self.findings.clear()
        if self.limiter is not None:
            self.limiter.clear()

    async def problem(self) -> str | None:
        return None

    async def close(self) -> None:
        pass
