"""`tiktok-mock replay CORPUS`: the corpus as a fidelity test of the mock.

The mock's fixtures come from the corpus: a user for each token, with the fields its answers
showed; the token's scopes from the grant a token response showed, else those of the fields
it was answered; the OAuth client, and each code exchanged, from the token requests that
succeeded. Each recorded request then goes, in order, to a fresh mock built from them (a
refresh token the corpus shows issued replaced by the one the mock issued in its place), and
its answer is compared with the upstream's: the status, the error code, and the user fields
with their JSON types. An answer the request alone does not decide (429, or a failure of the
upstream's own, 5xx) is asked of the mock with `Prefer: code=<status>`, and said so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from .app import MockApp
from .conformance import json_body
from .corpus import outcome, read_corpus
from .fixtures import FixtureError
from .server import Options, create_app

__all__ = ["Result", "build_fixtures", "main", "replay"]

FORCED = 429
"""From this status on (and at 5xx), the mock is asked for the recorded status."""


@dataclass(frozen=True)
class Result:
    """One exchange replayed: its corpus line, what the upstream and the mock answered."""

    line: int
    operation: str | None
    recorded: Mapping[str, Any]
    replayed: Mapping[str, Any]
    forced: bool

    @property
    def matches(self) -> bool:
        return dict(self.recorded) == dict(self.replayed)


def build_fixtures(
    entries: list[dict[str, Any]], field_scopes: Mapping[str, str]
) -> dict[str, Any]:
    """The fixtures that make a mock know the corpus's users, tokens, client and codes."""
    users: dict[str, dict[str, Any]] = {}
    scopes: dict[str, set[str]] = {}
    granted: set[str] = set()
    clients: dict[str, dict[str, str]] = {}
    codes: dict[str, dict[str, Any]] = {}
    for entry in entries:
        request, result = entry["request"], entry["outcome"]
        body = entry.get("response", {}).get("body")
        if entry.get("operation") == "getUserInfo":
            token = _token(request)
            if token is None or result["code"] == "access_token_invalid":
                continue
            user = users.setdefault(token, {})
            scopes.setdefault(token, set())
            if "grant" in entry:
                scopes[token] = set(entry["grant"]["scopes"])
                granted.add(token)
            answered = body["data"]["user"] if result["status"] == 200 and body else {}
            user.update({k: v for k, v in answered.items() if k in field_scopes})
            if token not in granted:
                scopes[token] |= {field_scopes[name] for name in answered if name in field_scopes}
        elif entry.get("operation") == "fetchAccessToken" and result["status"] == 200 and body:
            form = request.get("form") or {}
            clients[form["client_key"]] = {"client_secret": form["client_secret"]}
            token = body["access_token"]
            user = next(
                (u for u in users.values() if u.get("open_id") == body.get("open_id")),
                {"open_id": body.get("open_id", "")},
            )
            users.setdefault(token, user)
            scopes[token] = set(body["scope"].split(","))
            granted.add(token)
            if form.get("grant_type") == "authorization_code":
                codes[form["code"]] = {
                    "user": token,
                    "scopes": sorted(scopes[token]),
                    "client": form["client_key"],
                }
    names = {token: f"user{number}" for number, token in enumerate(users, 1)}
    return {
        "users": {names[token]: user for token, user in users.items()},
        "tokens": {
            token: {"user": names[token], "scopes": sorted(scopes[token])} for token in users
        },
        "clients": clients,
        "codes": {code: {**entry, "user": names[entry["user"]]} for code, entry in codes.items()},
    }


async def replay(app: MockApp, entries: list[tuple[int, dict[str, Any]]]) -> list[Result]:
    """Each entry's request sent to `app`, in order, and its answer compared."""
    results = []
    issued: dict[str, str] = {}
    """Each refresh token of the corpus, and the one the mock issued in its place."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        for line, entry in entries:
            request, recorded = entry["request"], entry["outcome"]
            forced = recorded["status"] >= FORCED
            headers = dict(request.get("headers") or {})
            if forced:
                headers["prefer"] = f"code={recorded['status']}"
            body = None
            if request.get("form") is not None:
                form = {name: issued.get(value, value) for name, value in request["form"].items()}
                body = urlencode(form).encode()
                headers["content-type"] = "application/x-www-form-urlencoded"
            target = request["path"] + (f"?{request['query']}" if request.get("query") else "")
            url = httpx.URL("http://mock").copy_with(raw_path=target.encode())
            response = await client.request(request["method"], url, headers=headers, content=body)
            parsed, _ = json_body(response.content)
            replayed = outcome(response.status_code, parsed)
            answered = entry.get("response", {}).get("body")
            if (
                isinstance(answered, dict)
                and isinstance(parsed, dict)
                and "refresh_token" in parsed
            ):
                issued[answered.get("refresh_token", "")] = parsed["refresh_token"]
            results.append(Result(line, entry.get("operation"), recorded, replayed, forced))
    return results


def table(results: list[Result]) -> str:
    """The results, a row each, and a line that counts them."""
    rows = [f"{'line':>5}  {'operation':18} {'upstream':36} {'mock':36} result"]
    for result in results:
        verdict = "match" if result.matches else "MISMATCH"
        if result.forced:
            verdict += " (status asked for)"
        rows.append(
            f"{result.line:>5}  {result.operation or '-':18} {_cell(result.recorded):36} "
            f"{_cell(result.replayed):36} {verdict}"
        )
    matched = sum(result.matches for result in results)
    rows.append(f"{len(results)} exchanges: {matched} match, {len(results) - matched} mismatch")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """`tiktok-mock replay`: the exit code, 1 on any mismatch, 2 for a corpus it cannot use."""
    parser = argparse.ArgumentParser(
        prog="tiktok-mock replay",
        description="Replay a corpus against a fresh mock built from it; exit 1 on a mismatch.",
    )
    parser.add_argument("corpus", type=Path, help="the corpus (one JSON exchange a line)")
    parser.add_argument(
        "--write-fixtures",
        type=Path,
        metavar="FILE",
        help="also write the fixtures built from the corpus to FILE (JSON), for --fixtures",
    )
    args = parser.parse_args(argv)
    try:
        entries = list(read_corpus(args.corpus))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    contract = create_app(Options(rate_limit=0)).contract
    try:
        fixtures = build_fixtures([entry for _, entry in entries], contract.field_scopes)
    except (KeyError, TypeError, AttributeError) as exc:
        print(f"error: {args.corpus}: an exchange lacks {exc}", file=sys.stderr)
        return 2
    text = json.dumps(fixtures, indent=2, ensure_ascii=False) + "\n"
    if args.write_fixtures is not None:
        args.write_fixtures.write_text(text, encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "fixtures.json")
        path.write_text(text, encoding="utf-8")
        try:
            app = create_app(Options(fixtures=str(path), rate_limit=0))
        except FixtureError as exc:
            message = str(exc).replace(str(path), f"fixtures from {args.corpus}")
            print(f"error: {message}", file=sys.stderr)
            return 2
    try:
        results = asyncio.run(replay(app, entries))
    except (KeyError, TypeError, AttributeError) as exc:
        print(f"error: {args.corpus}: an exchange lacks {exc}", file=sys.stderr)
        return 2
    print(table(results))
    return 0 if all(result.matches for result in results) else 1


def _token(request: Mapping[str, Any]) -> str | None:
    scheme, _, token = (request.get("headers") or {}).get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _cell(result: Mapping[str, Any]) -> str:
    fields = ",".join(sorted(result["user_fields"]))
    return f"{result['status']} {result['code'] or '-'}" + (f" [{fields}]" if fields else "")
