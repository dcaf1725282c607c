"""The README's Python examples run as written, and pass mypy strict."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import httpx
import pytest
from mypy import api as mypy_api

from mock_server.spec import operation, response_examples

from seeds import EXAMPLE_TOKEN

README = Path(__file__).parent.parent / "README.md"
ALL_BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
BLOCKS = [block for block in ALL_BLOCKS if not block.startswith("# test_")]
"""The examples that run as scripts; those starting `# test_` are test files for pytest."""
TEST_FILES = [block for block in ALL_BLOCKS if block.startswith("# test_")]


@pytest.fixture
def tiktok(monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]) -> list[httpx.Request]:
    """Route every httpx transport to a stand-in for TikTok answering the spec's example user."""
    examples = {e.name: e.value for e in response_examples(operation(document))}
    user = {**examples["ok_with_stats"]["data"]["user"], "username": "example.user"}
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        fields = request.url.params["fields"].split(",")
        body = {**examples["ok"], "data": {"user": {name: user[name] for name in fields}}}
        return httpx.Response(200, json=body)

    async def answer_async(_: Any, request: httpx.Request) -> httpx.Response:
        return answer(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", lambda _, request: answer(request))
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", answer_async)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", EXAMPLE_TOKEN)
    return seen


def test_the_readme_has_a_sync_and_an_async_example() -> None:
    assert len(BLOCKS) == 2
    assert "asyncio.run" in BLOCKS[1] and "asyncio" not in BLOCKS[0]


@pytest.mark.parametrize("block", BLOCKS, ids=["sync", "async"])
def test_example_runs(
    block: str,
    tiktok: list[httpx.Request],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = tmp_path / "example.py"
    script.write_text(block, encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")
    (request,) = tiktok
    assert request.url.host == "open.tiktokapis.com"
    assert request.headers["authorization"] == f"Bearer {EXAMPLE_TOKEN}"
    out = capsys.readouterr().out
    if "asyncio.run" not in block:
        assert request.url.raw_path == b"/v2/user/info/?fields=open_id,display_name,follower_count"
        assert out == "['user.info.basic', 'user.info.stats']\nUser Name 100\n"
    else:
        assert out == "example.user\n"


def test_examples_pass_mypy_strict(tmp_path: Path) -> None:
    paths = []
    for number, block in enumerate(BLOCKS):
        path = tmp_path / f"example_{number}.py"
        path.write_text(block, encoding="utf-8")
        paths.append(str(path))
    out, err, status = mypy_api.run(["--strict", "--no-incremental", *paths])
    assert status == 0, out + err


def test_the_default_tokens_table_is_the_fixtures(document: dict[str, Any]) -> None:
    from mock_server.contract import Contract
    from mock_server.fixtures import load_fixtures

    text = README.read_text(encoding="utf-8")
    table = text.split("### Default tokens", 1)[1].split("\n\n")[2]
    rows = {}
    for line in table.splitlines()[2:]:
        token, _user, scopes = (cell.strip() for cell in line.strip("|").split("|"))
        rows[token.strip("`")] = scopes
    grants = load_fixtures(Contract.from_document(document)).grants
    assert set(rows) == set(grants)
    for token, grant in grants.items():
        if grant.expired:
            assert rows[token].startswith("expired")
        else:
            assert rows[token] == " ".join(f"`{scope}`" for scope in sorted(grant.scopes))


def test_the_fixtures_example_loads(document: dict[str, Any], tmp_path: Path) -> None:
    from mock_server.contract import Contract
    from mock_server.fixtures import load_fixtures

    (example,) = re.findall(r"```yaml\n(users:.*?)```", README.read_text(encoding="utf-8"), re.S)
    path = tmp_path / "fixtures.yaml"
    path.write_text(example, encoding="utf-8")
    grants = load_fixtures(Contract.from_document(document), path).grants
    assert grants["act.alice.token"].user["display_name"] == "Alice"
