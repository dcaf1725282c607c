"""The `Prefer` request header: forcing a documented answer, or adding latency, as Prism does.

`Prefer: code=429`, `Prefer: error=rate_limit_exceeded` (an error code or the name of a
response example in the spec) and `Prefer: delay=250` (milliseconds), alone or together
(`Prefer: code=500, delay=100`). Anything the mock cannot honour is refused, naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .contract import ErrorReply

__all__ = ["MAX_DELAY_MS", "Preference", "parse_prefer"]

MAX_DELAY_MS = 60_000


@dataclass(frozen=True)
class Preference:
    """What a request asked for: a forced error (None: answer normally) and a delay in seconds."""

    forced: ErrorReply | None = None
    delay: float = 0.0


NONE = Preference()


def parse_prefer(values: list[bytes], errors: Mapping[str, ErrorReply]) -> Preference | str:
    """The preferences in the `Prefer` header values, or why they cannot be honoured.

    `errors` are the spec's error examples by name: a code or an example name picks one.
    """
    if not values:
        return NONE
    forced: ErrorReply | None = None
    delay = 0.0
    documented = sorted({200, *(reply.status for reply in errors.values())})
    for item in b",".join(values).decode("latin-1").split(","):
        name, _, value = (part.strip() for part in item.strip().partition("="))
        value = value.strip('"')
        if not name:
            continue
        if name == "code":
            if not value.isdigit() or int(value) not in documented:
                listed = ", ".join(map(str, documented))
                return (
                    f"Prefer: code={value} is not a documented status of this endpoint ({listed})"
                )
            if int(value) != 200:
                forced = next(r for r in errors.values() if r.status == int(value))
        elif name == "error":
            by_code = {reply.code: reply for reply in reversed(list(errors.values()))}
            chosen = errors.get(value) or by_code.get(value)
            if chosen is None:
                listed = ", ".join(sorted({*errors, *by_code}))
                return f"Prefer: error={value} is not a documented error ({listed})"
            forced = chosen
        elif name == "delay":
            if not value.isdigit() or int(value) > MAX_DELAY_MS:
                return f"Prefer: delay={value} must be whole milliseconds from 0 to {MAX_DELAY_MS}"
            delay = int(value) / 1000
        else:
            return f"Prefer: {name} is not supported (code, error and delay are)"
    return Preference(forced, delay)
