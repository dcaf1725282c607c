"""Server-wide fault injection: a share of requests answered with documented 429 and 500 errors."""

from __future__ import annotations

from collections.abc import Sequence
from random import Random

from .contract import ErrorReply

__all__ = ["Faults"]


class Faults:
    """Answers a `rate` share of requests with one of `replies`, reproducibly for a `seed`."""

    def __init__(self, rate: float, replies: Sequence[ErrorReply], seed: int | None = None) -> None:
        if not 0 <= rate <= 1:
            raise ValueError("the fault rate must be between 0 and 1")
        self.rate = rate
        self._replies = list(replies)
        self._random = Random(seed)

    def draw(self) -> ErrorReply | None:
        """The fault for the next request, or None to answer it normally."""
        if self._random.random() < self.rate:
            return self._random.choice(self._replies)
        return None
