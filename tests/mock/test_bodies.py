"""Reading request bodies: forms for OAuth, JSON for the admin API, in chunks or not at all."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mock_server.asgi import Message
from mock_server.bodies import MAX_BODY_BYTES, read_form, read_json

FORM = [(b"content-type", b"application/x-www-form-urlencoded; charset=utf-8")]
FIELDS = {"a": None, "b": None, "c": 3}
JSON = [(b"content-type", b"application/json")]


def read(reader: Any, headers: list[tuple[bytes, bytes]], *messages: Message) -> Any:
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0)

    if reader is read_form:
        return asyncio.run(read_form({"headers": headers}, receive, FIELDS))
    return asyncio.run(reader({"headers": headers}, receive))


def chunk(body: bytes, more: bool = False) -> Message:
    return {"type": "http.request", "body": body, "more_body": more}


def test_a_form_in_chunks() -> None:
    form = read(read_form, FORM, chunk(b"a=1&b=", True), chunk(b"%20two&c="))
    assert form == {"a": "1", "b": " two", "c": ""}


def test_fields_it_does_not_know_are_ignored_even_twice() -> None:
    assert read(read_form, FORM, chunk(b"x=1&a=2&x=%C3%A9&y")) == {"a": "2"}


@pytest.mark.parametrize(
    ("headers", "messages", "problem"),
    [
        ([], [chunk(b"a=1")], "Content-Type must be application/x-www-form-urlencoded"),
        (FORM + FORM, [chunk(b"a=1")], "Content-Type must be application/x-www-form-urlencoded"),
        (FORM, [{"type": "http.disconnect"}], "The request body did not arrive"),
        (FORM, [chunk(b"a" * MAX_BODY_BYTES, True), chunk(b"a")], f"The request body is over {MAX_BODY_BYTES} bytes"),
        (FORM, [chunk(b"a=%FF")], "The request body is not a valid form"),
        (FORM, [chunk(b"a=\xff")], "The request body is not a valid form"),
        (FORM, [chunk(b"a=1&a=2")], "Parameter given twice: a"),
        (FORM, [chunk(b"c=%C3%A9%C3%A9%C3%A9%C3%A9")], "Parameter too long: c (at most 3 characters)"),
    ],
)  # fmt: skip
def test_a_form_refused(
    headers: list[tuple[bytes, bytes]], messages: list[Message], problem: str
) -> None:
    assert read(read_form, headers, *messages) == problem


def test_json() -> None:
    assert read(read_json, JSON, chunk(b'{"a": ', True), chunk(b"[1]}")) == ({"a": [1]}, None)
    assert read(read_json, JSON, chunk(b"nope")) == (
        None,
        "The request body is not valid JSON: Expecting value: line 1 column 1 (char 0)",
    )
    assert read(read_json, FORM, chunk(b"{}")) == (None, "Content-Type must be application/json")
