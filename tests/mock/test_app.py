"""The app's routing, and what every API request goes through: `Prefer`, scenarios, drawn
faults, latency and the journal; driven in-process."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from mock_server.app import MockApp
from mock_server.server import Options, create_app
from mock_server.spec import response_examples
from tests.support.inprocess import call, error_of
from tests.support.seeds import EXAMPLE_TOKEN as SEED_TOKEN
from tests.support.specs import operation

PATH = "/v2/user/info/"
TARGET = f"{PATH}?fields=open_id"
TOKEN_FORM = "/v2/oauth/token/"
CLIENT = {"client_key": "mock_client_key", "client_secret": "mock_client_secret"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def get(app: MockApp, target: str = TARGET, **headers: str) -> httpx.Response:
    headers.setdefault("Authorization", f"Bearer {SEED_TOKEN}")
    return call(app, "GET", target, headers)


def post_token(app: MockApp, form: str, **headers: str) -> httpx.Response:
    return call(app, "POST", TOKEN_FORM, {**FORM, **headers}, form.encode())


def test_unknown_path_is_404_in_the_envelope(app: MockApp) -> None:
    for target in ("/", "/v2/user/info", "/v2/user/info/x", "/v2/user/", "/__mock"):
        assert error_of(get(app, target))[:2] == (404, "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"])
def test_other_methods_are_405_with_allow(app: MockApp, method: str) -> None:
    response = call(app, method, TARGET, {"Authorization": f"Bearer {SEED_TOKEN}"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert error_of(response)[1] == "method_not_allowed"


def test_404_and_405_answers_are_the_envelope(app: MockApp, document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["UserInfoResponse"]
    for response in (get(app, "/nowhere"), call(app, "POST", PATH)):
        assert not list(OAS30Validator(schema).iter_errors(response.json()))
        assert response.headers["x-tt-logid"] == response.json()["error"]["log_id"]


@pytest.mark.parametrize(
    ("prefer", "expected"),
    [
        ("code=429", (429, "rate_limit_exceeded")),
        ("code=500", (500, "internal_error")),
        ("code=400", (400, "invalid_params")),
        ("code=401", (401, "access_token_invalid")),
        ("error=scope_not_authorized", (401, "scope_not_authorized")),
        ("error=scope_permission_missed", (400, "scope_permission_missed")),
        ("error=invalid_params_unknown_field", (400, "invalid_params")),
        ('error="internal_error", delay=0', (500, "internal_error")),
    ],
)
def test_prefer_forces_a_documented_error(
    app: MockApp, document: dict[str, Any], prefer: str, expected: tuple[int, str]
) -> None:
    response = get(app, Prefer=prefer)
    assert error_of(response)[:2] == expected
    examples = response_examples(operation(document))
    assert response.json()["error"]["message"] in {e.value["error"]["message"] for e in examples}


def test_prefer_code_200_answers_normally(app: MockApp) -> None:
    assert get(app, Prefer="code=200").status_code == 200


@pytest.mark.parametrize(
    ("prefer", "message"),
    [
        ("code=418", "Prefer: code=418 is not a documented status here (200, 400, 401, 429, 500)"),
        ("code=abc", "Prefer: code=abc is not a documented status"),
        ("code=4\u00b2\u00b2", "Prefer must be printable ASCII"),
        ("error=teapot", "Prefer: error=teapot is not a documented error here"),
        ("error=invalid_grant", "Prefer: error=invalid_grant is not a documented error here"),
        ("fault=explode", "Prefer: fault=explode is not a fault (reset, empty, truncated, garbage, html, hang)"),
        ("delay=-5", "Prefer: delay=-5 must be whole milliseconds from 0 to 60000"),
        ("delay=60001", "Prefer: delay=60001 must be whole milliseconds"),
        ("delay=\u0661", "Prefer must be printable ASCII"),
        ("dynamic=true", "Prefer: dynamic is not supported (code, error, fault and delay are)"),
    ],
)  # fmt: skip
def test_prefer_refuses_what_it_cannot_honour(app: MockApp, prefer: str, message: str) -> None:
    headers = [
        (b"authorization", f"Bearer {SEED_TOKEN}".encode()),
        (b"prefer", prefer.encode("utf-8")),
    ]
    status, code, said = error_of(call(app, "GET", TARGET, headers))
    assert (status, code) == (400, "invalid_params")
    assert said.startswith(message)


def test_prefer_on_the_oauth_endpoints_answers_in_oauths_shape(app: MockApp) -> None:
    body = "grant_type=authorization_code&code=code.example&redirect_uri=https://x&" + "&".join(
        f"{k}={v}" for k, v in CLIENT.items()
    )
    assert post_token(app, body).status_code == 200
    for prefer, status, error in [
        ("code=429", 429, "temporarily_unavailable"),
        ("code=500", 500, "server_error"),
        ("error=invalid_grant", 400, "invalid_grant"),
        ("code=401", 401, "invalid_client"),
        ("error=scope_not_authorized", 400, "invalid_request"),
    ]:
        response = post_token(app, body, Prefer=prefer)
        answer = response.json()
        assert (response.status_code, answer["error"]) == (status, error), prefer
        assert answer["log_id"] == response.headers["x-tt-logid"]


def test_fault_rate_is_reproducible_for_a_seed() -> None:
    def statuses(seed: int) -> list[int]:
        app = create_app(Options(rate_limit=0, fault_rate=0.3, seed=seed))
        return [get(app).status_code for _ in range(200)]

    first = statuses(7)
    assert first == statuses(7)
    assert first != statuses(8)
    assert set(first) == {200, 429, 500}
    assert 30 <= first.count(429) + first.count(500) <= 90


def test_the_fault_mix_picks_what_is_drawn() -> None:
    app = create_app(Options(rate_limit=0, fault_rate=1.0, fault_mix="500", seed=1))
    assert {get(app).status_code for _ in range(20)} == {500}
    oauth = post_token(app, "grant_type=refresh_token")
    assert (oauth.status_code, oauth.json()["error"]) == (500, "server_error")
    html = create_app(Options(fault_rate=1.0, fault_mix="html"))
    page = get(html)
    assert (page.status_code, page.headers["content-type"]) == (502, "text/html")
    assert "x-tt-logid" not in page.headers


def test_a_scenario_answers_the_next_matching_requests_then_stops(app: MockApp) -> None:
    app.admin.add_scenario({"operation": "getUserInfo", "error": "rate_limit_exceeded", "times": 2})
    assert [get(app).status_code for _ in range(3)] == [429, 429, 200]
    assert app.state.scenarios.pending() == []


def test_a_scenario_for_a_token_spares_the_others(app: MockApp) -> None:
    app.admin.add_scenario(
        {"operation": "getUserInfo", "token": "act.mock.basic", "error": "internal_error"}
    )
    assert get(app).status_code == 200
    assert get(app, Authorization="Bearer act.mock.basic").status_code == 500
    assert get(app, Authorization="Bearer act.mock.basic").status_code == 200


def test_prefer_comes_before_a_scenario(app: MockApp) -> None:
    app.admin.add_scenario({"operation": "getUserInfo", "error": "internal_error"})
    assert get(app, Prefer="code=429").status_code == 429  # and the scenario is spent
    assert get(app).status_code == 200


def test_a_scenario_of_an_oauth_operation_matches_the_forms_token(app: MockApp) -> None:
    app.admin.add_scenario(
        {"operation": "revokeAccessToken", "token": "act.x", "error": "server_error"}
    )
    form = "&".join(f"{k}={v}" for k, v in CLIENT.items())
    revoke = "/v2/oauth/revoke/"
    assert call(app, "POST", revoke, FORM, f"{form}&token=act.y".encode()).status_code == 200
    failed = call(app, "POST", revoke, FORM, f"{form}&token=act.x".encode())
    assert (failed.status_code, failed.json()["error"]) == (500, "server_error")


def test_a_scenario_delay_and_the_latency_option(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("mock_server.app.asyncio.sleep", sleep)
    app = create_app(Options(rate_limit=0, latency="uniform:10-20", seed=3))
    app.admin.add_scenario({"operation": "getUserInfo", "delay_ms": 250})
    get(app)
    get(app, Prefer="delay=40")
    get(app)
    assert slept[:2] == [0.25, 0.04]
    assert 0.01 <= slept[2] <= 0.02


def test_a_request_answered_after_a_reset_stays_out_of_the_journal(
    app: MockApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test that gave up on a slow answer leaves nothing in the next test's journal."""

    async def reset_while_waiting(seconds: float) -> None:
        app.state.reset()

    monkeypatch.setattr("mock_server.app.asyncio.sleep", reset_while_waiting)
    assert get(app, Prefer="delay=1000").status_code == 200
    assert app.admin.requests() == []
    get(app)  # arrived after the reset: kept
    assert len(app.admin.requests()) == 1


