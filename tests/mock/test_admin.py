"""The admin API under /__mock/, driven in-process as an app in another language drives it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import yaml

from mock_server.app import MockApp
from mock_server.bodies import MAX_BODY_BYTES, MAX_JSON_DEPTH
from mock_server.faults import FAULTS
from mock_server.scenarios import MAX_SCENARIOS, Scenario
from mock_server.server import Options, create_app
from mock_server.spec import SPEC_PATH, document_path
from tests.support.inprocess import call
from tests.support.seeds import EXAMPLE_TOKEN

ADMIN_SPEC = document_path("tiktok-mock-admin.yaml")
JSON = {"content-type": "application/json"}
TOO_DEEP = f"The request body nests arrays and objects more than {MAX_JSON_DEPTH} deep"


def admin(
    app: MockApp, method: str, route: str, body: Any = None, **headers: str
) -> httpx.Response:
    content = b"" if body is None else json.dumps(body).encode()
    return call(app, method, f"/__mock/{route}", {**JSON, **headers}, content)


def user_info(app: MockApp, token: str, fields: str = "open_id") -> httpx.Response:
    return call(app, "GET", f"/v2/user/info/?fields={fields}", {"Authorization": f"Bearer {token}"})


def test_health_gives_the_version(app: MockApp) -> None:
    response = admin(app, "GET", "health")
    version = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))["info"]["version"]
    assert (response.status_code, response.json()) == (200, {"status": "ok", "version": version})


def test_a_token_added_works_until_removed(app: MockApp) -> None:
    body = {"token": "act.alice", "user": {"open_id": "alice-1", "follower_count": 7},
            "scopes": ["user.info.basic", "user.info.stats"]}  # fmt: skip
    added = admin(app, "POST", "tokens", body)
    assert (added.status_code, added.json()) == (
        201,
        {"token": "act.alice", "scopes": ["user.info.basic", "user.info.stats"], "expired": False},
    )
    reply = user_info(app, "act.alice", "open_id,follower_count").json()
    assert reply["data"]["user"] == {"open_id": "alice-1", "follower_count": 7}
    assert admin(app, "DELETE", "tokens/act.alice").status_code == 204
    assert user_info(app, "act.alice").status_code == 401
    gone = admin(app, "DELETE", "tokens/act.alice")
    assert (gone.status_code, gone.json()["error"]) == (404, "not_found")


def test_a_token_is_as_long_as_the_oauth_forms_take_it(
    app: MockApp, document: dict[str, Any]
) -> None:
    """The longest token the admin API adds is the longest `revokeAccessToken` takes, so each
    one can be revoked, and removed by its URL; the admin spec says so by referring to it."""
    revoked = document["components"]["schemas"]["RevokeRequest"]["properties"]["token"]
    longest = revoked["maxLength"]
    token, user = "act." + "x" * (longest - 4), {"open_id": "long"}
    assert admin(app, "POST", "tokens", {"token": token, "user": user}).status_code == 201
    assert user_info(app, token).status_code == 200
    form = f"client_key=mock_client_key&client_secret=mock_client_secret&token={token}"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert call(app, "POST", "/v2/oauth/revoke/", headers, form.encode()).status_code == 200
    assert user_info(app, token).status_code == 401
    admin(app, "POST", "tokens", {"token": token, "user": user})
    assert admin(app, "DELETE", f"tokens/{token}").status_code == 204
    refused = admin(app, "POST", "tokens", {"token": token + "x", "user": user})
    assert (refused.status_code, refused.json()["problems"]) == (
        400,
        [f"token: a token must be at most {longest} characters, as the OAuth forms take it"],
    )
    scenario = {"operation": "getUserInfo", "fault": "reset", "token": token + "x"}
    refused = admin(app, "POST", "scenarios", scenario)
    assert refused.json()["problems"] == [
        f"token: must be a non-empty string of at most {longest} characters"
    ]
    admin_spec = yaml.safe_load(ADMIN_SPEC.read_text(encoding="utf-8"))
    schemas = admin_spec["components"]["schemas"]
    reference = {"$ref": "tiktok-user-info.yaml#/components/schemas/RevokeRequest/properties/token"}
    assert schemas["NewToken"]["properties"]["token"]["allOf"] == [reference]
    assert schemas["ScenarioToken"]["allOf"] == [reference]
    (path_token,) = admin_spec["paths"]["/__mock/tokens/{token}"]["delete"]["parameters"]
    assert path_token["schema"] == reference


def test_an_expired_token_and_the_default_scope(app: MockApp) -> None:
    admin(app, "POST", "tokens", {"token": "act.old", "user": {"open_id": "o"}, "expired": True})
    assert user_info(app, "act.old").json()["error"]["code"] == "access_token_invalid"
    admin(
        app,
        "POST",
        "tokens",
        {"token": "act.new", "user": {"open_id": "o", "bio_description": "b"}},
    )
    assert user_info(app, "act.new").status_code == 200
    assert (
        user_info(app, "act.new", "bio_description").json()["error"]["code"]
        == "scope_not_authorized"
    )


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ({"token": "act.x", "user": {"nickname": "x", "follower_count": "many"}, "scopes": ["user.info.all"], "expired": "no"}, [
            "user: unknown field 'nickname' (the spec's User has open_id, union_id, avatar_url, avatar_url_100, avatar_large_url, display_name, bio_description, profile_deep_link, is_verified, username, follower_count, following_count, likes_count, video_count)",
            "user.follower_count: 'many' is not of type 'integer'",
            "scopes: unknown scope 'user.info.all' (the spec declares artist.certification.read, artist.certification.update, user.info.basic, user.info.profile, user.info.stats, video.list)",
            "expired: must be true or false",
        ]),
        ({"token": "act x", "user": {}}, ["token: a token must be visible ASCII without spaces"]),
        ({"user": {}, "extra": 1}, ["extra: unknown key (known: expired, scopes, token, user)", "token: required"]),
        ([], ["the body must be a JSON object"]),
        ({"token": "act.x", "user": {"display_name": "\ud800"}}, ["'\\ud800' is not Unicode text (a lone surrogate)"]),
    ],
)  # fmt: skip
def test_a_bad_token_lists_each_problem(app: MockApp, body: Any, problems: list[str]) -> None:
    response = admin(app, "POST", "tokens", body)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "message": "The token cannot be added",
        "problems": problems,
    }


def test_a_body_just_deep_enough_is_read(app: MockApp) -> None:
    body = (
        b'{"token": "act.deep", "user": '
        + b"[" * (MAX_JSON_DEPTH - 1)
        + b"]" * (MAX_JSON_DEPTH - 1)
        + b"}"
    )
    response = call(app, "POST", "/__mock/tokens", JSON, body)
    assert response.status_code == 400
    assert response.json()["problems"] == ["user: must be a mapping of User fields"]


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        (b"{", JSON, "The request body is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (b"{}", {"content-type": "text/plain"}, "Content-Type must be application/json"),
        (b"[" * 100_000 + b"]" * 100_000, JSON, TOO_DEEP),
        (b'{"user": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001, JSON, TOO_DEEP),
        (b'{"user": ' + b'{"a": ' * MAX_JSON_DEPTH + b"1" + b"}" * (MAX_JSON_DEPTH + 1), JSON, TOO_DEEP),
        (b"x" * (MAX_BODY_BYTES + 1), JSON, f"The request body is over {MAX_BODY_BYTES} bytes"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_json(
    app: MockApp, content: bytes, headers: dict[str, str], message: str
) -> None:
    response = call(app, "POST", "/__mock/tokens", headers, content)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid_request", "message": message},
    )


def test_the_journal_filters_and_clears(app: MockApp) -> None:
    for token in (EXAMPLE_TOKEN, "act.nobody", EXAMPLE_TOKEN):
        user_info(app, token)
    listed = admin(app, "GET", "requests?status=401").json()["requests"]
    assert [(r["status"], r["headers"]["authorization"]) for r in listed] == [
        (401, "Bearer <redacted>")
    ]
    assert len(admin(app, "GET", "requests?operation=getUserInfo&limit=2").json()["requests"]) == 2
    assert admin(app, "GET", "requests?path=/elsewhere").json() == {"requests": []}
    assert admin(app, "DELETE", "requests").status_code == 204
    assert admin(app, "GET", "requests").json() == {"requests": []}


@pytest.mark.parametrize(
    ("query", "message"),
    [("status=abc", "status must be a whole number"), ("sort=time", "Unknown filter 'sort' (limit, method, operation, path, status)")],
)  # fmt: skip
def test_a_bad_journal_filter(app: MockApp, query: str, message: str) -> None:
    response = admin(app, "GET", f"requests?{query}")
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_scenarios_are_listed_counted_down_and_cleared(app: MockApp) -> None:
    queued = admin(
        app,
        "POST",
        "scenarios",
        {"operation": "getUserInfo", "error": "internal_error", "times": 3, "token": EXAMPLE_TOKEN},
    )
    assert (queued.status_code, queued.json()) == (
        201,
        {"id": 1, "operation": "getUserInfo", "times": 3, "token": "<redacted>", "error": "internal_error"},
    )  # fmt: skip
    assert user_info(app, EXAMPLE_TOKEN).status_code == 500
    assert admin(app, "GET", "scenarios").json()["scenarios"][0]["times"] == 2
    assert admin(app, "DELETE", "scenarios").status_code == 204
    assert user_info(app, EXAMPLE_TOKEN).status_code == 200
    assert admin(app, "GET", "scenarios").json() == {"scenarios": []}


def test_a_full_queue_refuses_with_409_until_scenarios_are_taken(app: MockApp) -> None:
    for _ in range(MAX_SCENARIOS):
        app.state.scenarios.add(Scenario("fetchAccessToken", fault="reset"))
    body = {"operation": "getUserInfo", "fault": "reset"}
    refused = admin(app, "POST", "scenarios", body)
    assert (refused.status_code, refused.json()) == (409, {
        "error": "too_many_scenarios",
        "message": f"{MAX_SCENARIOS} scenarios are queued, the most the mock holds: "
        "let them be taken, or drop them first",
    })  # fmt: skip
    admin_spec = yaml.safe_load(ADMIN_SPEC.read_text(encoding="utf-8"))
    documented = admin_spec["paths"]["/__mock/scenarios"]["post"]
    assert f"At most {MAX_SCENARIOS:,} scenarios" in " ".join(documented["description"].split())
    assert f"({MAX_SCENARIOS:,})" in documented["responses"]["409"]["description"]
    assert app.state.scenarios.take("fetchAccessToken", None) is not None
    assert admin(app, "POST", "scenarios", body).status_code == 201


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ({"operation": "getUserInfo"}, ["give an error, a fault, delay_ms, or for the consent page a decision"]),
        ({"operation": "deleteUser", "error": "x"}, ["operation: 'deleteUser' is not an operation (getUserInfo, fetchAccessToken, revokeAccessToken, authorize)"]),
        ({"operation": "getUserInfo", "error": "invalid_grant"}, ["error: 'invalid_grant' is not an error code of getUserInfo (invalid_params, scope_permission_missed, access_token_invalid, scope_not_authorized, rate_limit_exceeded, internal_error)"]),
        ({"operation": "getUserInfo", "error": "internal_error", "fault": "reset"}, ["error, fault: give one of them, not both"]),
        ({"operation": "getUserInfo", "fault": "explode", "times": 0, "delay_ms": -1, "token": ""}, [
            "times: must be a whole number from 1 to 1000000",
            "token: must be a non-empty string of at most 2048 characters",
            "delay_ms: must be whole milliseconds from 0 to 60000",
            f"fault: 'explode' is not a fault ({', '.join(FAULTS)})",
        ]),
        ({"operation": "getUserInfo", "consent": "deny"}, ["consent: only the consent page (authorize) takes it"]),
        ({"operation": "authorize", "error": "invalid_grant", "token": "t"}, ["error: the consent page takes no error", "token: the consent page takes no token"]),
        ({"operation": "authorize", "consent": "maybe", "scopes": ["user.info.all"]}, ["consent: must be allow or deny", "scopes: unknown scopes user.info.all"]),
        ({"operation": "fetchAccessToken", "error": "internal_error", "times": True}, [
            "times: must be a whole number from 1 to 1000000",
            "error: 'internal_error' is not an error code of fetchAccessToken (invalid_request, invalid_grant, unsupported_grant_type, invalid_client, temporarily_unavailable, server_error)",
        ]),
    ],
)  # fmt: skip
def test_a_bad_scenario_lists_each_problem(app: MockApp, body: Any, problems: list[str]) -> None:
    response = admin(app, "POST", "scenarios", body)
    assert response.status_code == 400, response.text
    assert response.json()["problems"] == problems


def test_reset_goes_back_to_the_start_up_state(app: MockApp) -> None:
    admin(app, "POST", "tokens", {"token": "act.alice", "user": {"open_id": "a"}})
    admin(app, "POST", "scenarios", {"operation": "getUserInfo", "error": "internal_error"})
    user_info(app, "act.alice")
    assert admin(app, "POST", "reset").status_code == 204
    assert admin(app, "GET", "requests").json() == {"requests": []}
    assert admin(app, "GET", "scenarios").json() == {"scenarios": []}
    assert user_info(app, "act.alice").status_code == 401
    assert user_info(app, EXAMPLE_TOKEN).status_code == 200


def test_it_serves_both_spec_documents(app: MockApp) -> None:
    served = {}
    for route in ("openapi.yaml", "admin.yaml"):
        response = admin(app, "GET", route)
        assert response.headers["content-type"] == "application/yaml"
        served[route] = response.text
    assert served["openapi.yaml"] == SPEC_PATH.read_text(encoding="utf-8")
    written = ADMIN_SPEC.read_text(encoding="utf-8")
    assert '"tiktok-user-info.yaml#/components/' in written
    assert served["admin.yaml"] == written.replace('"tiktok-user-info.yaml#', '"openapi.yaml#')


def test_it_serves_the_rendered_reference(app: MockApp) -> None:
    response = admin(app, "GET", "reference")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        response.content
        == (SPEC_PATH.parent.parent / "mock_server" / "reference.html").read_bytes()
    )


def test_unknown_routes_and_methods(app: MockApp) -> None:
    missing = admin(app, "GET", "nothing")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    wrong = admin(app, "PUT", "reset")
    assert (wrong.status_code, wrong.json()["message"]) == (405, "PUT is not allowed here (POST)")


def test_with_an_admin_token_every_call_but_health_needs_it() -> None:
    app = create_app(Options(admin_token="s3cret"))
    refused = admin(app, "POST", "reset")
    assert (refused.status_code, refused.headers["www-authenticate"]) == (401, "Bearer")
    assert admin(app, "POST", "reset", Authorization="Bearer wrong").status_code == 401
    assert admin(app, "POST", "reset", Authorization="Bearer s3cret").status_code == 204
    assert admin(app, "GET", "health").status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "mock.internal"])
def test_off_loopback_without_a_token_it_refuses(host: str) -> None:
    app = create_app(Options(host=host))
    response = admin(app, "GET", "requests")
    assert response.status_code == 403
    assert "--admin-token" in response.json()["message"]
    assert admin(app, "GET", "health").status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_on_loopback_it_needs_no_token(host: str) -> None:
    assert admin(create_app(Options(host=host)), "POST", "reset").status_code == 204


def test_with_several_workers_state_calls_refuse() -> None:
    app = create_app(Options(workers=3))
    for method, route in (("GET", "requests"), ("POST", "reset"), ("GET", "scenarios")):
        response = admin(app, method, route)
        assert (response.status_code, response.json()["error"]) == (501, "single_worker_only")
        assert "3 worker processes" in response.json()["message"]
    assert admin(app, "GET", "health").status_code == 200


def test_admin_requests_are_not_recorded_rate_limited_or_faulted() -> None:
    app = create_app(Options(rate_limit=1, fault_rate=1.0, fault_mix="500"))
    for _ in range(5):
        assert admin(app, "GET", "health").status_code == 200
    assert admin(app, "GET", "requests").json() == {"requests": []}


def test_the_admin_spec_follows_the_api_spec(document: dict[str, Any]) -> None:
    """The admin document names the API's operations, errors, scopes and User fields; they
    must stay those of the API spec and of the mock."""
    from mock_server.contract import Contract

    admin_spec = yaml.safe_load(ADMIN_SPEC.read_text(encoding="utf-8"))
    schemas = admin_spec["components"]["schemas"]
    contract = Contract.from_document(document)
    assert list(schemas["User"]["properties"]) == list(contract.field_scopes)
    assert set(schemas["Scope"]["enum"]) == set(contract.scopes)
    assert schemas["Fault"]["enum"] == list(FAULTS)
    mapping = schemas["NewScenario"]["discriminator"]["mapping"]
    assert set(mapping) == {*contract.operations, "authorize"}
    for name, ref in mapping.items():
        if name == "authorize":
            continue
        error = schemas[ref.rsplit("/", 1)[1]]["properties"]["error"]
        codes = error.get("enum") or schemas[error["$ref"].rsplit("/", 1)[1]]["enum"]
        documented = dict.fromkeys(r.code for r in contract.operations[name].errors.values())
        assert set(codes) == set(documented), name


def test_the_docs_curl_lines_over_a_socket() -> None:
    """The admin API's sh block of the docs, run as written against the command line's mock."""
    import subprocess

    from mock_server.process import running_mock
    from tests.support.pages import after

    text = after("### The admin API")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    expected_health = next(line[2:] for line in block.splitlines() if line.startswith("# {"))
    setup, reset = block.split("# back to the start-up state")
    with running_mock() as mock:

        def run(lines: str) -> list[str]:
            script = lines.replace("8080", mock.url.rsplit(":", 1)[1])
            script = script.replace("curl -s ", "curl -sS -f -w '\\n' ")
            done = subprocess.run(
                ["bash", "-ec", script], capture_output=True, text=True, timeout=30
            )
            assert done.returncode == 0, done.stderr
            return done.stdout.splitlines()

        health, added, queued, journal = run(setup)
        assert health == expected_health
        assert json.loads(added) == {
            "token": "act.alice",
            "scopes": ["user.info.basic"],
            "expired": False,
        }
        assert json.loads(queued)["times"] == 2
        assert json.loads(journal) == {"requests": []}
        url = f"{mock.url}/v2/user/info/?fields=display_name"
        alice = {"Authorization": "Bearer act.alice"}
        assert [httpx.get(url, headers=alice).status_code for _ in range(3)] == [429, 429, 200]
        assert run(reset) == [""]
        assert httpx.get(url, headers=alice).status_code == 401


def test_the_default_scopes_are_what_get_user_info_requires() -> None:
    """One default, the spec's: the admin API's, its document's and the plugin's."""
    from mock_server.contract import Contract
    from mock_server.spec import load_document

    contract = Contract.from_document(load_document())
    assert contract.default_scopes == ("user.info.basic",)
    admin = load_document(ADMIN_SPEC)["components"]["schemas"]["NewToken"]["properties"]
    assert admin["scopes"]["default"] == list(contract.default_scopes)
    app = create_app()
    added = app.admin.add_token({"token": "act.default", "user": {"open_id": "x"}})
    assert added["scopes"] == list(contract.default_scopes)
