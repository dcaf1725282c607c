"""More than one process or host: mocks that share their state in one real Redis, started as
users start them (`tiktok-mock --store redis://...`), over real connections."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mock_server.contract import Contract
from mock_server.fixtures import EXAMPLE_TOKEN
from mock_server.process import RunningMock, free_port, running_mock
from mock_server.spec import load_document
from mock_server.state import DEFAULT_RATE_LIMIT
from tests.support.pages import README
from tests.support.redisserver import RedisServer, redis_server

CONTRACT = Contract.from_document(load_document())
CLIENT = {"client_key": "mock_client_key", "client_secret": "mock_client_secret"}
REDIRECT = "https://example.com/callback"
FIELDS = "/v2/user/info/?fields=open_id"
WORKERS_LIMIT = 150
"""The two workers' rate limit: their requests are spread by the kernel, not by the test."""
HTTP = httpx.Client(timeout=30)
"""A client patient enough for a machine loaded by other tests."""
TOKEN_500 = CONTRACT.operations["fetchAccessToken"].error_of_status(500).code  # type: ignore[union-attr]


@pytest.fixture(scope="module", autouse=True)
def _client() -> Iterator[None]:
    yield
    HTTP.close()


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def hosts(redis: RedisServer) -> Iterator[tuple[RunningMock, RunningMock]]:
    """Two mock processes on one Redis, as two hosts behind a load balancer would be."""
    with running_mock("--store", redis.url) as one, running_mock("--store", redis.url) as two:
        yield one, two


@pytest.fixture(scope="module")
def workers(redis: RedisServer) -> Iterator[RunningMock]:
    """One mock of two worker processes, on the same Redis under a prefix of its own."""
    with running_mock("--store", redis.url, "--store-prefix", "workers:", "--workers", "2",
                      "--rate-limit", str(WORKERS_LIMIT)) as mock:  # fmt: skip
        yield mock


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> None:
    for name in ("hosts", "workers"):
        if name in request.fixturenames:
            mocks = request.getfixturevalue(name)
            first = mocks[0] if isinstance(mocks, tuple) else mocks
            HTTP.post(f"{first.url}/__mock/reset").raise_for_status()


def user_info(url: str, token: str = EXAMPLE_TOKEN) -> httpx.Response:
    return HTTP.get(url + FIELDS, headers={"Authorization": f"Bearer {token}"})


def code_from(url: str) -> str:
    """A single-use code from the mock's consent page at `url`."""
    query = {"client_key": CLIENT["client_key"], "response_type": "code",
             "scope": "user.info.basic", "redirect_uri": REDIRECT}  # fmt: skip
    answer = HTTP.get(f"{url}/v2/auth/authorize/", params=query)
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


async def race(urls: list[str], form: dict[str, str], each: int = 10) -> list[httpx.Response]:
    """`each` token requests with `form` at each of `urls`, all at once."""
    async with httpx.AsyncClient(timeout=30) as client:
        sent = [client.post(f"{url}/v2/oauth/token/", data=form) for url in urls * each]
        return list(await asyncio.gather(*sent))


def winners(answers: list[httpx.Response]) -> list[httpx.Response]:
    """The 200s; every other answer must be the documented invalid_grant."""
    assert {a.json()["error"] for a in answers if a.status_code != 200} <= {"invalid_grant"}
    return [answer for answer in answers if answer.status_code == 200]


def test_a_token_added_through_one_host_works_at_the_other(hosts: tuple[RunningMock, ...]) -> None:
    one, two = hosts
    added = {"token": "act.shared", "user": {"open_id": "shared-user"}}
    assert HTTP.post(f"{one.url}/__mock/tokens", json=added).status_code == 201
    assert user_info(two.url, "act.shared").json()["data"]["user"] == {"open_id": "shared-user"}
    assert HTTP.delete(f"{two.url}/__mock/tokens/act.shared").status_code == 204
    assert user_info(one.url, "act.shared").status_code == 401


def test_a_code_is_exchanged_once_when_twenty_requests_race_for_it(
    hosts: tuple[RunningMock, ...],
) -> None:
    one, two = hosts
    form = {**CLIENT, "grant_type": "authorization_code", "code": code_from(one.url),
            "redirect_uri": REDIRECT}  # fmt: skip
    answers = asyncio.run(race([one.url, two.url], form))
    assert len(answers) == 20 and len(winners(answers)) == 1
    (won,) = winners(answers)
    assert user_info(two.url, won.json()["access_token"]).status_code == 200


def test_a_refresh_token_is_rotated_once_when_twenty_requests_race_for_it(
    hosts: tuple[RunningMock, ...],
) -> None:
    one, two = hosts
    exchange = {**CLIENT, "grant_type": "authorization_code", "code": code_from(two.url),
                "redirect_uri": REDIRECT}  # fmt: skip
    issued = HTTP.post(f"{one.url}/v2/oauth/token/", data=exchange).json()
    form = {**CLIENT, "grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    answers = asyncio.run(race([one.url, two.url], form))
    assert len(answers) == 20 and len(winners(answers)) == 1
    again = HTTP.post(f"{two.url}/v2/oauth/token/", data=form)  # the old one stopped at once
    assert again.json()["error"] == "invalid_grant"


async def spread(urls: list[str], count: int, token: str) -> list[int]:
    """`count` user-info requests of `token`, spread over `urls`, 50 at a time; the statuses."""
    headers = {"Authorization": f"Bearer {token}"}
    statuses: list[int] = []

    async def send(client: httpx.AsyncClient, requests: range) -> None:
        for n in requests:
            statuses.append(
                (await client.get(urls[n % len(urls)] + FIELDS, headers=headers)).status_code
            )

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(send(client, range(n, count, 50)) for n in range(50)))
    return statuses


