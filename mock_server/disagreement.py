"""Where the mock would have answered a request otherwise than the upstream did, as far as the
mock can know without the upstream's state: its verdicts on the request itself (the `fields`
parser, the form checks), and its scope verdict for a token whose grant it saw.

An answer that comes from a stage before those verdicts (an unknown token, the rate limit, a
failure of the upstream's own) says nothing about them, and is not compared.
"""

from __future__ import annotations

from collections.abc import Mapping

from .contract import ErrorReply, Operation
from .findings import Finding
from .oauth import OAuth
from .userinfo import UserInfo

__all__ = ["Verdict", "disagreements", "oauth_verdict", "user_info_verdict"]

EARLIER = frozenset({"access_token_invalid", "rate_limit_exceeded"})
"""Codes of the stages the user-info verdicts come after."""
Verdict = tuple[int, str, str] | str | None
"""What the mock would answer: (status, code, from which check); or a code the mock is
sure it would not answer (it accepts what that code refuses); or None: it cannot know."""


def user_info_verdict(
    user_info: UserInfo,
    query: bytes,
    scopes: frozenset[str] | None,
) -> Verdict:
    """The mock's verdict on a user-info request whose token was granted `scopes` (None:
    not seen)."""
    fields, problem = user_info.fields(query)
    if problem is not None:
        return (problem.status, problem.code, "fields parser")
    if scopes is None:
        return "invalid_params"
    if user_info.missing_scope(fields, scopes):
        return (401, "scope_not_authorized", "scope check of the grant it saw")
    return (200, "ok", "scope check of the grant it saw")


def oauth_verdict(
    oauth: OAuth, operation: Operation, form: Mapping[str, str] | str, bad_request: ErrorReply
) -> Verdict:
    """The mock's verdict on an OAuth request's form (`form` is a problem when it did not
    parse, which the mock answers with `bad_request`)."""
    if isinstance(form, str):
        return (bad_request.status, bad_request.code, "form checks")
    refused = oauth.refusal(operation.operation_id, form)
    if refused is None:
        return None
    return (refused.status, str(refused.body["error"]), "form checks")


def disagreements(
    operation: Operation, verdict: Verdict, status: int, code: str | None
) -> list[Finding]:
    """The disagreement between `verdict` and the upstream's `status` and `code`, if any."""
    if code is None and 200 <= status < 300:
        code = "ok"  # a success in OAuth's shape has no code
    if verdict is None or code is None or status == 429 or status >= 500 or code in EARLIER:
        return []
    op = operation.operation_id
    if isinstance(verdict, str):
        if code != verdict:
            return []
        expected = f"not {verdict} (the mock accepts the request)"
        return [Finding("disagreement", op, "answer", expected, f"{status} {code}")]
    if (status, code) == verdict[:2]:
        return []
    expected = f"{verdict[0]} {verdict[1]} (the mock's {verdict[2]})"
    return [Finding("disagreement", op, "answer", expected, f"{status} {code}")]
