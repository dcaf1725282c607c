"""Answers queued for upcoming requests: for the next N requests of an operation (and of a
token), a documented error, a network fault, a delay, or the consent page's decision.

They are queued by operation and token, so a request finds its scenario in as many steps
however many are queued for other operations and tokens; at most `MAX_SCENARIOS` at once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import chain, count
from typing import Any

from .contract import ErrorReply
from .journal import REDACTED
from .oauth import Consent

__all__ = ["AUTHORIZE", "MAX_SCENARIOS", "QueueFull", "Scenario", "Scenarios"]

MAX_SCENARIOS = 50_000
"""How many scenarios can be queued at once."""

AUTHORIZE = "authorize"
"""The name scenarios give the consent page, which the API spec does not describe."""


@dataclass
class Scenario:
    """What the next `times` requests of `operation` bearing `token` (any, if None) get."""

    operation: str
    times: int = 1
    token: str | None = None
    error: ErrorReply | None = None
    fault: str | None = None
    delay: float | None = None
    """Seconds."""
    consent: Consent | None = None
    id: int = field(default=0, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The scenario as the admin API shows it; the token is redacted."""
        shown: dict[str, Any] = {"id": self.id, "operation": self.operation, "times": self.times}
        if self.token is not None:
            shown["token"] = REDACTED
        if self.error is not None:
            shown["error"] = self.error.code
        if self.fault is not None:
            shown["fault"] = self.fault
        if self.delay is not None:
            shown["delay_ms"] = round(self.delay * 1000)
        if self.consent is not None:
            shown["consent"] = "deny" if self.consent.deny else "allow"
            if self.consent.scopes is not None:
                shown["scopes"] = sorted(self.consent.scopes)
        return shown


class QueueFull(Exception):
    """The queue holds as many scenarios as it can."""


class Scenarios:
    """The queue: each request takes the first scenario that matches it, oldest first."""

    def __init__(self, limit: int = MAX_SCENARIOS) -> None:
        self.limit = limit
        self._queues: dict[tuple[str, str | None], deque[Scenario]] = {}
        """By operation and token (None: any token), each oldest first."""
        self._count = 0
        self._ids = count(1)

    def __bool__(self) -> bool:
        return self._count > 0

    def __len__(self) -> int:
        return self._count

    def add(self, scenario: Scenario) -> Scenario:
        """Queue `scenario`; `QueueFull` if `limit` are queued."""
        if self._count >= self.limit:
            raise QueueFull(f"{self.limit} scenarios are queued, the most the mock holds")
        scenario.id = next(self._ids)
        self._queues.setdefault((scenario.operation, scenario.token), deque()).append(scenario)
        self._count += 1
        return scenario

    def take(self, operation: str, token: str | None) -> Scenario | None:
        """The scenario the next request of `operation` bearing `token` gets, counted off."""
        keys = {(operation, None), (operation, token)}
        found = [(queue[0].id, key) for key in keys if (queue := self._queues.get(key))]
        if not found:
            return None
        _, key = min(found)
        queue = self._queues[key]
        scenario = queue[0]
        scenario.times -= 1
        if scenario.times == 0:
            queue.popleft()
            self._count -= 1
            if not queue:
                del self._queues[key]
        return scenario

    def pending(self) -> list[Scenario]:
        """Every queued scenario, oldest first."""
        return sorted(chain.from_iterable(self._queues.values()), key=lambda s: s.id)

    def clear(self) -> None:
        self._queues.clear()
        self._count = 0
