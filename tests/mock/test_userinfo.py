"""`GET /v2/user/info/`: the token, the rate limit, `fields` and the scopes, in TikTok's order."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from mock_server.app import MockApp
from mock_server.contract import Contract
from mock_server.server import Options, create_app
from mock_server.spec import SPEC_PATH
from tests.support.defaults import GRANTED
from tests.support.inprocess import call, error_of
from tests.support.seeds import CURL_AUTHORIZATION, CURL_URL, ENDPOINT_EXAMPLE
from tests.support.seeds import EXAMPLE_TOKEN as SEED_TOKEN
from tests.support.specs import operation

PATH = "/v2/user/info/"


def get(
    app: MockApp, target: str, token: str | None = SEED_TOKEN, **headers: str
) -> httpx.Response:
    """GET `target` (path and raw query, sent as written) from `app`."""
    if token is not None:
        headers.setdefault("Authorization", f"Bearer {token}")
    return call(app, "GET", target, headers)


@pytest.fixture(scope="module")
def app() -> MockApp:
    """conftest's `app`, once for the module: its requests change no state."""
    return create_app(Options(rate_limit=0))


def test_the_seed_example(app: MockApp) -> None:
    response = get(
        app,
        CURL_URL.removeprefix("https://open.tiktokapis.com"),
        token=None,
        Authorization=CURL_AUTHORIZATION.removeprefix("Authorization: "),
    )
    body = response.json()
    assert response.status_code == 200
    assert body["error"]["log_id"] != ENDPOINT_EXAMPLE["error"]["log_id"]
    body["error"]["log_id"] = ENDPOINT_EXAMPLE["error"]["log_id"]
    assert body == ENDPOINT_EXAMPLE


def test_success_holds_exactly_the_requested_fields(app: MockApp) -> None:
    response = get(app, f"{PATH}?fields=display_name,follower_count,is_verified")
    body = response.json()
    assert body["data"] == {
        "user": {"display_name": "User Name", "follower_count": 100, "is_verified": False}
    }
    assert body["error"] == {"code": "ok", "message": "", "log_id": response.headers["x-tt-logid"]}


def test_each_response_has_a_fresh_log_id_in_body_and_header(app: MockApp) -> None:
    log_ids = set()
    for target in (f"{PATH}?fields=open_id", f"{PATH}?fields=nickname", PATH, "/elsewhere"):
        response = get(app, target)
        log_id = response.json()["error"]["log_id"]
        assert re.fullmatch(r"\d{14}[0-9A-F]{20}", log_id)
        assert response.headers["x-tt-logid"] == log_id
        log_ids.add(log_id)
    assert len(log_ids) == 4


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Basic {SEED_TOKEN}",
        f"Token {SEED_TOKEN}",
        f"{SEED_TOKEN}",
        f"Bearer {SEED_TOKEN} extra",
        f"Bearer {SEED_TOKEN}x",
        f"Bearer {SEED_TOKEN[:-1]}",
        "Bearer act.unknown",
        "Bearer act.mock.expired",
    ],
)
def test_a_bad_token_is_access_token_invalid(app: MockApp, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = call(app, "GET", f"{PATH}?fields=open_id", headers)
    assert error_of(response) == (
        401,
        "access_token_invalid",
        "Access token is invalid, please refresh token and retry",
    )


def test_the_scheme_is_case_insensitive(app: MockApp) -> None:
    response = get(app, f"{PATH}?fields=open_id", token=None, Authorization=f"bearer {SEED_TOKEN}")
    assert response.status_code == 200


FIELDS_REQUIRED = (
    400,
    "invalid_params",
    "Fields is required, please provide fields in the request",
)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?",
        "?fields",
        "?fields=",
        "?fields=,",
        "?other=open_id",
        "?fields=%2C",
        "?fields=%2c,%2C",
    ],
)
def test_missing_or_empty_fields_are_required(app: MockApp, query: str) -> None:
    assert error_of(get(app, PATH + query)) == FIELDS_REQUIRED


