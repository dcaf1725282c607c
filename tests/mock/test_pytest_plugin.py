"""The pytest plugin, used as a team's own test file would use it (run by pytester)."""

from __future__ import annotations

import pytest

from tests.support.pages import TEST_FILES

USER_TESTS = """
import asyncio

import httpx
import pytest

from tiktok_user_info_client import errors
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import UserField


def test_the_example_user(tiktok_client):
    reply = get_user_info.sync(client=tiktok_client, fields=[UserField.DISPLAY_NAME])
    assert reply.error.code == "ok"
    assert reply.data.user.display_name == "User Name"


def test_async(tiktok_client):
    async def call():
        return await get_user_info.asyncio(client=tiktok_client, fields=[UserField.VIDEO_COUNT])

    assert asyncio.run(call()).data.user.video_count == 5


def test_a_user_of_my_own(tiktok_mock, tiktok_client):
    tiktok_mock.add_token("act.alice", {"open_id": "alice-1", "display_name": "Alice"})
    client = tiktok_mock.client("act.alice")
    reply = get_user_info.sync(client=client, fields=[UserField.DISPLAY_NAME])
    assert reply.data.user.display_name == "Alice"
    with pytest.raises(errors.ScopeNotAuthorized):
        get_user_info.sync(client=client, fields=[UserField.FOLLOWER_COUNT])


def test_my_token_is_gone_in_the_next_test(tiktok_mock):
    response = httpx.get(
        tiktok_mock.url + "/v2/user/info/?fields=open_id",
        headers={"Authorization": "Bearer act.alice"},
    )
    assert response.status_code == 401


def test_the_requests_received_with_tokens_redacted(tiktok_mock, tiktok_client):
    get_user_info.sync(client=tiktok_client, fields=[UserField.OPEN_ID, UserField.USERNAME])
    (request,) = tiktok_mock.requests
    assert request.query == "fields=open_id,username"
    assert request.headers["authorization"] == "Bearer <redacted>"
    assert request.status == 200


def test_the_plugins_clients_retry_without_waiting(tiktok_mock, tiktok_client):
    from tiktok_user_info_client.retries import Retries

    assert tiktok_client.retries == tiktok_mock.client().retries == Retries(initial_delay=0.0)
    tiktok_mock.add_scenario("getUserInfo", error="rate_limit_exceeded", times=2)
    reply = get_user_info.sync(client=tiktok_client, fields=[UserField.OPEN_ID])
    assert reply.data.user.open_id
    assert [r.status for r in tiktok_mock.requests] == [429, 429, 200]


def test_the_default_tokens(tiktok_mock):
    assert "act.mock.basic" in tiktok_mock.tokens
    assert tiktok_mock.url.startswith("http://127.0.0.1:")


def test_a_bad_user_is_refused(tiktok_mock):
    with pytest.raises(ValueError, match="unknown field 'nickname'"):
        tiktok_mock.add_token("act.bad", {"nickname": "x"})
    with pytest.raises(ValueError, match="unknown scope 'user.info.all'"):
        tiktok_mock.add_token("act.bad", {"open_id": "x"}, scopes=["user.info.all"])
    with pytest.raises(ValueError, match="^scopes: must be a list of scope names$"):
        tiktok_mock.add_token("act.bad", {"open_id": "x"}, scopes="user.info.basic")
    with pytest.raises(ValueError, match="^user: must be a mapping of User fields$"):
        tiktok_mock.add_token("act.bad", "alice")
    with pytest.raises(ValueError, match="^token: empty; leave it out"):
        tiktok_mock.client("")


def test_the_rate_limit_starts_afresh_for_each_test(tiktok_mock):
    headers = {"Authorization": "Bearer act.mock.basic"}
    with httpx.Client(base_url=tiktok_mock.url, headers=headers) as client:
        statuses = [client.get("/v2/user/info/?fields=open_id").status_code for _ in range(601)]
    assert statuses.count(200) == 600 and statuses[-1] == 429


def test_a_proxy_in_the_environment_is_not_used(tiktok_mock, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # the discard port: nothing there
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    with tiktok_mock.client() as client:
        reply = get_user_info.sync(client=client, fields=[UserField.OPEN_ID])
    assert reply.error.code == "ok"
    with pytest.raises(httpx.ConnectError):  # where a client that reads the proxy goes
        httpx.get(tiktok_mock.url + "/v2/user/info/?fields=open_id")


def test_and_so_it_did(tiktok_mock):
    response = httpx.get(
        tiktok_mock.url + "/v2/user/info/?fields=open_id",
        headers={"Authorization": "Bearer act.mock.basic"},
    )
    assert response.status_code == 200
"""


FAILING_TEST = """
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import UserField

def test_wrong_name(tiktok_client):
    reply = get_user_info.sync(client=tiktok_client, fields=[UserField.DISPLAY_NAME])
    assert reply.data.user.display_name == "Someone Else"
"""


def test_users_test_files_run_with_only_the_plugins_fixtures(pytester: pytest.Pytester) -> None:
    """Our file, the docs' copy-paste example, and a test that must fail, in one run."""
    (docs_example,) = TEST_FILES
    pytester.makepyfile(
        test_with_the_mock=USER_TESTS, test_profile=docs_example, test_wrong=FAILING_TEST
    )
    # -W error: a warning, such as a socket left open by a fixture's client, fails the run
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=14, failed=1)
    result.stdout.fnmatch_lines(["*test_wrong.py::test_wrong_name*"])
    result.stdout.fnmatch_lines(["*assert 'User Name' == 'Someone Else'*"])