def test_the_journal_records_api_requests_redacted_and_not_admin_ones(app: MockApp) -> None:
    get(app, Authorization="Bearer act.secret-token")
    form = "grant_type=authorization_code&code=code.example&client_key=k&client_secret=s"
    log_id = post_token(app, form).headers["x-tt-logid"]
    call(app, "GET", "/__mock/health")
    first, second = app.admin.requests()
    assert (first.method, first.path, first.query, first.status) == (
        "GET",
        PATH,
        "fields=open_id",
        401,
    )
    assert first.headers["authorization"] == "Bearer <redacted>"
    assert first.operation == "getUserInfo" and first.form is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first.time)
    assert second.form == {
        "grant_type": "authorization_code", "code": "<redacted>", "client_key": "k",
        "client_secret": "<redacted>",
    }  # fmt: skip
    assert (second.status, second.log_id) == (401, log_id)
    assert "act.secret-token" not in repr(app.admin.requests())


def test_an_unexpected_failure_is_the_operations_documented_500(
    app: MockApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("act.secret-token")

    monkeypatch.setattr(app.user_info, "answer", broken)
    monkeypatch.setattr(app.oauth, "token", broken)
    assert error_of(get(app))[:2] == (500, "internal_error")
    oauth = post_token(app, "grant_type=refresh_token")
    assert (oauth.status_code, oauth.json()["error"]) == (500, "server_error")
    assert "RuntimeError" in caplog.text and "act.secret-token" not in caplog.text


def test_with_several_workers_the_oauth_endpoints_refuse() -> None:
    app = create_app(Options(workers=2))
    response = post_token(app, "grant_type=refresh_token")
    assert response.status_code == 501
    assert response.json()["error"] == "single_worker_only"
    assert "--workers 1" in response.json()["error_description"]
    authorize = call(app, "GET", "/v2/auth/authorize/?client_key=mock_client_key")
    assert authorize.status_code == 501
    assert get(app).status_code == 200  # user info keeps working


def test_the_docs_fault_and_latency_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--fault-rate 0.05 --fault-mix 429,500,reset=2 --latency lognormal:120:0.5 --seed 7`."""
    import statistics

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("mock_server.app.asyncio.sleep", sleep)
    options = Options(
        rate_limit=0,
        fault_rate=0.05,
        fault_mix="429,500,reset=2",
        latency="lognormal:120:0.5",
        seed=7,
    )
    first, second = create_app(options), create_app(options)
    statuses = [get(first).status_code for _ in range(4000)]
    assert statuses == [get(second).status_code for _ in range(4000)]  # the same for the seed
    faults = len(statuses) - statuses.count(200)
    assert 0.04 <= faults / len(statuses) <= 0.06
    resets = statuses.count(501)  # in-process, a reset has no connection to break
    for status in (429, 500):
        assert 1.4 <= resets / statuses.count(status) <= 2.8  # twice as often as each
    assert 0.11 <= statistics.median(slept) <= 0.13


def test_lifespan_starts_and_stops_and_stopping_releases_hangs() -> None:
    import asyncio

    app = create_app(Options())
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, str]] = []

    async def receive() -> dict[str, str]:
        return messages.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    assert app.faults._released is not None and app.faults._released.is_set()


def test_the_journal_keeps_journal_size_requests() -> None:
    app = create_app(Options(journal_size=2))
    for _ in range(3):
        get(app)
    assert len(app.admin.requests()) == 2


def test_a_mock_built_directly_opens_its_admin_api() -> None:
    from mock_server.app import MockApp

    built = create_app(Options())
    app = MockApp(built.contract, built.state.store.fixtures)
    assert call(app, "POST", "/__mock/reset").status_code == 204


def test_reset_empties_the_rate_limit_windows() -> None:
    app = create_app(Options(rate_limit=1))
    assert [get(app).status_code for _ in range(2)] == [200, 429]
    app.state.reset()
    assert get(app).status_code == 200


def test_what_the_journal_keeps_of_a_404_a_bad_form_and_a_fault(app: MockApp) -> None:
    get(app, "/nowhere")
    post_token(app, "grant_type=%FF")
    get(app, Prefer="fault=reset")  # in-process there is no connection to reset: a 501
    nowhere, bad_form, fault = app.admin.requests()
    assert (nowhere.status, nowhere.operation, nowhere.form) == (404, None, None)
    assert (bad_form.status, bad_form.operation, bad_form.form) == (400, "fetchAccessToken", None)
    assert (fault.status, fault.operation, fault.fault, fault.log_id) == (
        None,
        "getUserInfo",
        "reset",
        None,
    )
    refused = post_token(app, "grant_type=refresh_token&client_key=k", Prefer="fault=empty")
    assert refused.status_code == 501
    assert app.admin.requests()[-1].form == {"grant_type": "refresh_token", "client_key": "k"}


def test_the_debug_log_names_method_path_status_and_log_id_only(
    app: MockApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="mock_server")
    response = get(app, Authorization="Bearer act.secret-token")
    page = get(app, Authorization="Bearer act.secret-token", Prefer="fault=html")
    assert page.status_code == 502  # a network fault: no log id to name
    assert caplog.messages == [
        f"GET {PATH} -> 401 (log_id {response.headers['x-tt-logid']})",
        f"GET {PATH} -> fault html",
    ]


def test_an_unexpected_failure_is_logged_by_method_and_path(
    app: MockApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("act.secret-token")

    monkeypatch.setattr(app.user_info, "answer", broken)
    get(app)
    assert caplog.messages == [f"internal error answering GET {PATH}: RuntimeError"]


def test_the_single_worker_refusal_carries_its_log_id() -> None:
    response = post_token(create_app(Options(workers=2)), "grant_type=refresh_token")
    body = response.json()
    assert body["log_id"] == response.headers["x-tt-logid"]
    assert body["error_description"] == (
        "This mock runs 2 worker processes, each with its own state: "
        "the OAuth flow needs --workers 1"
    )


def test_latency_applies_to_a_forced_answer_too(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("mock_server.app.asyncio.sleep", sleep)
    app = create_app(Options(latency="40"))
    assert get(app, Prefer="code=429").status_code == 429
    app.admin.add_scenario({"operation": "getUserInfo", "error": "internal_error"})
    assert get(app).status_code == 500
    assert slept == [0.04, 0.04]


def test_prefer_and_scenarios_come_before_the_draw() -> None:
    app = create_app(Options(rate_limit=0, fault_rate=1.0, fault_mix="500"))
    assert get(app, Prefer="code=429").status_code == 429
    assert get(app, Prefer="fault=html").status_code == 502
    app.admin.add_scenario({"operation": "getUserInfo", "fault": "html"})
    assert get(app).status_code == 502
    assert get(app).status_code == 500


def test_a_prefer_the_consent_page_cannot_honour(app: MockApp) -> None:
    response = call(
        app, "GET", "/v2/auth/authorize/?client_key=mock_client_key", {"Prefer": "code=418"}
    )
    body = response.json()
    assert (response.status_code, body["error"], body["error_description"]) == (
        400, "invalid_request", "Prefer: code=418 is not a documented status here (200)",
    )  # fmt: skip
    assert body["log_id"] == response.headers["x-tt-logid"]


def test_prefer_comes_before_a_queued_fault() -> None:
    app = create_app(Options(rate_limit=0))
    app.admin.add_scenario({"operation": "getUserInfo", "fault": "html"})
    assert error_of(get(app, Prefer="error=rate_limit_exceeded"))[:2] == (
        429,
        "rate_limit_exceeded",
    )
    assert app.state.scenarios.pending() == []  # the scenario was taken all the same


def test_prefer_code_200_is_the_operations_own_answer_whatever_else_forces() -> None:
    app = create_app(Options(rate_limit=0, fault_rate=1.0, fault_mix="500", seed=1))
    app.admin.add_scenario({"operation": "getUserInfo", "error": "internal_error"})
    assert get(app, Prefer="code=200").status_code == 200
    assert get(app, Prefer="code=200").status_code == 200  # over the draw, the scenario gone
    assert get(app).status_code == 500


def test_each_operation_is_answered_by_its_own_handler() -> None:
    """A form-bodied operation is not taken for another: revoke answers revoke's way."""
    app = create_app(Options(rate_limit=0))
    revoked = call(app, "POST", "/v2/oauth/revoke/", FORM, b"client_key=x&client_secret=y&token=t")
    assert (revoked.status_code, revoked.json()["error"]) == (401, "invalid_client")
    missing = call(app, "POST", "/v2/oauth/revoke/", FORM, b"client_key=x&client_secret=y")
    assert missing.json()["error_description"] == "Missing parameter: token"


def test_every_operation_has_a_handler_and_every_handler_an_operation() -> None:
    from mock_server.handlers import check_handlers, handlers

    app = create_app(Options())
    found = handlers(app.user_info, app.oauth)
    check_handlers(found, app.contract)
    with pytest.raises(ValueError, match=r"without a handler: \['getUserInfo'\]"):
        check_handlers({k: v for k, v in found.items() if k != "getUserInfo"}, app.contract)
    with pytest.raises(ValueError, match=r"without an operation: \['deleteUser'\]"):
        check_handlers({**found, "deleteUser": found["getUserInfo"]}, app.contract)
