"""The sliding-window rate limit, on a clock the tests move."""

from __future__ import annotations

import tracemalloc

import pytest

from mock_server.ratelimit import SlidingWindow
from tests.support.clock import Clock


def test_admits_the_limit_then_refuses() -> None:
    limiter = SlidingWindow(3, clock=Clock())
    assert [limiter.admit("t") for _ in range(5)] == [True, True, True, False, False]


def test_the_window_slides() -> None:
    clock = Clock()
    limiter = SlidingWindow(2, window=60, clock=clock)
    assert limiter.admit("t")
    clock.advance(30)
    assert limiter.admit("t")
    assert not limiter.admit("t")
    clock.advance(30)  # the first request leaves the window
    assert limiter.admit("t")
    assert not limiter.admit("t")
    clock.advance(29.9)
    assert not limiter.admit("t")
    clock.advance(0.1)
    assert limiter.admit("t")


def test_refused_requests_do_not_count() -> None:
    clock = Clock()
    limiter = SlidingWindow(1, window=10, clock=clock)
    assert limiter.admit("t")
    for _ in range(100):
        assert not limiter.admit("t")
    clock.advance(10)
    assert limiter.admit("t")


def test_keys_are_counted_apart() -> None:
    limiter = SlidingWindow(1, clock=Clock())
    assert limiter.admit("a") and limiter.admit("b")
    assert not limiter.admit("a") and not limiter.admit("b")


def test_idle_keys_are_swept() -> None:
    clock = Clock()
    limiter = SlidingWindow(5, window=60, clock=clock, sweep_every=100)
    for n in range(99):
        limiter.admit(f"key-{n}")
    assert len(limiter) == 99
    clock.advance(61)
    limiter.admit("fresh")  # the 100th call sweeps
    assert len(limiter) == 1


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SlidingWindow(0)


def test_memory_for_100000_tokens_stays_under_20_mb() -> None:
    """The bound the docs state: 100,000 tokens with one request each."""
    tokens = [f"act.token.{n:06d}" for n in range(100_000)]
    tracemalloc.start()
    try:
        limiter = SlidingWindow(600, clock=Clock())
        for token in tokens:
            limiter.admit(token)
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(limiter) == 100_000
    assert used < 20_000_000


def test_the_default_window_is_a_minute() -> None:
    clock = Clock()
    limiter = SlidingWindow(1, clock=clock)
    assert limiter.admit("t") and not limiter.admit("t")
    clock.advance(59.99)
    assert not limiter.admit("t")
    clock.advance(0.01)
    assert limiter.admit("t")


def test_a_key_is_swept_once_its_last_request_leaves_the_window() -> None:
    clock = Clock()
    limiter = SlidingWindow(5, window=10, clock=clock, sweep_every=2)
    limiter.admit("old")
    clock.advance(10)  # exactly a window later: the request is out of it
    limiter.admit("new")  # the second call sweeps
    assert len(limiter) == 1
