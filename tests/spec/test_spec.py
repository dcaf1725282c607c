"""The OpenAPI document: valid, faithful to TikTok's documents, and consistent with itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from mock_server.bodies import MAX_BODY_BYTES
from mock_server.spec import response_examples
from tests.support.seeds import ENDPOINT_EXAMPLE, FIELDS, SCOPES, USER_OBJECT_EXAMPLE
from tests.support.specs import operation

SEED_TYPES = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "int64": {"type": "integer", "format": "int64"},
}
# TikTok's v2 error-handling page: the codes each status carries.
DOCUMENTED_CODES = {
    "200": {"ok"},
    "400": {"invalid_params", "scope_permission_missed"},
    "401": {"access_token_invalid", "scope_not_authorized"},
    "429": {"rate_limit_exceeded"},
    "500": {"internal_error"},
}


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"]
    return found


def test_validates_with_openapi_spec_validator(raw_document: dict[str, Any]) -> None:
    validate(raw_document)


def test_prance_resolves_every_reference(document: dict[str, Any]) -> None:
    assert "$ref" not in repr(document)


def test_operation(document: dict[str, Any]) -> None:
    op = operation(document)
    assert op["operationId"] == "getUserInfo"
    assert op["tags"] == ["user"]
    assert document["servers"][0]["url"] == "https://open.tiktokapis.com"
    assert op["security"] == [{"oauth2": ["user.info.basic"], "bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_oauth_scheme_declares_the_seed_scopes(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["oauth2"]
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "https://www.tiktok.com/v2/auth/authorize/"
    assert flow["tokenUrl"] == "https://open.tiktokapis.com/v2/oauth/token/"
    assert flow["scopes"] == SCOPES


def test_user_fields_match_the_seed(document: dict[str, Any]) -> None:
    properties = schemas(document)["User"]["properties"]
    assert list(properties) == [field.name for field in FIELDS]
    for field in FIELDS:
        prop = properties[field.name]
        assert {k: prop[k] for k in SEED_TYPES[field.type]} == SEED_TYPES[field.type], field.name
        assert prop["x-tiktok-scope"] == field.scope, field.name
        assert prop["description"].split("\n\n") == [field.english, field.thai + "\n"], field.name


def test_no_user_field_is_required(document: dict[str, Any]) -> None:
    assert "required" not in schemas(document)["User"]


def test_every_scope_annotation_names_a_declared_scope(document: dict[str, Any]) -> None:
    declared = document["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    for name, prop in schemas(document)["User"]["properties"].items():
        assert prop["x-tiktok-scope"] in declared["scopes"], name


def test_field_names_enum_is_the_user_properties(document: dict[str, Any]) -> None:
    """`UserField` repeats the User property names (OpenAPI 3.0 cannot derive it): keep equal."""
    assert schemas(document)["UserField"]["enum"] == list(schemas(document)["User"]["properties"])


def test_fields_parameter(document: dict[str, Any]) -> None:
    (param,) = operation(document)["parameters"]
    assert param["name"] == "fields" and param["in"] == "query" and param["required"]
    assert param["schema"]["items"]["enum"] == list(schemas(document)["User"]["properties"])
    assert "Percent-encoded commas" in param["description"]
    assert "SocialiteProviders/Providers issue 1198" in param["description"]


def test_oauth_operations(document: dict[str, Any]) -> None:
    token = operation(document, "/v2/oauth/token/", "post")
    revoke = operation(document, "/v2/oauth/revoke/", "post")
    for op in (token, revoke):
        assert op["security"] == []
        assert list(op["requestBody"]["content"]) == ["application/x-www-form-urlencoded"]
        assert set(op["responses"]) == {"200", "400", "401", "429", "500"}
        body = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
        # The mock refuses an empty value, and a body over MAX_BODY_BYTES: the longest form
        # the spec admits, each character percent-encoded UTF-8 (up to 12 bytes), fits in it.
        limit = int(re.search(r"chooses (\d+) characters for each string", " ".join(
            body["description"].split()))[1])  # type: ignore[index]  # fmt: skip
        longest = 0
        for name, prop in body["properties"].items():
            if "enum" not in prop:
                assert 1 <= prop["minLength"] <= prop["maxLength"] <= limit, name
            width = prop.get("maxLength", max(map(len, prop.get("enum", [""]))))
            longest += len(name) + 2 + 12 * width
        assert longest <= MAX_BODY_BYTES
    grant_types = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert grant_types["properties"]["grant_type"]["enum"] == [
        "authorization_code",
        "refresh_token",
    ]
    links = token["responses"]["200"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        op["operationId"] for op in every_operation(document)
    }
    errors = {e.value["error"] for e in response_examples(token) if e.status >= 400}
    assert errors == {
        "invalid_request",
        "invalid_grant",
        "unsupported_grant_type",
        "invalid_client",
        "temporarily_unavailable",
        "server_error",
    }


def test_every_query_array_is_comma_separated(document: dict[str, Any]) -> None:
    """The client's endpoint template joins every list with commas: the spec must say so."""
    for path_item in document["paths"].values():
        for op in path_item.values():
            for param in op.get("parameters", []):
                if param["in"] == "query" and param["schema"]["type"] == "array":
                    assert (param["style"], param["explode"]) == ("form", False), param["name"]


