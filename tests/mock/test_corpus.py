"""A corpus line: credentials become labels, personal values pseudonyms, the rest stays."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.corpus import Exchange, Recorder, read_corpus


def test_a_line_and_its_key(tmp_path: Path) -> None:
    path = tmp_path / "c.ndjson"
    recorder = Recorder(path)
    body = {
        "data": {"user": {"open_id": "abc-123", "display_name": "Real Name", "likes_count": 3}},
        "error": {"code": "ok", "message": "", "log_id": "L"},
    }
    exchange = Exchange(
        "getUserInfo",
        "GET",
        "/v2/user/info/",
        b"fields=open_id&token=tok-secret",
        [(b"authorization", b"Bearer act.secret"), (b"cookie", b"c=secret"), (b"accept", b"*/*")],
        None,
        200,
        [(b"x-tt-logid", b"L"), (b"set-cookie", b"s=secret")],
        json.dumps(body).encode(),
        frozenset({"user.info.basic"}),
    )
    recorder.record(exchange)
    recorder.record(exchange)
    recorder.close()
    ((_, first), (_, second)) = list(read_corpus(path))
    assert first == second
    assert "secret" not in path.read_text() and "Real Name" not in path.read_text()
    assert (
        first["request"]["headers"]["accept"] == "*/*"
        and "cookie" not in first["request"]["headers"]
    )
    assert first["request"]["query"].startswith("fields=open_id&token=redacted.")
    user = first["response"]["body"]["data"]["user"]
    assert user["likes_count"] == 3 and len(user["display_name"]) == len("Real Name")
    assert first["response"]["body"]["error"] == body["error"]
    assert first["response"]["headers"] == {"x-tt-logid": "L"}
    assert first["outcome"] == {
        "status": 200,
        "code": "ok",
        "user_fields": {"open_id": "string", "display_name": "string", "likes_count": "integer"},
    }
    assert first["grant"] == {"scopes": ["user.info.basic"]}
    key = path.with_name("c.ndjson.key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    again = Recorder(path)  # a later run keeps the key, so the pseudonyms stay
    assert again.entry(exchange) == first
    again.close()


def test_a_body_that_is_not_json_keeps_only_its_length(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "c.ndjson")
    exchange = Exchange(None, "GET", "/x", b"", [], None, 502, [], b"<html>private</html>", None)
    entry = recorder.entry(exchange)
    recorder.close()
    assert entry["response"]["body"] is None and entry["response"]["bytes"] == 20
    assert entry["outcome"] == {"status": 502, "code": None, "user_fields": {}}


def test_no_string_of_any_user_reaches_a_line(tmp_path: Path) -> None:
    """Whatever the user object holds, undeclared fields and nested values included, none
    of its strings is written, and each keeps its length."""
    recorder = Recorder(tmp_path / "c.ndjson")
    reached: list[int] = []
    names = st.sampled_from(["open_id", "display_name", "username", "bio", "x_new", "links"])
    values = st.recursive(
        st.text(min_size=8, max_size=30)
        .filter(lambda t: sum(c.isalnum() for c in t) >= 4)
        .map(lambda t: "§" + t)  # never one of the corpus's own words
        | st.integers()
        | st.booleans(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
        max_leaves=8,
    )

    @settings(max_examples=150, deadline=None)
    @given(user=st.dictionaries(names, values, min_size=1, max_size=6))
    def check(user: dict[str, Any]) -> None:
        body = {"data": {"user": user}, "error": {"code": "ok", "message": "", "log_id": "L"}}
        exchange = Exchange("getUserInfo", "GET", "/v2/user/info/", b"fields=open_id", [],
                            None, 200, [], json.dumps(body).encode(), None)  # fmt: skip
        line = json.dumps(recorder.entry(exchange), ensure_ascii=False)
        strings = list(_strings(user))
        for text in strings:
            assert json.dumps(text, ensure_ascii=False) not in line  # as a JSON string
        reached.append(len(strings))

    check()
    recorder.close()
    assert len(reached) == 150 and sum(1 for count in reached if count) >= 60


def _strings(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
