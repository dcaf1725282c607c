"""The generated client against responses drawn from the spec, and against the running mock."""

from __future__ import annotations

import json
from itertools import combinations
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.contract import Contract
from mock_server.spec import load_document
from tests.support.defaults import GRANTED
from tests.support.specs import operation
from tests.support.strategies import from_schema
from tiktok_user_info_client import (
    FIELD_SCOPES,
    AuthenticatedClient,
    Retries,
    errors,
    scopes_for,
)
from tiktok_user_info_client.api.user import get_user_info
from tiktok_user_info_client.models import User, UserField, UserInfoResponse

DOCUMENT = load_document()
RESPONSES = operation(DOCUMENT)["responses"]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), status=st.sampled_from(sorted(RESPONSES)))
def test_any_documented_response_parses_and_round_trips(data: st.DataObject, status: str) -> None:
    schema = RESPONSES[status]["content"]["application/json"]["schema"]
    body = data.draw(from_schema(schema), label="body")
    transport = httpx.MockTransport(lambda _: httpx.Response(int(status), json=body))
    client = AuthenticatedClient(
        base_url="https://open.tiktokapis.com",
        token="t",
        httpx_args={"transport": transport},
        retries=Retries(max_retries=0),
    )
    parsed = get_user_info.sync_detailed(client=client, fields=[UserField.OPEN_ID]).parsed
    assert isinstance(parsed, UserInfoResponse)
    assert parsed.to_dict() == body
    if "user" in body["data"]:
        assert isinstance(parsed.data.user, User)


def field_sets() -> list[tuple[UserField, ...]]:
    """One field of each scope alone, and every pair and the triple of scopes' first fields."""
    by_scope: dict[str, list[UserField]] = {}
    for field in UserField:
        by_scope.setdefault(FIELD_SCOPES[field], []).append(field)
    firsts = [fields[0] for fields in by_scope.values()]
    return [
        *(tuple(fields) for fields in by_scope.values()),
        *(pair for pair in combinations(firsts, 2)),
        tuple(firsts),
        tuple(UserField),
    ]


@pytest.mark.parametrize("token", sorted(GRANTED))
@pytest.mark.parametrize("fields", field_sets(), ids=lambda fields: "+".join(fields))
def test_every_default_token_across_scope_boundaries(
    mock_url: str, token: str, fields: tuple[UserField, ...]
) -> None:
    users = {grant.user["open_id"]: grant.user for grant in _grants().values()}
    with AuthenticatedClient(base_url=mock_url, token=token) as client:
        if not scopes_for(fields) <= GRANTED[token]:
            with pytest.raises(errors.ScopeNotAuthorized) as refused:
                get_user_info.sync(client=client, fields=list(fields))
            assert refused.value.status_code == 401
            assert json.loads(refused.value.content)["data"] == {}
            return
        reply = get_user_info.sync(client=client, fields=list(fields))
    assert reply is not None and reply.error.code == "ok"
    user = reply.data.user
    assert isinstance(user, User)
    returned = user.to_dict()
    assert set(returned) == set(fields)
    assert returned == {field: users[_open_id(token)][field] for field in fields}


def test_an_expired_token(mock_url: str) -> None:
    with AuthenticatedClient(base_url=mock_url, token="act.mock.expired") as client:
        response = get_user_info.sync_detailed(client=client, fields=[UserField.OPEN_ID])
    assert response.status_code == 401
    assert response.parsed is not None and response.parsed.error.code == "access_token_invalid"


def test_async_against_the_mock(mock_url: str) -> None:
    import asyncio

    async def call() -> UserInfoResponse | None:
        async with AuthenticatedClient(base_url=mock_url, token="act.mock.stats") as client:
            return await get_user_info.asyncio(client=client, fields=[UserField.VIDEO_COUNT])

    reply = asyncio.run(call())
    assert reply is not None and reply.data.to_dict() == {"user": {"video_count": 321}}


def _grants() -> dict[str, Any]:
    from mock_server.fixtures import load_fixtures

    return load_fixtures(Contract.from_document(DOCUMENT)).grants


def _open_id(token: str) -> str:
    open_id: str = _grants()[token].user["open_id"]
    return open_id