def test_responses_are_the_documented_statuses(document: dict[str, Any]) -> None:
    assert set(operation(document)["responses"]) == set(DOCUMENTED_CODES)


@pytest.mark.parametrize("status", sorted(DOCUMENTED_CODES))
def test_each_status_has_an_example_for_every_code_it_carries(
    document: dict[str, Any], status: str
) -> None:
    examples = response_examples(operation(document))
    codes = {
        example.value["error"]["code"] for example in examples if example.status == int(status)
    }
    assert codes == DOCUMENTED_CODES[status]


def test_every_response_is_the_envelope_with_a_log_id_header(document: dict[str, Any]) -> None:
    for status, response in operation(document)["responses"].items():
        schema = response["content"]["application/json"]["schema"]
        assert schema["required"] == ["data", "error"], status
        assert "x-tt-logid" in response["headers"], status


def every_operation(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document["paths"].values() for op in item.values()]


def test_every_example_validates_against_its_schema(document: dict[str, Any]) -> None:
    examples = [e for op in every_operation(document) for e in response_examples(op)]
    assert len(examples) >= 14
    for example in examples:
        errors = [e.message for e in OAS30Validator(example.schema).iter_errors(example.value)]
        assert not errors, f"{example.name}: {errors}"


def test_examples_follow_the_envelope_rules(document: dict[str, Any]) -> None:
    for example in response_examples(operation(document)):
        error, data = example.value["error"], example.value["data"]
        assert re.fullmatch(schemas(document)["LogId"]["pattern"], error["log_id"]), example.name
        if example.status == 200:
            assert error["message"] == "" and "user" in data, example.name
        else:
            assert error["message"] and data == {}, example.name


def test_error_codes_list_the_documented_values_but_accept_any_string(
    document: dict[str, Any],
) -> None:
    code = schemas(document)["Error"]["properties"]["code"]
    documented = set().union(*DOCUMENTED_CODES.values())
    assert set(code["anyOf"][0]["enum"]) == documented
    assert code["anyOf"][1] == {"type": "string"}
    assert OAS30Validator(code).is_valid("a_code_tiktok_adds_later")


def test_success_examples_are_the_seed_examples(document: dict[str, Any]) -> None:
    examples = {example.name: example.value for example in response_examples(operation(document))}
    assert examples["ok"] == ENDPOINT_EXAMPLE
    assert examples["ok_with_stats"] == USER_OBJECT_EXAMPLE


def test_each_stated_behaviour_names_its_evidence(document: dict[str, Any]) -> None:
    """Each item of the spec's list of TikTok's behaviour says how strong its evidence is."""
    items = document["info"]["description"].split("\n- ")[1:]
    assert len(items) >= 9
    for item in items:
        strengths = re.findall(r"\*\*(docs|field|choice)\*\*", item)
        assert strengths, item
    description = " ".join(document["info"]["description"].split())
    for subject in ("Percent-encoded commas", "Unknown field names", "per access token",
                    "x-tt-logid", "SocialiteProviders/Providers issue 1198"):  # fmt: skip
        assert subject in description
