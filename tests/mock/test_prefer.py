"""The `Prefer` header's parser: what it honours, what it refuses, and any bytes at all."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.contract import Contract
from mock_server.faults import FAULTS
from mock_server.latency import MAX_LATENCY_MS
from mock_server.prefer import NONE, Preference, parse_prefer
from mock_server.spec import load_document
from tests.support.strategies import prefers

CONTRACT = Contract.from_document(load_document())
USER_INFO = CONTRACT.user_info


def parse(*values: bytes) -> Preference | str:
    return parse_prefer([(b"prefer", value) for value in values], USER_INFO, FAULTS)


def test_nothing_asked() -> None:
    assert parse_prefer([(b"accept", b"*/*")], USER_INFO, FAULTS) is NONE


def test_everything_at_once_across_two_headers() -> None:
    assert parse(b'code=429, delay="250"', b"fault=truncated") == Preference(
        USER_INFO.error_of_status(429), "truncated", 0.25
    )


def test_code_200_asks_for_the_operations_own_answer() -> None:
    assert parse(b"code=200") == Preference(own=True)
    assert parse(b"code=200, code=500") == Preference(USER_INFO.error_of_status(500))
    assert parse(b"code=500, code=200") == Preference(own=True)


def test_the_last_of_code_and_error_wins() -> None:
    assert parse(b"code=500, error=scope_not_authorized") == Preference(
        USER_INFO.error("scope_not_authorized")
    )


def test_on_the_consent_page_no_error_can_be_picked() -> None:
    assert parse_prefer([(b"prefer", b"code=200, delay=1")], None, FAULTS) == Preference(
        delay=0.001, own=True
    )
    refused = parse_prefer([(b"prefer", b"error=internal_error")], None, FAULTS)
    assert refused == "Prefer: error=internal_error is not a documented error here (none)"


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "\uff11", "1e3", "+5", "0x10", "1_000"])
def test_only_ascii_digits_are_a_number(value: str) -> None:
    assert isinstance(parse(f"delay={value}".encode()), str)
    assert isinstance(parse(f"code={value}".encode()), str)


def test_the_longest_delay() -> None:
    assert parse(f"delay={MAX_LATENCY_MS}".encode()) == Preference(delay=MAX_LATENCY_MS / 1000)


def test_any_bytes_are_honoured_or_refused_and_never_raise() -> None:
    outcomes: Counter[str] = Counter()

    @settings(max_examples=1000, derandomize=True, database=None)
    @given(values=st.lists(prefers | st.binary(max_size=40), min_size=1, max_size=3))
    def run(values: list[bytes]) -> None:
        parsed = parse(*values)
        if isinstance(parsed, str):
            assert parsed.startswith("Prefer")
            assert parsed.isprintable()
            outcomes["refused"] += 1
        else:
            assert parsed.delay is None or 0 <= parsed.delay <= MAX_LATENCY_MS / 1000
            assert parsed.fault is None or parsed.fault in FAULTS
            assert parsed.error is None or parsed.error in USER_INFO.errors.values()
            outcomes["honoured"] += 1

    run()
    assert min(outcomes["refused"], outcomes["honoured"]) >= 100, outcomes


def test_empty_items_are_skipped_not_the_end() -> None:
    assert parse(b", ,code=429") == Preference(USER_INFO.error_of_status(429))


def test_what_a_refusal_lists() -> None:
    assert parse(b"code=429=5") == (
        "Prefer: code=429=5 is not a documented status here (200, 400, 401, 429, 500)"
    )
    codes = sorted({*USER_INFO.errors, *(reply.code for reply in USER_INFO.errors.values())})
    assert parse(b"error=teapot") == (
        f"Prefer: error=teapot is not a documented error here ({', '.join(codes)})"
    )
