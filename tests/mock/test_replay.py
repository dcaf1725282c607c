"""`tiktok-mock replay`: the evidence corpus matches the mock; a mismatch fails the run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.corpus import Recorder
from mock_server.embedded import serving
from mock_server.proxy import Proxy
from mock_server.replay import main
from mock_server.server import Options, create_app
from mock_server.spec import document_path
from tests.support.inprocess import memory

EVIDENCE = document_path("evidence.ndjson")
INFO = "/v2/user/info/"


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_evidence_entry_names_its_source_and_strength() -> None:
    entries = lines(EVIDENCE)
    assert len(entries) >= 7
    for entry in entries:
        assert entry["source"] and entry["strength"] in ("docs", "field", "choice")
    queries = [entry["request"]["query"] for entry in entries]
    assert "fields=open_id%2Cunion_id%2Cdisplay_name%2Cavatar_large_url%2Cusername" in queries


def test_the_evidence_corpus_replays_without_a_mismatch() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mock_server", "replay", str(EVIDENCE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = done.stdout.splitlines()
    assert rows[-1] == f"{len(lines(EVIDENCE))} exchanges: {len(lines(EVIDENCE))} match, 0 mismatch"
    assert sum("(status asked for)" in row for row in rows) == 2


def test_a_mismatch_exits_1_and_is_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = lines(EVIDENCE)
    entries[0]["outcome"]["user_fields"]["avatar_url"] = "integer"
    corpus = tmp_path / "c.ndjson"
    corpus.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
    assert main([str(corpus)]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH" in out.splitlines()[1] and out.count("MISMATCH") == 1


def test_the_fixtures_it_builds_are_written_and_load(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures.json"
    assert main([str(EVIDENCE), "--write-fixtures", str(fixtures)]) == 0
    data = json.loads(fixtures.read_text(encoding="utf-8"))
    tokens = data["tokens"]
    assert tokens["act.example12345Example12345Example"]["scopes"] == ["user.info.basic"]
    assert tokens["act.redacted.socialite1198"]["scopes"] == ["user.info.basic"]
    assert "act.redacted.invalid" not in tokens
    user = data["users"][tokens["act.example12345Example12345Example"]["user"]]
    assert user["open_id"] == "723f24d7-e717-40f8-a2b6-cb8464cd23b4"
    served = create_app(Options(fixtures=str(fixtures)))
    assert memory(served).store.find("act.redacted.nostats") is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json\n", "c.ndjson:1: not JSON"),
        ('{"request": {}}\n', "c.ndjson:1: not an exchange"),
        (
            '{"operation": "getUserInfo", "outcome": {},'
            ' "request": {"headers": {"authorization": "Bearer act.x"}}}\n',
            "an exchange lacks 'code'",
        ),
        ('{"operation": "getUserInfo", "request": {}, "outcome": {}}\n', "users: must be"),
    ],
)
def test_a_corpus_it_cannot_use_exits_2(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "c.ndjson"
    corpus.write_text(text, encoding="utf-8")
    assert main([str(corpus)]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_corpus_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "none.ndjson")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_a_corpus_recorded_in_front_of_the_mock_replays_as_it_came(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole loop: the proxy records an app's OAuth flow and user-info requests against
    an upstream (a mock of its own), and the corpus replays against a mock built from it."""
    corpus = tmp_path / "c.ndjson"
    client = {"client_key": "mock_client_key", "client_secret": "mock_client_secret"}
    with serving(create_app(Options())) as upstream:
        proxy = Proxy(create_app(Options()), upstream, timeout=10, recorder=Recorder(corpus))
        with serving(proxy) as url, httpx.Client(base_url=url) as http:
            exchange = {"grant_type": "authorization_code", "code": "code.example",
                        "redirect_uri": "https://app.example/callback"}  # fmt: skip
            tokens = http.post("/v2/oauth/token/", data={**client, **exchange}).json()
            issued = {"Authorization": f"Bearer {tokens['access_token']}"}
            basic = {"Authorization": "Bearer act.mock.basic"}
            http.get(f"{INFO}?fields=open_id,display_name,follower_count", headers=issued)
            http.get(f"{INFO}?fields=open_id%2Cusername", headers=issued)
            http.get(f"{INFO}?fields=open_id", headers=basic)
            http.get(f"{INFO}?fields=follower_count", headers=basic)
            http.get(f"{INFO}?fields=open_id", headers={"Authorization": "Bearer act.unknown"})
            refresh = {
                **client,
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
            }
            renewed = http.post("/v2/oauth/token/", data=refresh).json()
            assert http.post("/v2/oauth/token/", data=refresh).status_code == 400  # used up
            http.post("/v2/oauth/revoke/", data={**client, "token": renewed["access_token"]})
    recorded = lines(corpus)
    assert [line["outcome"]["status"] for line in recorded] == [
        200,
        200,
        200,
        200,
        401,
        401,
        200,
        400,
        200,
    ]
    assert main([str(corpus)]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.splitlines()[-1] == "9 exchanges: 9 match, 0 mismatch"
