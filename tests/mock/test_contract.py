"""The facts the mock derives from the spec."""

from __future__ import annotations

from typing import Any

from mock_server.contract import Contract, ErrorReply


def test_derived_from_the_document(document: dict[str, Any]) -> None:
    contract = Contract.from_document(document)
    user = document["components"]["schemas"]["User"]["properties"]
    assert (contract.user_info.path, contract.user_info.method) == ("/v2/user/info/", "GET")
    assert contract.version == document["info"]["version"]
    assert dict(contract.field_scopes) == {name: p["x-tiktok-scope"] for name, p in user.items()}
    flow = document["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert contract.scopes == set(flow["scopes"])
    assert contract.errors["scope_not_authorized"] == ErrorReply(
        401,
        "scope_not_authorized",
        "The user did not authorize the scope required for completing this request.",
    )
    assert {reply.status for reply in contract.errors.values()} == {400, 401, 429, 500}


def test_every_operation_with_its_errors_in_its_own_shape(document: dict[str, Any]) -> None:
    contract = Contract.from_document(document)
    assert {name: (op.path, op.method) for name, op in contract.operations.items()} == {
        "getUserInfo": ("/v2/user/info/", "GET"),
        "fetchAccessToken": ("/v2/oauth/token/", "POST"),
        "revokeAccessToken": ("/v2/oauth/revoke/", "POST"),
    }
    token = contract.operations["fetchAccessToken"]
    assert token.error("invalid_client") == ErrorReply(
        401, "invalid_client", "Client key or secret is invalid.", oauth=True
    )
    assert all(reply.oauth for reply in token.errors.values())
    assert not any(reply.oauth for reply in contract.errors.values())


def test_an_error_by_example_name_code_or_status(document: dict[str, Any]) -> None:
    user_info = Contract.from_document(document).user_info
    by_name = user_info.error("invalid_params_unknown_field")
    assert by_name is not None and by_name.message == "Invalid fields: nickname"
    by_code = user_info.error("invalid_params")
    assert by_code is not None and by_code.message.startswith("Fields is required")
    assert user_info.error("nonexistent") is None
    assert user_info.error_of_status(401) == user_info.error("access_token_invalid")
    assert user_info.error_of_status(418) is None
    assert by_code.with_message("else") == ErrorReply(400, "invalid_params", "else")
