"""The `Prefer` request header: forcing a documented error, a network fault, or latency.

`Prefer: code=429`, `Prefer: error=rate_limit_exceeded` (an error code, or the name of a
response example in the spec), `Prefer: fault=reset` (a network fault) and
`Prefer: delay=250` (milliseconds), alone or together (`Prefer: code=500, delay=100`), as
Prism reads `Prefer`. Anything the mock cannot honour is refused, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from .asgi import Headers
from .contract import ErrorReply, Operation
from .latency import MAX_LATENCY_MS

__all__ = ["NONE", "Preference", "parse_prefer"]

DIGITS = re.compile(r"[0-9]{1,9}")
"""A whole number, in ASCII digits only (`str.isdigit` also accepts "²" and "٣")."""
PRINTABLE = re.compile(rb"[\x20-\x7e\t]*")


@dataclass(frozen=True)
class Preference:
    """What a request asked for: an error, a network fault, a delay in seconds (None: each
    not asked for)."""

    error: ErrorReply | None = None
    fault: str | None = None
    delay: float | None = None
    own: bool = False
    """`code=200`: the operation's own answer."""


NONE = Preference()


def parse_prefer(
    headers: Headers, operation: Operation | None, faults: Collection[str]
) -> Preference | str:
    """The preferences of the request's `Prefer` headers, or why they cannot be honoured.

    `operation` documents the errors a preference can pick (None: no error can be picked);
    `faults` are the network faults' names.
    """
    values = [value for name, value in headers if name == b"prefer"]
    if not values:
        return NONE
    if not all(PRINTABLE.fullmatch(value) for value in values):
        return "Prefer must be printable ASCII"
    error: ErrorReply | None = None
    fault: str | None = None
    delay: float | None = None
    own = False
    errors = operation.errors if operation is not None else {}
    for item in b",".join(values).decode("ascii").split(","):
        name, _, value = (part.strip() for part in item.strip().partition("="))
        value = value.strip('"')
        if not name:
            continue
        if name == "code":
            documented = sorted({200, *(reply.status for reply in errors.values())})
            if not DIGITS.fullmatch(value) or int(value) not in documented:
                listed = ", ".join(map(str, documented))
                return f"Prefer: code={value} is not a documented status here ({listed})"
            status = int(value)
            own = status == 200
            error = None if own or operation is None else operation.error_of_status(status)
        elif name == "error":
            chosen = operation.error(value) if operation is not None else None
            if chosen is None:
                listed = ", ".join(sorted({*errors, *(r.code for r in errors.values())}))
                return f"Prefer: error={value} is not a documented error here ({listed or 'none'})"
            error = chosen
        elif name == "fault":
            if value not in faults:
                return f"Prefer: fault={value} is not a fault ({', '.join(faults)})"
            fault = value
        elif name == "delay":
            if not DIGITS.fullmatch(value) or int(value) > MAX_LATENCY_MS:
                return (
                    f"Prefer: delay={value} must be whole milliseconds from 0 to {MAX_LATENCY_MS}"
                )
            delay = int(value) / 1000
        else:
            return f"Prefer: {name} is not supported (code, error, fault and delay are)"
    return Preference(error, fault, delay, own and error is None)
