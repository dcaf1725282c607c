"""An exact sliding-window rate limit, per key, with memory bounded by what is in the windows."""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable

__all__ = ["WINDOW", "SlidingWindow"]

WINDOW = 60.0
"""The span of a window, in seconds: TikTok's limits are per minute."""


class SlidingWindow:
    """Admits at most `limit` requests per key in any `window` seconds.

    Each key keeps the times of its admitted requests still inside the window, in a list
    (about 200 bytes for a key with one request, 32 bytes more per request, `limit`
    requests at most); keys idle for a whole window are dropped every `sweep_every` calls.
    """

    def __init__(
        self,
        limit: int,
        window: float = WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
        sweep_every: int = 4096,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sweep_every = sweep_every
        self._calls = 0
        self._admitted: dict[str, list[float]] = {}

    def clear(self) -> None:
        """Forget every window."""
        self._admitted.clear()

    def __len__(self) -> int:
        """How many keys are tracked."""
        return len(self._admitted)

    def admit(self, key: str) -> bool:
        """Count a request for `key` now; False if it would exceed the limit."""
        now = self._clock()
        self._calls += 1
        if self._calls % self._sweep_every == 0:
            self._sweep(now)
        times = self._admitted.get(key)
        if times is None:
            times = self._admitted[key] = []
        horizon = now - self.window
        if times and times[0] <= horizon:
            del times[: bisect_right(times, horizon)]
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def _sweep(self, now: float) -> None:
        horizon = now - self.window
        for key in [key for key, times in self._admitted.items() if times[-1] <= horizon]:
            del self._admitted[key]
