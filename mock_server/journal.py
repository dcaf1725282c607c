"""What the mock received: the last requests, with tokens, secrets and codes redacted.

Recording keeps references only; redaction happens when the journal is read, and only
for the requests returned, so keeping it costs a request next to nothing, and reading the
last N costs N. It is bounded both by count and by the bytes of what it keeps.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Any, NamedTuple

from .asgi import Headers, Scope
from .findings import Finding

__all__ = [
    "DEFAULT_BYTES",
    "DEFAULT_SIZE",
    "REDACTED",
    "Arrival",
    "Journal",
    "Raw",
    "RecordedRequest",
    "redacted",
    "select",
]

DEFAULT_SIZE = 10_000
"""How many of the last requests the journal keeps."""
DEFAULT_BYTES = 64 * 1024 * 1024
"""How many bytes of requests (paths, queries, headers and forms) the journal keeps."""
REDACTED = "<redacted>"
SECRET_PARAMETERS = frozenset(
    {"access_token", "client_secret", "code", "code_verifier", "refresh_token", "token"}
)
"""Form and query parameters whose values are credentials."""
SECRET_HEADERS = frozenset({b"authorization", b"proxy-authorization", b"cookie"})
_SECRET_QUERY = re.compile(
    r"(?:^|(?<=&))(" + "|".join(sorted(SECRET_PARAMETERS)) + r")=[^&]*", re.IGNORECASE
)


@dataclass(frozen=True)
class RecordedRequest:
    """A request the mock received, redacted, and what it got: a status, or a network fault."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    form: Mapping[str, str] | None
    """The form of an OAuth request, if it parsed."""
    status: int | None
    """None when a network fault answered instead of a response."""
    log_id: str | None
    time: str
    """When it arrived, in UTC (ISO 8601, milliseconds)."""
    operation: str | None
    """The operationId of the spec that the path and method name, if any."""
    fault: str | None = None
    findings: tuple[Finding, ...] = ()
    """What the proxy found in the exchange (none without the proxy)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Raw(NamedTuple):
    """A request as recorded, before redaction: what the journal needs of its scope, not the
    scope (which holds more, and would be kept alive with it)."""

    method: str
    path: str
    query: bytes
    headers: Headers
    form: Mapping[str, str] | None
    status: int | None
    log_id: str | None
    time: float
    operation: str | None
    fault: str | None
    findings: tuple[Finding, ...]
    size: int
    """The bytes of its path, query, headers and form."""

    @classmethod
    def of(
        cls,
        scope: Scope,
        arrived: float,
        *,
        status: int | None,
        log_id: str | None,
        operation: str | None,
        form: Mapping[str, str] | None = None,
        fault: str | None = None,
        findings: tuple[Finding, ...] = (),
    ) -> Raw:
        path, query, headers = scope["path"], scope["query_string"], scope["headers"]
        size = len(path) + len(query)
        for name, value in headers:  # loops, not generators: this runs for every request
            size += len(name) + len(value)
        if form is not None:
            for name, value in form.items():
                size += len(name) + len(value)
        return cls(scope["method"], path, query, headers, form, status, log_id, arrived,
                   operation, fault, findings, size)  # fmt: skip


class Arrival(NamedTuple):
    """When a request arrived, and since which clearing of the journal."""

    time: float
    clearings: int


class Journal:
    """The last `size` requests, as many of them as fit in `max_bytes`; `size=0` keeps none.

    It can be read from another thread than the one recording (the pytest plugin's).
    """

    def __init__(self, size: int = DEFAULT_SIZE, max_bytes: int = DEFAULT_BYTES) -> None:
        self._entries: deque[Raw] = deque(maxlen=size)
        self._max_bytes = max_bytes
        self._bytes = 0
        self._clearings = 0
        self._lock = threading.Lock()

    def arrival(self) -> Arrival:
        """Now, for a request that has just arrived: `record` it with this once answered."""
        return Arrival(time.time(), self._clearings)

    def record(
        self,
        scope: Scope,
        arrival: Arrival,
        *,
        status: int | None,
        log_id: str | None,
        operation: str | None,
        form: Mapping[str, str] | None = None,
        fault: str | None = None,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        """Keep the request that arrived at `arrival`, unless the journal was cleared since:
        a request answered after a reset belongs to what came before it."""
        raw = Raw.of(
            scope, arrival.time, status=status, log_id=log_id, operation=operation, form=form,
            fault=fault, findings=findings,
        )  # fmt: skip
        self.keep(raw, arrival)

    def keep(self, raw: Raw, arrival: Arrival) -> None:
        """`record`, for a request already made a `Raw`."""
        entries = self._entries
        with self._lock:
            if arrival.clearings != self._clearings or not entries.maxlen:
                return
            if len(entries) == entries.maxlen:
                self._bytes -= entries[0].size
            entries.append(raw)
            self._bytes += raw.size
            while self._bytes > self._max_bytes:
                self._bytes -= entries.popleft().size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._clearings += 1

    def requests(self, *, limit: int | None = None, **filters: Any) -> list[RecordedRequest]:
        """The requests recorded, oldest first, that match every filter given (`operation`,
        `method`, `path`, `status`); with `limit`, the last `limit` of them, found from the
        newest back."""
        with self._lock:
            found = select(reversed(self._entries), limit, **filters)
        return [redacted(raw) for raw in reversed(found)]


def select(
    newest_first: Iterable[Raw],
    limit: int | None,
    *,
    operation: str | None = None,
    method: str | None = None,
    path: str | None = None,
    status: int | None = None,
) -> list[Raw]:
    """The first `limit` (all, if None) of `newest_first` that match every filter given."""
    matching = (
        raw
        for raw in newest_first
        if (operation is None or raw.operation == operation)
        and (method is None or raw.method == method)
        and (path is None or raw.path == path)
        and (status is None or raw.status == status)
    )
    return list(islice(matching, limit))


def redacted(raw: Raw) -> RecordedRequest:
    """The request as the journal shows it: credentials redacted."""
    headers: dict[str, str] = {}
    for name, value in raw.headers:
        text = value.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme, _, credentials = text.partition(" ")
            text = f"{scheme} {REDACTED}" if credentials and name != b"cookie" else REDACTED
        key = name.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    form = None
    if raw.form is not None:
        form = {k: REDACTED if k in SECRET_PARAMETERS else v for k, v in raw.form.items()}
    query = _SECRET_QUERY.sub(
        lambda match: f"{match.group(1)}={REDACTED}", raw.query.decode("latin-1")
    )
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(raw.time))
    return RecordedRequest(
        method=raw.method,
        path=raw.path,
        query=query,
        headers=headers,
        form=form,
        status=raw.status,
        log_id=raw.log_id,
        time=f"{stamp}.{int(raw.time % 1 * 1000):03d}Z",
        operation=raw.operation,
        fault=raw.fault,
        findings=raw.findings,
    )
