"""What the proxy found in the exchanges it passed on: where the upstream, the app or the mock
strays from the spec or from each other.

A finding holds the names of things (statuses, error codes, field names, schema keywords),
never a value the app or the upstream sent: no token, secret, code or personal value.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["KINDS", "MAX_FINDINGS", "Finding", "Findings"]

logger = logging.getLogger("mock_server")

KINDS = ("violation", "drift", "disagreement", "upstream")
"""violation: the answer or the request breaks the spec; drift: valid, but not in the spec;
disagreement: the mock would have answered otherwise; upstream: no answer came."""
MAX_FINDINGS = 10_000
"""How many of the last findings are kept; the counts cover every finding."""


@dataclass(frozen=True)
class Finding:
    """One thing found in one exchange: of which kind, in which operation, where (`check`),
    what the spec or the mock expected, and what came."""

    kind: str
    operation: str | None
    check: str
    expected: str
    actual: str
    log_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        """One line for the log."""
        where = self.operation or "no operation"
        log_id = f" (log_id {self.log_id})" if self.log_id else ""
        return (
            f"{self.kind} in {where}, {self.check}: expected {self.expected}, "
            f"got {self.actual}{log_id}"
        )


class Findings:
    """The last `size` findings, and how many of each kind there have been."""

    def __init__(self, size: int = MAX_FINDINGS) -> None:
        self._kept: deque[Finding] = deque(maxlen=size)
        self._counts: Counter[str] = Counter()

    def add(self, found: list[Finding]) -> None:
        """Keep `found`, logging each as a warning."""
        for finding in found:
            self._kept.append(finding)
            self._counts[finding.kind] += 1
            logger.warning("%s", finding.line())

    def counts(self) -> dict[str, int]:
        return {kind: self._counts[kind] for kind in KINDS}

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": [finding.to_json() for finding in self._kept],
            "counts": self.counts(),
        }

    def summary(self) -> str:
        """What the proxy found, for when it stops."""
        counts = self.counts()
        total = sum(counts.values())
        listed = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        return f"proxy findings: {total} ({listed})"

    def clear(self) -> None:
        self._kept.clear()
        self._counts.clear()