def test_the_rate_limit_is_exact_across_hosts(hosts: tuple[RunningMock, ...]) -> None:
    began = time.monotonic()
    statuses = asyncio.run(spread([host.url for host in hosts], 800, EXAMPLE_TOKEN))
    took = f"in {time.monotonic() - began:.0f} s, of a 60 s window"
    assert statuses.count(200) == DEFAULT_RATE_LIMIT == 600, took
    assert statuses.count(429) == 200


def test_the_journal_of_either_host_lists_both_hosts_requests(
    hosts: tuple[RunningMock, ...],
) -> None:
    one, two = hosts
    sent = {user_info(one.url).headers["x-tt-logid"], user_info(two.url).headers["x-tt-logid"]}
    for host in hosts:
        journal = HTTP.get(f"{host.url}/__mock/requests").json()["requests"]
        assert {entry["log_id"] for entry in journal} == sent


def test_a_reset_through_one_host_resets_both(hosts: tuple[RunningMock, ...]) -> None:
    one, two = hosts
    HTTP.post(f"{one.url}/__mock/tokens", json={"token": "act.gone", "user": {"open_id": "g"}})
    queued = {"operation": "getUserInfo", "error": "internal_error", "times": 5}
    HTTP.post(f"{one.url}/__mock/scenarios", json=queued)
    assert user_info(two.url).status_code == 500
    assert HTTP.post(f"{two.url}/__mock/reset").status_code == 204
    assert user_info(one.url, "act.gone").status_code == 401
    assert user_info(one.url).status_code == 200  # the scenario is gone, the fixtures back
    assert HTTP.get(f"{one.url}/__mock/scenarios").json() == {"scenarios": []}
    assert len(HTTP.get(f"{one.url}/__mock/requests").json()["requests"]) == 2


def test_two_workers_share_one_rate_limit_and_the_oauth_flow(workers: RunningMock) -> None:
    statuses = asyncio.run(spread([workers.url], 2 * WORKERS_LIMIT, EXAMPLE_TOKEN))
    assert statuses.count(200) == statuses.count(429) == WORKERS_LIMIT
    form = {**CLIENT, "grant_type": "authorization_code", "code": code_from(workers.url),
            "redirect_uri": REDIRECT}  # fmt: skip
    assert len(winners(asyncio.run(race([workers.url], form, each=20)))) == 1
    added = {"token": "act.worker", "user": {"open_id": "w"}}
    assert HTTP.post(f"{workers.url}/__mock/tokens", json=added).status_code == 201
    assert all(user_info(workers.url, "act.worker").status_code == 200 for _ in range(20))


def test_mocks_under_other_prefixes_do_not_see_each_others_state(
    hosts: tuple[RunningMock, ...], workers: RunningMock
) -> None:
    one, _ = hosts
    HTTP.post(f"{one.url}/__mock/tokens", json={"token": "act.mine", "user": {"open_id": "m"}})
    assert user_info(workers.url, "act.mine").status_code == 401
    HTTP.post(f"{workers.url}/__mock/reset")
    assert user_info(one.url, "act.mine").status_code == 200


def test_redis_lost_and_back(tmp_path: Path) -> None:
    """While Redis is down: each operation's documented 500, one log line naming the store,
    and a health check of 503; then back by itself, with nothing acknowledged lost."""
    with redis_server(tmp_path, durable=True) as redis, running_mock("--store", redis.url) as one, \
            running_mock("--store", redis.url) as two:  # fmt: skip
        added = {"token": "act.kept", "user": {"open_id": "kept"}}
        assert HTTP.post(f"{one.url}/__mock/tokens", json=added).status_code == 201
        redis.kill()
        for host in (one, two):
            lost = user_info(host.url, "act.kept")
            assert lost.status_code == 500 and lost.json()["error"]["code"] == "internal_error"
            refresh = {**CLIENT, "grant_type": "refresh_token", "refresh_token": "rft.x"}
            token = HTTP.post(f"{host.url}/v2/oauth/token/", data=refresh)
            assert token.status_code == 500 and token.json()["error"] == TOKEN_500
            health = HTTP.get(f"{host.url}/__mock/health")
            assert health.status_code == 503 and health.json()["status"] == "unavailable"
            assert redis.url in health.json()["message"]
            assert HTTP.post(f"{host.url}/__mock/tokens", json=added).status_code == 503
        redis.start()
        for host in (one, two):
            assert HTTP.get(f"{host.url}/__mock/health").status_code == 200
            assert user_info(host.url, "act.kept").status_code == 200
            assert user_info(host.url).status_code == 200  # the fixtures' tokens are kept too
        output = one.stop()
    logged = [line for line in output.splitlines() if "unreachable" in line]
    assert len(logged) == 3  # user info, token, and the admin call: one line each
    assert all(redis.url in line for line in logged)


def test_an_unreachable_store_at_start_up_exits_2_saying_where_it_looked() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    done = subprocess.run(
        [sys.executable, "-m", "mock_server", "--port", "0", "--store", url],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(f"error: cannot reach the store at {url}: ")


def test_the_readme_states_the_figures_and_options_these_tests_show() -> None:
    from mock_server.cli import parse_args

    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- --8<-- [start:shared] -->")[1].split("<!-- --8<-- [end:shared]")[0]
    section = " ".join(section.split())
    assert f"limit of {DEFAULT_RATE_LIMIT} requests per token per minute" in section
    assert "exits with status 2" in section and "answers 503" in section
    assert parse_args(["--store", "redis://h:1/0", "--store-prefix", "p:", "--workers", "3"])
    with pytest.raises(SystemExit):
        parse_args(["--workers", "2"])  # "above 1 without --store does not start"
