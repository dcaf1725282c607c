"""What forces a request's answer, reduced to one decision with the precedence written once.

The sources, first to last: the request's `Prefer` header, the queued scenario it takes, and
the draws of `--fault-rate` and `--latency`. The delay comes from the first source that asks
for one; the outcome (a network fault, a documented error, or the operation's own answer)
comes whole from the first source that forces one. So `Prefer: code=200` means the
operation's own answer, whatever a scenario or a draw would force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .contract import ErrorReply, Operation
from .faults import FAULTS
from .prefer import NONE, Preference
from .scenarios import Scenario

__all__ = ["NOTHING", "OWN", "Forcing", "Outcome", "decide", "drawn", "preferred", "queued"]


class _Own:
    """The operation's own answer, forced (`Prefer: code=200`)."""

    def __repr__(self) -> str:
        return "OWN"


OWN: Final = _Own()
Outcome = ErrorReply | str | _Own
"""A documented error, the name of a network fault, or the operation's own answer."""


@dataclass(frozen=True)
class Forcing:
    """What one source forces: a delay in seconds, an outcome; None for what it leaves."""

    delay: float | None = None
    outcome: Outcome | None = None


NOTHING = Forcing()


def decide(*sources: Forcing) -> Forcing:
    """The delay of the first source with one, and the outcome of the first with one."""
    delay, outcome = None, None
    for source in sources:  # a loop, not generators: this runs for every request
        if delay is None:
            delay = source.delay
        if outcome is None:
            outcome = source.outcome
    return NOTHING if delay is None and outcome is None else Forcing(delay, outcome)


def preferred(preference: Preference) -> Forcing:
    """What a `Prefer` header forces; its fault before its error, as it reads."""
    if preference is NONE:  # no header: nothing is built for most requests
        return NOTHING
    outcome: Outcome | None = preference.fault or preference.error
    if outcome is None and preference.own:
        outcome = OWN
    return Forcing(preference.delay, outcome)


def queued(scenario: Scenario | None) -> Forcing:
    """What a queued scenario forces (it holds a fault or an error, not both)."""
    if scenario is None:
        return NOTHING
    return Forcing(scenario.delay, scenario.fault or scenario.error)


def drawn(operation: Operation | None, draw: str | None, delay: float | None) -> Forcing:
    """What the draws force: `draw` is a fault's name or a status (`--fault-mix`), drawn
    for an operation of the spec only."""
    if draw is None and delay is None:
        return NOTHING
    if draw is None or draw in FAULTS:
        return Forcing(delay, draw)
    assert operation is not None, "nothing is drawn for the consent page"
    return Forcing(delay, operation.error_of_status(int(draw)))
