"""Contract coverage: the spec's answers and links, counted in schemathesis's NDJSON reports."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from mock_server.contract_suite.coverage import Answer, Link, documented, reached
from mock_server.spec import response_examples


def interaction(method: str, path: str, status: int, body: Any) -> dict[str, Any]:
    content = base64.b64encode(json.dumps(body).encode()).decode()
    return {
        "request": {"method": method, "uri": f"http://127.0.0.1:1{path}?x=1"},
        "response": {"status_code": status, "content": {"$base64": content}},
    }


def report(tmp_path: Path, interactions: list[dict[str, Any]], transition: str = "") -> Path:
    case = {"is_transition_applied": bool(transition), "transition": {"id": transition}}
    recorder = {
        "cases": {"a": case},
        "interactions": {str(n): item for n, item in enumerate(interactions)},
    }
    path = tmp_path / f"{len(list(tmp_path.iterdir()))}.ndjson"
    lines = [{"Initialize": {}}, {"ScenarioFinished": {"recorder": recorder}}]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    return path


def test_documented_answers_are_the_spec_examples_codes(document: dict[str, Any]) -> None:
    coverage = documented(document)
    user_info = document["paths"]["/v2/user/info/"]["get"]
    codes = {
        (str(example.status), example.value["error"]["code"])
        for example in response_examples(user_info)
    }
    assert {(a.status, a.code) for a in coverage.answers if a.operation == "getUserInfo"} == codes
    # A response without examples of error codes is one answer with no code.
    assert Answer("revokeAccessToken", "200", None) in coverage.answers
    assert Answer("revokeAccessToken", "429", "temporarily_unavailable") in coverage.answers
    assert set(coverage.links) == {
        Link("fetchAccessToken", "200", name, target)
        for name, target in [
            ("GetUserInfo", "getUserInfo"),
            ("RefreshAccessToken", "fetchAccessToken"),
            ("RevokeAccessToken", "revokeAccessToken"),
        ]
    }
    assert len(coverage.unreached) == len(coverage.answers) + len(coverage.links)


def test_reached_counts_each_run(document: dict[str, Any], tmp_path: Path) -> None:
    ok = {"data": {}, "error": {"code": "ok", "message": "", "log_id": "x"}}
    first = report(
        tmp_path,
        [
            interaction("GET", "/v2/user/info/", 200, ok),
            interaction("GET", "/v2/user/info/", 200, ok),
            interaction("POST", "/v2/oauth/token/", 401, {"error": "invalid_client"}),
            interaction("POST", "/v2/oauth/token/", 418, {"error": "teapot"}),
            interaction("GET", "/elsewhere", 404, {}),
        ],
        "POST /v2/oauth/token/ -> [200] GetUserInfo -> GET /v2/user/info/",
    )
    second = report(tmp_path, [interaction("GET", "/v2/user/info/", 200, ok)])
    coverage = reached(document, {"one": [first], "two": [second]})
    assert coverage.answers[Answer("getUserInfo", "200", "ok")] == {"one": 2, "two": 1}
    assert coverage.answers[Answer("fetchAccessToken", "401", "invalid_client")] == {"one": 1}
    assert coverage.links[Link("fetchAccessToken", "200", "GetUserInfo", "getUserInfo")] == {
        "one": 1
    }
    assert coverage.other == {Answer("fetchAccessToken", "418", "teapot"): 1}
    assert "getUserInfo 500 internal_error" in coverage.unreached
    assert "getUserInfo 200 ok" not in coverage.unreached
    table = coverage.table()
    assert table.splitlines()[0].split() == ["operation", "status", "error", "code", "/", "link",
                                             "one", "two"]  # fmt: skip
    assert "NOT REACHED: fetchAccessToken 200 link RevokeAccessToken -> revokeAccessToken" in table
    assert f"3/{len(coverage.answers) + len(coverage.links)} documented" in table
    assert "not documented, judged by the checks: fetchAccessToken 418 teapot (1)" in table


def test_a_scenario_that_recorded_nothing(document: dict[str, Any], tmp_path: Path) -> None:
    """A scenario can end before any request (an error of its own): it counts nothing."""
    path = tmp_path / "empty.ndjson"
    path.write_text(json.dumps({"ScenarioFinished": {"recorder": {}}}), encoding="utf-8")
    coverage = reached(document, {"one": [path]})
    assert len(coverage.unreached) == len(coverage.answers) + len(coverage.links)
