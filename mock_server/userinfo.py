"""`GET /v2/user/info/` as TikTok answers it: the token, the rate limit, `fields`, the scopes."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .answers import Answer, ok_body
from .asgi import Headers
from .contract import Contract, ErrorReply
from .fixtures import TOKEN
from .store import Entry

if TYPE_CHECKING:
    from .state import Admission, State

__all__ = ["CACHED_QUERY_BYTES", "FIELDS_GIVEN_TWICE", "MAX_NAMED_FIELDS", "UserInfo", "bearer"]

CACHED_QUERY_BYTES = 512
"""Queries up to this size have their parse cached (1,024 of them at most)."""
MAX_NAMED_FIELDS = 10
"""How many unknown field names an `invalid_params` message lists."""
FIELDS_GIVEN_TWICE = "Fields must be given once, comma-separated"


def bearer(headers: Headers) -> str | None:
    """The token of the request's one `Authorization: Bearer <token>` header, or None."""
    found = None
    for name, value in headers:
        if name == b"authorization":
            if found is not None:
                return None
            found = value
    if found is None:
        return None
    scheme, _, token_bytes = found.partition(b" ")
    token = token_bytes.strip(b" ").decode("latin-1")
    if scheme.lower() != b"bearer" or not TOKEN.fullmatch(token):
        return None
    return token


class UserInfo:
    """Every check in TikTok's order: the bearer token (401 `access_token_invalid`), the
    rate limit per token (429), the `fields` parameter (400 `invalid_params`), then each
    field's scope (401 `scope_not_authorized`). The errors are the spec's examples."""

    def __init__(
        self,
        contract: Contract,
        state: State,
        clock: Callable[[], float],
    ) -> None:
        self._field_scopes = contract.field_scopes
        self._max_fields = contract.max_fields
        self._errors = contract.errors
        self._state = state
        self._clock = clock
        # Clients repeat their queries: parse each short one once.
        self._fields_cached = lru_cache(maxsize=1024)(self._parse)

    async def answer(self, token: str | None, query: bytes, log_id: str) -> Answer:
        """The answer to a request bearing `token` with the query string `query`."""
        now = self._clock()
        admission = (None, False) if token is None else await self._state.find_admitted(token, now)
        return self.answered(admission, query, log_id, now)

    def answered(self, admission: Admission, query: bytes, log_id: str, now: float) -> Answer:
        """The answer to a request whose token has `admission` at `now`."""
        outcome = self.outcome(admission, query, now)
        if isinstance(outcome, ErrorReply):
            return Answer.error(outcome, log_id)
        entry = admission[0]
        assert entry is not None
        return Answer(200, ok_body(_user(entry, outcome), log_id), log_id)

    def status(self, admission: Admission, query: bytes, now: float) -> int:
        """The status of `answered`, without its body."""
        outcome = self.outcome(admission, query, now)
        return outcome.status if isinstance(outcome, ErrorReply) else 200

    def outcome(
        self, admission: Admission, query: bytes, now: float
    ) -> ErrorReply | tuple[str, ...]:
        """The error a request whose token has `admission` at `now` gets, or the fields of
        its user that it gets."""
        entry, admitted = admission
        if entry is None or not entry.grant.valid_at(now):
            return self._errors["access_token_invalid"]
        if not admitted:
            return self._errors["rate_limit_exceeded"]
        fields, problem = self.fields(query)
        if problem is not None:
            return problem
        if self.missing_scope(fields, entry.grant.scopes):
            return self._errors["scope_not_authorized"]
        return fields

    def fields(self, query: bytes) -> tuple[tuple[str, ...], ErrorReply | None]:
        """The field names the query string asks for, or the error its `fields` earns."""
        return (
            self._fields_cached(query) if len(query) <= CACHED_QUERY_BYTES else self._parse(query)
        )

    def missing_scope(self, fields: tuple[str, ...], scopes: frozenset[str]) -> bool:
        """Whether a token granted `scopes` lacks the scope of one of `fields`."""
        field_scopes = self._field_scopes
        for field in fields:  # a loop, not a generator: this runs for every request
            if field_scopes[field] not in scopes:
                return True
        return False

    def _parse(self, query_string: bytes) -> tuple[tuple[str, ...], ErrorReply | None]:
        required = self._errors["invalid_params"]
        values = [
            value
            for name, _, value in (pair.partition(b"=") for pair in query_string.split(b"&"))
            if unquote(name.decode("latin-1")) == "fields"
        ]
        if len(values) > 1:
            return (), required.with_message(FIELDS_GIVEN_TWICE)
        if not values:
            return (), required
        try:
            # A percent-encoded comma separates items as a literal one does, as TikTok reads it.
            value = unquote(values[0].decode("ascii").replace("+", " "), errors="strict")
        except UnicodeDecodeError:
            return (), required.with_message("Fields must be UTF-8, comma-separated")
        named = [item for item in value.split(",") if item]
        fields = list(dict.fromkeys(named))
        if not fields:
            return (), required
        unknown = [field for field in fields if field not in self._field_scopes]
        if unknown:
            return (), required.with_message(_unknown_fields(unknown))
        if len(named) > self._max_fields:
            return (), required.with_message(f"Fields lists at most {self._max_fields} names")
        return tuple(fields), None


def _user(entry: Entry, fields: tuple[str, ...]) -> bytes:
    """The user object's members for `fields`; a field the user does not have is left out."""
    fragments = entry.fragments
    return b",".join([fragments[field] for field in fields if field in fragments])


def _unknown_fields(names: list[str]) -> str:
    """The message for unknown field names, e.g. "Invalid fields: nickname"."""
    listed = ", ".join(
        name if len(name) <= 64 else name[:61] + "..." for name in names[:MAX_NAMED_FIELDS]
    )
    more = f" and {len(names) - MAX_NAMED_FIELDS} more" if len(names) > MAX_NAMED_FIELDS else ""
    return f"Invalid fields: {listed}{more}"
