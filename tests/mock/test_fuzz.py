"""Bounded fuzz runs of the request handling: any bytes in, a documented answer out, and no
5xx unless one was asked for. Each run counts the examples that reached what it fuzzes."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator

from mock_server.faults import FAULTS
from mock_server.prefer import Preference, parse_prefer
from mock_server.server import Options, create_app
from mock_server.spec import load_document
from tests.support.inprocess import call
from tests.support.strategies import (
    content_types,
    form_bodies,
    headers,
    methods,
    paths,
    prefers,
    queries,
)

APP = create_app(Options(rate_limit=0))
"""Rate limit off: it is not the subject, and would turn every later request into a 429."""
DOCUMENT = load_document()
ENVELOPE = DOCUMENT["components"]["schemas"]["UserInfoResponse"]
OPERATIONS = {path: item["post"] for path, item in DOCUMENT["paths"].items() if "post" in item}
EXAMPLES = 600


def asked_for_a_500(header_list: list[tuple[bytes, bytes]], path: str) -> bool:
    """Whether the request's `Prefer` forces a 500 (the oracle: the parser, read by the test)."""
    operation = APP.contract.user_info if path == "/v2/user/info/" else None
    preference = parse_prefer(header_list, operation, FAULTS)
    return isinstance(preference, Preference) and (
        preference.error is not None and preference.error.status == 500
    )


def test_any_request_gets_a_documented_envelope() -> None:
    reached: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
    @given(method=methods, path=paths, query=queries, header_list=headers)
    def run(method: str, path: str, query: bytes, header_list: list[tuple[bytes, bytes]]) -> None:
        scope_path = path.encode("utf-8", "surrogatepass")
        response = call(APP, method, scope_path + b"?" + query, header_list)
        status = response.status_code
        if status == 502:  # Prefer: fault=html asked for the proxy's page
            assert b"fault=html" in b",".join(v for n, v in header_list if n == b"prefer")
            reached["fault"] += 1
            return
        assert status in {200, 400, 401, 404, 405, 429} or (
            status == 500 and asked_for_a_500(header_list, path)
        ), (status, response.content)
        envelope = json.loads(response.content)
        assert not list(OAS30Validator(ENVELOPE).iter_errors(envelope))
        assert response.headers["x-tt-logid"] == envelope["error"]["log_id"]
        assert (envelope["error"]["code"] == "ok") == (status == 200)
        code = envelope["error"]["code"]
        if code in ("ok", "scope_not_authorized") or (
            code == "invalid_params" and not envelope["error"]["message"].startswith("Prefer")
        ):
            reached["fields parsed"] += 1
        if envelope["error"]["message"].startswith("Prefer"):
            reached["Prefer refused"] += 1

    run()
    # Some of these arbitrary requests get past the path, the method and the token to the
    # `fields` parser, and some are refused by the `Prefer` parser; the tests below aim at
    # each of them.
    assert reached["fields parsed"] >= EXAMPLES // 50, reached
    assert reached["Prefer refused"] >= EXAMPLES // 50, reached


def test_any_query_reaches_the_fields_parser() -> None:
    reached: Counter[str] = Counter()
    authorization = [(b"authorization", b"Bearer act.mock.profile")]

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
    @given(query=queries | st.binary(max_size=300))
    def run(query: bytes) -> None:
        response = call(APP, "GET", b"/v2/user/info/?" + query, authorization)
        envelope = json.loads(response.content)
        assert not list(OAS30Validator(ENVELOPE).iter_errors(envelope))
        outcome = (response.status_code, envelope["error"]["code"])
        assert outcome in {(200, "ok"), (400, "invalid_params"), (401, "scope_not_authorized")}
        reached[outcome[1]] += 1

    run()
    assert sum(reached.values()) == EXAMPLES  # every one of them reached the parser
    assert min(reached.values()) >= EXAMPLES // 50, reached  # and each of its outcomes


def test_any_prefer_header_is_honoured_or_refused_never_a_500_unasked() -> None:
    reached: Counter[str] = Counter()
    authorization = (b"authorization", b"Bearer act.mock.profile")

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
    @given(prefer=prefers | st.binary(max_size=40).filter(lambda v: b"delay" not in v))
    def run(prefer: bytes) -> None:
        header_list = [authorization, (b"prefer", prefer)]
        response = call(APP, "GET", b"/v2/user/info/?fields=open_id", header_list)
        preference = parse_prefer(header_list, APP.contract.user_info, FAULTS)
        if isinstance(preference, str):
            assert response.status_code == 400
            assert json.loads(response.content)["error"]["message"] == preference
            reached["refused"] += 1
        elif preference.fault is not None:
            assert response.status_code == 502  # html: the others need a socket
            reached["fault"] += 1
        elif preference.error is not None:
            assert response.status_code == preference.error.status
            reached["forced"] += 1
        else:
            assert response.status_code == 200
            reached["normal"] += 1

    run()
    assert min(reached[outcome] for outcome in ("refused", "forced", "normal")) >= 20, reached


def test_any_form_gets_a_documented_oauth_answer() -> None:
    reached: Counter[str] = Counter()

    @settings(max_examples=300, derandomize=True, deadline=None, database=None)
    @given(
        path=st.sampled_from(["/v2/oauth/token/", "/v2/oauth/revoke/"]),
        body=form_bodies,
        content_type=content_types,
    )
    def run(path: str, body: bytes, content_type: bytes) -> None:
        response = call(APP, "POST", path, [(b"content-type", content_type)], body)
        documented = OPERATIONS[path]["responses"][str(response.status_code)]
        assert response.status_code < 500
        schema = documented["content"]["application/json"]["schema"]
        answer: Any = json.loads(response.content)
        assert not list(OAS30Validator(schema).iter_errors(answer))
        if response.status_code == 200 or answer.get("error") not in (None, "invalid_request"):
            reached["past the form checks"] += 1

    run()
    assert reached["past the form checks"] >= 30, reached