@pytest.mark.parametrize(
    "query",
    [
        "fields=open_id%2Cunion_id",
        "fields=open_id%2cunion_id",
        "fields=open_id%2Cunion_id%2C",
        "fields=open_id,union_id%2C",
        "fields=open_id%2C%2Cunion_id,open_id",
    ],
)
def test_percent_encoded_commas_separate_names_as_literal_ones_do(app: MockApp, query: str) -> None:
    """As TikTok answers them (SocialiteProviders/Providers issue 1198): the same list."""
    literal = get(app, f"{PATH}?fields=open_id,union_id").json()["data"]
    assert get(app, f"{PATH}?{query}").json()["data"] == literal
    assert set(literal["user"]) == {"open_id", "union_id"}


def test_the_observed_percent_encoded_request_reaches_the_scope_check(app: MockApp) -> None:
    """The live request of SocialiteProviders/Providers issue 1198, with a token granted
    `user.info.basic` only: TikTok answered `scope_not_authorized` for `username`."""
    (basic_only,) = [token for token, scopes in GRANTED.items() if scopes == {"user.info.basic"}]
    query = "fields=open_id%2Cunion_id%2Cdisplay_name%2Cavatar_large_url%2Cusername"
    assert error_of(get(app, f"{PATH}?{query}", token=basic_only))[:2] == (
        401,
        "scope_not_authorized",
    )
    assert get(app, f"{PATH}?{query.removesuffix('%2Cusername')}", token=basic_only).is_success


def test_a_doubly_encoded_comma_is_part_of_a_name(app: MockApp) -> None:
    assert error_of(get(app, f"{PATH}?fields=open_id%252Cunion_id")) == (
        400,
        "invalid_params",
        "Invalid fields: open_id%2Cunion_id",
    )


def test_an_unknown_field_is_named(app: MockApp) -> None:
    assert error_of(get(app, f"{PATH}?fields=open_id,nickname")) == (
        400,
        "invalid_params",
        "Invalid fields: nickname",
    )
    message = error_of(get(app, f"{PATH}?fields=a,b,open_id,c"))[2]
    assert message == "Invalid fields: a, b, c"


def test_many_unknown_fields_are_summarised(app: MockApp) -> None:
    names = ",".join(f"f{n}" for n in range(25))
    message = error_of(get(app, f"{PATH}?fields={names}"))[2]
    assert message == "Invalid fields: " + ", ".join(f"f{n}" for n in range(10)) + " and 15 more"


def test_fields_takes_at_most_max_items_names(app: MockApp) -> None:
    """The spec's maxItems of `fields`: one name for each `User` field, repeats counted."""
    contract = Contract.from_document(_document())
    assert contract.max_fields == len(contract.field_scopes) == 14
    names = list(contract.field_scopes)
    assert get(app, f"{PATH}?fields=" + ",".join(names)).status_code == 200
    assert error_of(get(app, f"{PATH}?fields=" + ",".join([*names, "open_id"]))) == (
        400,
        "invalid_params",
        "Fields lists at most 14 names",
    )


def test_fields_given_twice(app: MockApp) -> None:
    assert error_of(get(app, f"{PATH}?fields=open_id&fields=union_id")) == (
        400,
        "invalid_params",
        "Fields must be given once, comma-separated",
    )


def test_repeated_and_empty_items_are_ignored(app: MockApp) -> None:
    response = get(app, f"{PATH}?fields=open_id,,open_id,&other=1")
    assert response.json()["data"]["user"] == {"open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4"}


def test_percent_encoded_letters_are_decoded(app: MockApp) -> None:
    response = get(app, f"{PATH}?fi%65lds=open%5Fid")
    assert response.json()["data"]["user"] == {"open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4"}


