"""Server-side latency for every request of the API: fixed, uniform or lognormal, seeded."""

from __future__ import annotations

import math
import re
from random import Random

__all__ = ["MAX_LATENCY_MS", "Latency"]

MAX_LATENCY_MS = 60_000
"""No drawn delay is longer, whatever the distribution's tail."""
NUMBER = r"([0-9]+(?:\.[0-9]+)?)"
FORMS = {
    "fixed": re.compile(rf"(?:fixed:)?{NUMBER}"),
    "uniform": re.compile(rf"uniform:{NUMBER}-{NUMBER}"),
    "lognormal": re.compile(rf"lognormal:{NUMBER}:{NUMBER}"),
}
SYNTAX = "MS, fixed:MS, uniform:MIN-MAX or lognormal:MEDIAN:SIGMA (milliseconds)"


class Latency:
    """Delays in milliseconds: `fixed` (`a`), `uniform` between `a` and `b`, or `lognormal`
    with median `a` and shape `b` (the standard deviation of the log), as WireMock draws
    them. `draw()` gives seconds, reproducibly for a `seed`."""

    def __init__(self, kind: str, a: float, b: float = 0.0, seed: int | None = None) -> None:
        self.kind, self.a, self.b = kind, a, b
        self._random = Random(seed)

    def __repr__(self) -> str:
        return f"Latency({self.kind!r}, {self.a}, {self.b})"

    @classmethod
    def parse(cls, text: str, seed: int | None = None) -> Latency:
        """`250`, `fixed:250`, `uniform:50-200` or `lognormal:120:0.5`; ValueError saying
        what is wrong otherwise."""
        for kind, form in FORMS.items():
            match = form.fullmatch(text.strip())
            if match:
                a, *rest = (float(number) for number in match.groups())
                latency = cls(kind, a, rest[0] if rest else 0.0, seed)
                if kind == "uniform" and latency.b < latency.a:
                    raise ValueError(f"{text}: the maximum is below the minimum")
                if max(latency.a, latency.b if kind == "uniform" else 0) > MAX_LATENCY_MS:
                    raise ValueError(f"{text}: delays go up to {MAX_LATENCY_MS} ms")
                return latency
        raise ValueError(f"{text}: latency is {SYNTAX}")

    def draw(self) -> float:
        """The next delay, in seconds."""
        if self.kind == "fixed":
            ms = self.a
        elif self.kind == "uniform":
            ms = self._random.uniform(self.a, self.b)
        else:
            ms = self.a * math.exp(self._random.gauss(0.0, self.b))
        return min(ms, MAX_LATENCY_MS) / 1000
