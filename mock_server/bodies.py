"""Reading request bodies: the OAuth endpoints' forms, the admin API's JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from .asgi import Receive, Scope

__all__ = ["MAX_BODY_BYTES", "MAX_JSON_DEPTH", "read_form", "read_json"]

MAX_BODY_BYTES = 262_144
"""The longest body the mock reads. More than any form the spec admits can take: seven
strings of 2048 characters, each character up to 12 bytes once percent-encoded."""
MAX_JSON_DEPTH = 32
"""The deepest nesting of arrays and objects a JSON body may have: the admin API's bodies
need 3, and checking a deeper one could exhaust Python's recursion limit."""
FORM = b"application/x-www-form-urlencoded"
JSON = b"application/json"


async def read_form(
    scope: Scope, receive: Receive, fields: Mapping[str, int | None]
) -> dict[str, str] | str:
    """The form's `fields`, each at most as long as `fields` says, or what is wrong with the
    request; other fields are ignored."""
    body = await _read(scope, receive, FORM)
    if isinstance(body, str):
        return body
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return "The request body is not a valid form"
    form: dict[str, str] = {}
    for name, value in pairs:
        if name not in fields:
            continue
        if name in form:
            return f"Parameter given twice: {name}"
        longest = fields[name]
        if longest is not None and len(value) > longest:
            return f"Parameter too long: {name} (at most {longest} characters)"
        form[name] = value
    return form


async def read_json(scope: Scope, receive: Receive) -> tuple[Any, str | None]:
    """The body's JSON value and None, or None and what is wrong with the request."""
    body = await _read(scope, receive, JSON)
    if isinstance(body, str):
        return None, body
    too_deep = f"The request body nests arrays and objects more than {MAX_JSON_DEPTH} deep"
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"The request body is not valid JSON: {exc}"
    except RecursionError:
        return None, too_deep
    return (None, too_deep) if _deeper(value, MAX_JSON_DEPTH) else (value, None)


def _deeper(value: Any, depth: int) -> bool:
    """Whether `value` nests arrays and objects more than `depth` deep (without recursion)."""
    level: list[Any] = [value]
    for _ in range(depth):
        level = [
            child
            for item in level
            if isinstance(item, (dict, list))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
    return any(isinstance(item, (dict, list)) for item in level)


async def _read(scope: Scope, receive: Receive, content_type: bytes) -> bytes | str:
    """The whole body, or what is wrong: another content type, too long, or cut short."""
    content_types = [value for name, value in scope["headers"] if name == b"content-type"]
    if len(content_types) != 1 or content_types[0].split(b";")[0].strip().lower() != content_type:
        return f"Content-Type must be {content_type.decode()}"
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return "The request body did not arrive"
        chunk: bytes = message.get("body", b"")
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return f"The request body is over {MAX_BODY_BYTES} bytes"
        if not message.get("more_body"):
            return body
