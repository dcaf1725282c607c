"""A corpus line: credentials become labels, personal values pseudonyms, the rest stays."""

from __future__ import annotations

import json
import stat
from pathlib import Path

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
