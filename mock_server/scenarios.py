"""Answers queued for upcoming requests: for the next N requests of an operation (and of a
token), a documented error, a network fault, a delay, or the consent page's decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

from .contract import ErrorReply
from .journal import REDACTED
from .oauth import Consent

__all__ = ["AUTHORIZE", "Scenario", "Scenarios"]

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


class Scenarios:
    """The queue: each request takes the first scenario that matches it, oldest first."""

    def __init__(self) -> None:
        self._queue: list[Scenario] = []
        self._ids = count(1)

    def __bool__(self) -> bool:
        return bool(self._queue)

    def add(self, scenario: Scenario) -> Scenario:
        scenario.id = next(self._ids)
        self._queue.append(scenario)
        return scenario

    def take(self, operation: str, token: str | None) -> Scenario | None:
        """The scenario the next request of `operation` bearing `token` gets, counted off."""
        for scenario in self._queue:
            if scenario.operation == operation and scenario.token in (None, token):
                scenario.times -= 1
                if scenario.times == 0:
                    self._queue.remove(scenario)
                return scenario
        return None

    def pending(self) -> list[Scenario]:
        return list(self._queue)

    def clear(self) -> None:
        self._queue.clear()
