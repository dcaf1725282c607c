"""Faults: the network failures the mock can inject, and the draw of `--fault-rate`."""

from __future__ import annotations

import asyncio
import re
from random import Random

from .asgi import Send

__all__ = ["DEFAULT_MIX", "FAULTS", "HANG_SECONDS", "FaultDraw", "NetworkFaults", "parse_mix"]

FAULTS = ("reset", "empty", "truncated", "garbage", "html", "hang")
"""The network faults, as `Prefer: fault=NAME`, scenarios and `--fault-mix` name them."""
DEFAULT_MIX = "429,500"
"""What `--fault-rate` draws unless told: the operation's documented 429 and 500 errors."""
HANG_SECONDS = 300.0
"""How long `hang` holds a request before closing it unanswered (shutdown releases it)."""
MIX_ITEM = re.compile(r"(?P<name>[a-z]+|[0-9]{3})(?:=(?P<weight>[0-9]+))?")
STATUSES = ("429", "500")
"""The statuses a mix can draw: errors every operation of the spec documents."""
PROXY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def parse_mix(text: str) -> list[tuple[str, int]]:
    """`429,500,reset=2`: each documented status or network fault, with its weight (1 unless
    given); ValueError saying what is wrong otherwise."""
    mix = []
    for item in text.split(","):
        match = MIX_ITEM.fullmatch(item.strip())
        if match is None or match["name"] not in (*STATUSES, *FAULTS):
            known = ", ".join((*STATUSES, *FAULTS))
            raise ValueError(f"{item.strip()!r} is not a fault ({known}), optionally =WEIGHT")
        weight = int(match["weight"] or 1)
        if weight < 1:
            raise ValueError(f"{item.strip()!r}: a weight is at least 1")
        mix.append((match["name"], weight))
    return mix


class FaultDraw:
    """Draws a fault of `mix` for a `rate` share of requests, reproducibly for a `seed`."""

    def __init__(self, rate: float, mix: str = DEFAULT_MIX, seed: int | None = None) -> None:
        if not 0 <= rate <= 1:
            raise ValueError("the fault rate must be between 0 and 1")
        self.rate = rate
        parsed = parse_mix(mix)
        self._names = [name for name, _ in parsed]
        self._weights = [weight for _, weight in parsed]
        self._random = Random(seed)

    def draw(self) -> str | None:
        """A status (`"429"`, `"500"`) or a fault name for the next request, or None."""
        if self._random.random() < self.rate:
            return self._random.choices(self._names, self._weights)[0]
        return None


class NetworkFaults:
    """Injects the network faults into a connection; `release()` ends every `hang`."""

    def __init__(self) -> None:
        self._released: asyncio.Event | None = None

    def release(self) -> None:
        if self._released is not None:
            self._released.set()

    async def inject(self, fault: str, send: Send) -> None:
        if fault == "html":
            headers = [
                (b"content-type", b"text/html"),
                (b"content-length", str(len(PROXY_PAGE)).encode()),
            ]
            await send({"type": "http.response.start", "status": 502, "headers": headers})
            await send({"type": "http.response.body", "body": PROXY_PAGE})
            return
        raise NotImplementedError(fault)
