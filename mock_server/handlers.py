"""The last stage of a request: the operation's own answer, by the spec's operationId."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import NamedTuple

from .answers import Answer
from .asgi import Headers
from .contract import Contract
from .oauth import OAuth, OAuthReply
from .userinfo import UserInfo, bearer

__all__ = ["Call", "Handler", "check_handlers", "handlers", "oauth_answer"]


class Call(NamedTuple):
    """What a handler answers: the request's headers, raw query, form and log id."""

    headers: Headers
    query: bytes
    form: Mapping[str, str]
    log_id: str


Handler = Callable[[Call], Awaitable[Answer]]


def handlers(user_info: UserInfo, oauth: OAuth) -> dict[str, Handler]:
    """The handler of each operation of the spec."""

    async def get_user_info(call: Call) -> Answer:
        token = bearer(call.headers)
        return await user_info.answer(token, call.query, call.log_id)

    async def fetch_access_token(call: Call) -> Answer:
        return oauth_answer(await oauth.token(call.form), call.log_id)

    async def revoke_access_token(call: Call) -> Answer:
        return oauth_answer(await oauth.revoke(call.form), call.log_id)

    return {
        "getUserInfo": get_user_info,
        "fetchAccessToken": fetch_access_token,
        "revokeAccessToken": revoke_access_token,
    }


def check_handlers(found: Mapping[str, Handler], contract: Contract) -> None:
    """ValueError unless every operation of the spec has a handler, and every handler an
    operation."""
    missing = sorted(set(contract.operations) - set(found))
    extra = sorted(set(found) - set(contract.operations))
    if missing or extra:
        raise ValueError(
            f"operations without a handler: {missing or 'none'}; "
            f"handlers without an operation: {extra or 'none'}"
        )


def oauth_answer(reply: OAuthReply, log_id: str) -> Answer:
    """An OAuth answer; its errors carry the log id, as TikTok's do."""
    body = dict(reply.body)
    if "error" in body:
        body["log_id"] = log_id
    return Answer.json(reply.status, body, log_id, reply.headers)
