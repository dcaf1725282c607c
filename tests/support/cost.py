"""What a call costs, counted rather than timed, so that a loaded machine cannot change it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


def bytecodes(action: Callable[[], T]) -> tuple[T, int]:
    """`action()`, and how many Python bytecodes it executed in every frame it entered (work
    done inside C functions, such as a dict lookup, counts as the one call)."""
    executed = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal executed
        if event == "call":
            frame.f_trace_opcodes, frame.f_trace_lines = True, False
        elif event == "opcode":
            executed += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        result = action()
    finally:
        sys.settrace(previous)
    return result, executed