def scope_cases() -> list[tuple[str, str, bool]]:
    """(token, field, granted) for every default token and every field."""
    contract = Contract.from_document(_document())
    return [
        (token, field, scope in scopes)
        for token, scopes in GRANTED.items()
        for field, scope in contract.field_scopes.items()
    ]


def _document() -> dict[str, Any]:
    from mock_server.spec import load_document

    return load_document()


@pytest.mark.parametrize(("token", "field", "granted"), scope_cases())
def test_scopes_are_enforced_field_by_field(
    app: MockApp, token: str, field: str, granted: bool
) -> None:
    response = get(app, f"{PATH}?fields=open_id,{field}", token=token)
    if granted:
        assert response.status_code == 200
        assert set(response.json()["data"]["user"]) == {"open_id", field}
    else:
        assert error_of(response) == (
            401,
            "scope_not_authorized",
            "The user did not authorize the scope required for completing this request.",
        )


def test_the_rate_limit_counts_per_token() -> None:
    app = create_app(Options(rate_limit=3))
    statuses = [get(app, f"{PATH}?fields=open_id").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert error_of(get(app, f"{PATH}?fields=open_id"))[:2] == (429, "rate_limit_exceeded")
    assert get(app, f"{PATH}?fields=open_id", token="act.mock.basic").status_code == 200


def test_the_default_rate_limit_is_600_per_minute() -> None:
    app = create_app()
    statuses = [get(app, f"{PATH}?fields=open_id").status_code for _ in range(601)]
    assert statuses.count(200) == 600 and statuses[-1] == 429


def test_rate_limit_zero_turns_it_off(app: MockApp) -> None:
    assert {get(app, f"{PATH}?fields=open_id").status_code for _ in range(650)} == {200}


@pytest.mark.parametrize(
    ("target", "token"),
    [
        (f"{PATH}?fields=open_id,union_id,avatar_url", SEED_TOKEN),
        (
            f"{PATH}?fields=" + ",".join(Contract.from_document(_document()).field_scopes),
            SEED_TOKEN,
        ),
        (f"{PATH}?fields=open_id", "act.unknown"),
        (f"{PATH}?fields=follower_count", "act.mock.basic"),
        (f"{PATH}?fields=nickname", SEED_TOKEN),
        (PATH, SEED_TOKEN),
        (f"{PATH}?fields=open_id&fields=open_id", SEED_TOKEN),
    ],
)
def test_every_answer_validates_against_the_spec(
    app: MockApp, document: dict[str, Any], target: str, token: str
) -> None:
    response = get(app, target, token=token)
    documented = operation(document)["responses"][str(response.status_code)]
    schema = documented["content"]["application/json"]["schema"]
    assert not list(OAS30Validator(schema).iter_errors(response.json()))
    header_schema = documented["headers"]["x-tt-logid"]["schema"]
    assert OAS30Validator(header_schema).is_valid(response.headers["x-tt-logid"])


def test_a_field_added_to_the_spec_is_served_without_a_code_change(tmp_path: Path) -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    schemas["User"]["properties"]["region_code"] = {
        "type": "string",
        "description": "The user's region.",
        "x-tiktok-scope": "user.info.profile",
    }
    schemas["UserField"]["enum"].append("region_code")
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    fixtures = {
        "users": {"someone": {"open_id": "o-1", "region_code": "TH"}},
        "tokens": {
            "act.profile": {"user": "someone", "scopes": ["user.info.basic", "user.info.profile"]},
            "act.basic": {"user": "someone", "scopes": ["user.info.basic"]},
        },
    }
    (tmp_path / "fixtures.yaml").write_text(yaml.safe_dump(fixtures), encoding="utf-8")
    app = create_app(
        Options(spec=str(tmp_path / "spec.yaml"), fixtures=str(tmp_path / "fixtures.yaml"))
    )
    response = get(app, f"{PATH}?fields=open_id,region_code", token="act.profile")
    assert response.json()["data"] == {"user": {"open_id": "o-1", "region_code": "TH"}}
    denied = get(app, f"{PATH}?fields=region_code", token="act.basic")
    assert error_of(denied)[:2] == (401, "scope_not_authorized")


def test_a_requested_field_the_fixture_user_lacks_is_left_out(tmp_path: Path) -> None:
    fixtures = {
        "users": {"sparse": {"open_id": "o-2"}},
        "tokens": {"act.sparse": {"user": "sparse", "scopes": ["user.info.basic"]}},
    }
    (tmp_path / "fixtures.json").write_text(json.dumps(fixtures), encoding="utf-8")
    app = create_app(Options(fixtures=str(tmp_path / "fixtures.json")))
    response = get(app, f"{PATH}?fields=open_id,display_name", token="act.sparse")
    assert response.json()["data"] == {"user": {"open_id": "o-2"}}


def test_tokens_are_compared_in_constant_time(
    app: MockApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[str, str]] = []

    def compare_digest(a: str, b: str) -> bool:
        compared.append((a, b))
        return a == b

    monkeypatch.setattr("mock_server.store.hmac.compare_digest", compare_digest)
    assert get(app, f"{PATH}?fields=open_id").status_code == 200
    assert compared == [(SEED_TOKEN, SEED_TOKEN)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?fields=open_id=1", "Invalid fields: open_id=1"),
        ("?fields=open+id", "Invalid fields: open id"),
        ("?fields=%FF", "Fields must be UTF-8, comma-separated"),
        ("?fields=open_id,%C3", "Fields must be UTF-8, comma-separated"),
        ("?fields=" + "x" * 70, "Invalid fields: " + "x" * 61 + "..."),
        ("?fields=" + "y" * 64, "Invalid fields: " + "y" * 64),
        ("?fields=" + ",".join(f"f{n}" for n in range(10)), "Invalid fields: " + ", ".join(f"f{n}" for n in range(10))),
    ],
)  # fmt: skip
def test_how_a_bad_fields_value_is_told(app: MockApp, query: str, message: str) -> None:
    assert error_of(get(app, PATH + query)) == (400, "invalid_params", message)


