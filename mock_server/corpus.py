"""A corpus of exchanges: one JSON object a line, each a request and its answer, with every
token, secret and code redacted and every personal value replaced by a pseudonym.

One object a line, not one HAR document: a line is appended and flushed as each exchange
ends, so a proxy that is killed loses at most the exchange in flight; a corpus reads and
diffs line by line in review; and two corpora concatenate into one.

A line:
- `operation`, `request` (`method`, `path`, `query`, `headers`, `form`), `response`
  (`status`, `headers`, `body`: the JSON body, else None and `bytes`);
- `outcome`: what a replay compares (`status`, `code`, `user_fields` with their JSON types);
- `grant`: the scopes granted to the request's token, where a token response showed them;
- in a corpus of evidence, `source` and `strength` (docs, field or choice).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from .asgi import Headers
from .conformance import error_code, json_body, json_type
from .pseudonyms import Pseudonyms

__all__ = ["CREDENTIALS", "Exchange", "Recorder", "outcome", "read_corpus"]

CREDENTIALS = frozenset(
    {"access_token", "client_secret", "code", "code_verifier", "refresh_token", "token"}
)
"""Form and body members whose values are credentials: each becomes a label."""
PSEUDONYMOUS = frozenset({"client_key", "open_id"})
"""Other members outside the user object whose values identify someone."""
KEPT_REQUEST_HEADERS = frozenset({"accept", "content-type"})
KEPT_RESPONSE_HEADERS = frozenset({"content-type", "x-tt-logid"})
QUERY_KEPT = frozenset({"fields"})
"""Query parameters kept as sent; the values of all others become labels."""


@dataclass(frozen=True)
class Exchange:
    """A request the proxy passed on and the answer it passed back."""

    operation: str | None
    method: str
    path: str
    query: bytes
    headers: Headers
    form: Mapping[str, str] | None
    status: int
    response_headers: Headers
    body: bytes
    grant: frozenset[str] | None


def outcome(status: int, body: Any) -> dict[str, Any]:
    """What a replay compares of an answer: its status, error code and user fields."""
    data = body.get("data") if isinstance(body, dict) else None
    user = data.get("user") if isinstance(data, dict) else None
    fields = {name: json_type(value) for name, value in (user or {}).items()}
    return {"status": status, "code": error_code(body), "user_fields": fields}


class Recorder:
    """Appends exchanges to the corpus at `path`, under the key kept beside it in
    `<path>.key` (made on first use, readable by its owner only): keep the key out of the
    repository, and the pseudonyms stay the same across runs."""

    def __init__(self, path: Path) -> None:
        key_path = path.with_name(path.name + ".key")
        if not key_path.exists():
            descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as key_file:
                key_file.write(secrets.token_hex(32) + "\n")
        self.pseudonyms = Pseudonyms(bytes.fromhex(key_path.read_text().strip()))
        self._path = path
        self._file: TextIO | None = None

    def record(self, exchange: Exchange) -> None:
        """Append `exchange`, opening the corpus on the first."""
        if self._file is None:
            self._file = self._path.open("a", encoding="utf-8")
        line = json.dumps(self.entry(exchange), ensure_ascii=False, separators=(",", ":"))
        self._file.write(line + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def entry(self, exchange: Exchange) -> dict[str, Any]:
        """The corpus line of `exchange`."""
        body, is_json = json_body(exchange.body)
        entry: dict[str, Any] = {
            "operation": exchange.operation,
            "request": {
                "method": exchange.method,
                "path": exchange.path,
                "query": self._query(exchange.query),
                "headers": self._request_headers(exchange.headers),
                "form": None if exchange.form is None else self._members(exchange.form),
            },
            "response": {
                "status": exchange.status,
                "headers": _kept(exchange.response_headers, KEPT_RESPONSE_HEADERS),
                "body": self._body(body) if is_json else None,
            },
            "outcome": outcome(exchange.status, body if is_json else None),
        }
        if not is_json:
            entry["response"]["bytes"] = len(exchange.body)
        if exchange.grant is not None:
            entry["grant"] = {"scopes": sorted(exchange.grant)}
        return entry

    def _query(self, query: bytes) -> str:
        parts = []
        for pair in query.decode("latin-1").split("&") if query else []:
            name, equals, value = pair.partition("=")
            if name in QUERY_KEPT or not equals:
                parts.append(pair)
            else:
                parts.append(f"{name}={quote(self.pseudonyms.label(value), safe='')}")
        return "&".join(parts)

    def _body(self, body: Any) -> Any:
        return self._members(body) if isinstance(body, dict) else self._json(body)

    def _request_headers(self, headers: Headers) -> dict[str, str]:
        kept = _kept(headers, KEPT_REQUEST_HEADERS)
        for name, value in headers:
            if name == b"authorization":
                scheme, _, credential = value.decode("latin-1").partition(" ")
                kept["authorization"] = f"{scheme} {self.pseudonyms.label(credential.strip())}"
        return kept

    def _members(self, members: Mapping[str, Any]) -> dict[str, Any]:
        """A form or a JSON object outside the user, its credentials and ids replaced."""
        out: dict[str, Any] = {}
        for name, value in members.items():
            if isinstance(value, str) and name in CREDENTIALS:
                out[name] = self.pseudonyms.label(value)
            elif isinstance(value, str) and name in PSEUDONYMOUS:
                out[name] = self.pseudonyms.value(value)
            else:
                out[name] = self._json(value)
        return out

    def _json(self, value: Any, in_user: bool = False) -> Any:
        """A JSON value: every string of the user object becomes a pseudonym; a body's own
        credentials and ids are replaced by `_members`."""
        if isinstance(value, dict):
            return {
                name: self._json(item, in_user or name == "user") for name, item in value.items()
            }
        if isinstance(value, list):
            return [self._json(item, in_user) for item in value]
        if isinstance(value, str) and in_user:
            return self.pseudonyms.value(value)
        return value


def _kept(headers: Headers, names: frozenset[str]) -> dict[str, str]:
    kept = {}
    for name, value in headers:
        key = name.decode("latin-1").lower()
        if key in names:
            kept[key] = value.decode("latin-1")
    return kept


def read_corpus(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each line of the corpus at `path`, numbered from 1; ValueError names a bad line."""
    with path.open(encoding="utf-8") as corpus:
        for number, line in enumerate(corpus, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not JSON: {exc}") from None
            if not isinstance(entry, dict) or not {"request", "outcome"} <= entry.keys():
                raise ValueError(f"{path}:{number}: not an exchange (request and outcome)")
            yield number, entry
