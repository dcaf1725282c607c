"""The facts the mock derives from the spec."""

from __future__ import annotations

from typing import Any

from mock_server.contract import Contract, ErrorReply


def test_derived_from_the_document(document: dict[str, Any]) -> None:
    contract = Contract.from_document(document)
    user = document["components"]["schemas"]["User"]["properties"]
    assert contract.path == "/v2/user/info/" and contract.method == "GET"
    assert dict(contract.field_scopes) == {name: p["x-tiktok-scope"] for name, p in user.items()}
    flow = document["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert contract.scopes == set(flow["scopes"])
    assert contract.errors["scope_not_authorized"] == ErrorReply(
        401,
        "scope_not_authorized",
        "The user did not authorize the scope required for completing this request.",
    )
    assert {reply.status for reply in contract.errors.values()} == {400, 401, 429, 500}