def test_a_long_query_is_parsed_without_the_cache(app: MockApp) -> None:
    padding = "&pad=" + "p" * 600  # longer than the queries whose parse is cached
    response = get(app, f"{PATH}?fields=open_id{padding}")
    assert response.json()["data"]["user"] == {"open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4"}


@pytest.mark.parametrize("authorization", [f"Bearer \t{SEED_TOKEN}", f"Bearer {SEED_TOKEN}\t"])
def test_a_tab_is_not_a_space(app: MockApp, authorization: str) -> None:
    response = call(app, "GET", f"{PATH}?fields=open_id", {"Authorization": authorization})
    assert error_of(response)[:2] == (401, "access_token_invalid")


@pytest.mark.parametrize(
    "query",
    [b"fields=open_id", b"fields=open_id,follower_count", b"fields=nickname", b"", b"x=1"],
)
def test_the_status_of_an_answer_is_the_status_without_its_body(app: MockApp, query: bytes) -> None:
    """`status`, which a shared store asks for the admissions it may find, is the status
    of `answered` for each: unknown, refused, admitted, expired; whatever the query."""
    store = app.state.store  # type: ignore[attr-defined]
    valid, expired = (store.find(token) for token in (SEED_TOKEN, "act.mock.expired"))
    assert valid is not None and expired is not None
    now = app.user_info._clock()
    statuses = set()
    for admission in ((None, False), (valid, False), (valid, True), (expired, True)):
        answer = app.user_info.answered(admission, query, "log", now)
        assert app.user_info.status(admission, query, now) == answer.status
        statuses.add(answer.status)
    assert len(statuses) >= 3  # 401, 429, and 200 or 400 or the scope's 401
