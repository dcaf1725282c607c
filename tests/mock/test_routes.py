"""The route stage: the spec's paths and the consent page, else 404 or 405 with `Allow`."""

from __future__ import annotations

from mock_server.answers import Answer
from mock_server.asgi import Scope
from mock_server.contract import Contract
from mock_server.routes import Route, Routes
from mock_server.spec import load_document

CONTRACT = Contract.from_document(load_document())
ROUTES = Routes(CONTRACT)


def scope(method: str, path: str) -> Scope:
    return {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}


def test_each_operation_and_the_consent_page_is_routed() -> None:
    routed = ROUTES.route(scope("POST", "/v2/oauth/revoke/"), "L")
    assert isinstance(routed, Route) and routed.name == "revokeAccessToken" and routed.oauth
    consent = ROUTES.route(scope("GET", CONTRACT.authorize_path), "L")
    assert isinstance(consent, Route) and consent.operation is None and consent.oauth
    info = ROUTES.route(scope("GET", "/v2/user/info/"), "L")
    assert isinstance(info, Route) and not info.oauth


def test_the_consent_page_is_at_the_path_of_the_specs_authorization_url() -> None:
    assert CONTRACT.authorize_path == "/v2/auth/authorize/"


def test_a_path_or_method_the_mock_does_not_serve() -> None:
    missing = ROUTES.route(scope("GET", "/v2/nothing/"), "L")
    assert isinstance(missing, Answer) and missing.status == 404
    wrong = ROUTES.route(scope("PUT", "/v2/oauth/token/"), "L")
    assert isinstance(wrong, Answer) and wrong.status == 405
    assert wrong.headers == ((b"allow", b"POST"),) and b'"error":"invalid_request"' in wrong.body
    info = ROUTES.route(scope("POST", "/v2/user/info/"), "L")
    assert isinstance(info, Answer) and b'"code":"method_not_allowed"' in info.body
