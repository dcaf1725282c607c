"""`--latency`: fixed, uniform and lognormal delays, seeded."""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from mock_server.latency import MAX_LATENCY_MS, Latency
from mock_server.process import running_mock


@pytest.mark.parametrize(
    ("text", "seconds"), [("250", 0.25), ("fixed:40", 0.04), ("0", 0.0), ("1.5", 0.0015)]
)
def test_a_fixed_delay(text: str, seconds: float) -> None:
    assert {Latency.parse(text).draw() for _ in range(10)} == {seconds}


def test_a_uniform_delay_stays_in_its_range_and_repeats_for_a_seed() -> None:
    draws = [Latency.parse("uniform:50-200", seed=1).draw() for _ in range(3)]
    assert len(set(draws)) == 1  # each new Latency with the same seed starts the same
    latency = Latency.parse("uniform:50-200", seed=1)
    drawn = [latency.draw() for _ in range(2000)]
    assert 0.05 <= min(drawn) and max(drawn) <= 0.2
    assert 0.115 <= statistics.mean(drawn) <= 0.135


def test_a_lognormal_delay_has_its_median_and_a_capped_tail() -> None:
    latency = Latency.parse("lognormal:120:0.5", seed=2)
    drawn = [latency.draw() for _ in range(4000)]
    assert 0.11 <= statistics.median(drawn) <= 0.13
    assert max(drawn) > 0.3  # a long tail, as real latency has
    wild = Latency.parse("lognormal:50000:3", seed=2)
    assert max(wild.draw() for _ in range(200)) == MAX_LATENCY_MS / 1000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("slow", "slow: latency is MS, fixed:MS, uniform:MIN-MAX or lognormal:MEDIAN:SIGMA"),
        ("-5", "latency is"),
        ("uniform:9-3", "uniform:9-3: the maximum is below the minimum"),
        ("uniform:10-70000", "uniform:10-70000: delays go up to 60000 ms"),
        ("lognormal:120", "latency is"),
    ],
)
def test_what_it_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Latency.parse(text)


def test_latency_over_a_socket() -> None:
    with running_mock("--latency", "300") as mock:
        httpx.get(f"{mock.url}/__mock/health")  # the admin spec is read at the first admin call
        began = time.monotonic()
        response = httpx.get(f"{mock.url}/v2/user/info/?fields=open_id")
        assert response.status_code == 401
        assert time.monotonic() - began >= 0.3
        assert httpx.get(f"{mock.url}/__mock/health").elapsed.total_seconds() < 0.3


def test_the_admin_spec_states_the_same_longest_delay() -> None:
    from mock_server.spec import document_path, load_document

    schemas = load_document(document_path("tiktok-mock-admin.yaml"))["components"]["schemas"]
    assert schemas["Delay"]["maximum"] == MAX_LATENCY_MS
