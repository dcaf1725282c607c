"""Reading an `application/x-www-form-urlencoded` request body, as the OAuth endpoints take."""

from __future__ import annotations

from urllib.parse import parse_qsl

from .asgi import Receive, Scope

__all__ = ["MAX_FORM_BYTES", "read_form"]

MAX_FORM_BYTES = 16_384
FORM = b"application/x-www-form-urlencoded"


async def read_form(scope: Scope, receive: Receive) -> dict[str, str] | str:
    """The form's fields, or what is wrong with the request."""
    content_types = [value for name, value in scope["headers"] if name == b"content-type"]
    if len(content_types) != 1 or content_types[0].split(b";")[0].strip().lower() != FORM:
        return "Content-Type must be application/x-www-form-urlencoded"
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return "The request body did not arrive"
        body += message.get("body", b"")
        if len(body) > MAX_FORM_BYTES:
            return f"The request body is over {MAX_FORM_BYTES} bytes"
        if not message.get("more_body"):
            break
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return "The request body is not a valid form"
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            return f"Parameter given twice: {name}"
        form[name] = value
    return form
