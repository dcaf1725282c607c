"""The changes of the API and their kinds: of the spec by api-smart-diff and openapi-diff (with
its prose left out, by `structure`), of a package's public API by griffe."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from compat.changes import CLIENT, Change, api_changes, spec_changes, structure
from compat.versions import Kind
from mock_server.spec import SPEC_PATH


def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def breaks(changes: list[Change]) -> list[str]:
    return [f"{change.where}: {change.what}" for change in changes if change.kind is Kind.BREAKING]


def test_an_unchanged_spec_has_no_change() -> None:
    assert spec_changes(spec(), spec()) == []


def test_narrowing_a_request_breaks_widening_a_response_does_not() -> None:
    old, new = spec(), spec()
    new["components"]["schemas"]["UserField"]["enum"].remove("video_count")
    new["components"]["schemas"]["User"]["properties"]["nickname"] = {"type": "string"}
    (change,) = breaks(spec_changes(old, new))
    assert change.startswith("/paths/~1v2~1user~1info~1/get/parameters/0/schema/items/enum/")
    assert "query parameter `fields`" in change


def test_a_removed_operation_and_a_new_required_form_field_break() -> None:
    old, new = spec(), copy.deepcopy(spec())
    del new["paths"]["/v2/oauth/revoke/"]
    new["components"]["schemas"]["TokenRequest"]["required"].append("redirect_uri")
    found = breaks(spec_changes(old, new))
    assert "/paths/~1v2~1oauth~1revoke~1/post: [Removed] operation POST /v2/oauth/revoke/ " \
        "(api-smart-diff)" in found  # fmt: skip
    assert any("required status to `redirect_uri`" in change for change in found), found


def test_a_new_request_limit_breaks() -> None:
    old, new = spec(), spec()
    new["components"]["schemas"]["RevokeRequest"]["properties"]["token"]["pattern"] = "^act\\."
    token = "/paths/~1v2~1oauth~1revoke~1/post/requestBody/content/"
    token += "application~1x-www-form-urlencoded/schema/properties/token/pattern"
    assert [change.split(":")[0] for change in breaks(spec_changes(old, new))] == [token]


def test_a_response_body_is_judged_by_the_values_it_admits() -> None:
    """openapi-diff, not api-smart-diff: a documented code added beside `anyOf` a free string
    admits nothing new; a required property made optional admits more."""
    old, new = spec(), spec()
    new["components"]["schemas"]["OAuthErrorCode"]["enum"].append("slow_down")
    changes = spec_changes(old, new)
    assert changes and max(change.kind for change in changes) is Kind.ADDITION
    new["components"]["schemas"]["OAuthError"]["required"].remove("log_id")
    assert {change.split(": ")[1] for change in breaks(spec_changes(old, new))} == {
        "response.body.scope.add (openapi-diff)"
    }


def test_prose_alone_is_documentation_anything_else_at_least_an_addition() -> None:
    old, new = spec(), spec()
    new["info"]["description"] = "Another text."
    new["info"]["version"] = "9.9.9"
    assert structure(new) == structure(old)
    changes = spec_changes(old, new)
    assert changes and {change.kind for change in changes} == {Kind.DOCUMENTATION}
    new["components"]["schemas"]["LogId"]["example"] = "20990101000000ABCDEF0123456789ABCDEF"
    assert max(change.kind for change in spec_changes(old, new)) is Kind.ADDITION


def client(root: Path, source: str) -> Path:
    package = root / CLIENT.folder / CLIENT.package
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source, encoding="utf-8")
    return root


def test_the_client_api(tmp_path: Path) -> None:
    old = client(tmp_path / "old", 'def sync(client, fields, timeout=5):\n    """Call."""\n')
    same = client(tmp_path / "same", 'def sync(client, fields, timeout=5):\n    """Calls."""\n')
    more = client(tmp_path / "more", "def sync(client, fields, timeout=5, extra=None):\n    pass\n")
    new = client(tmp_path / "new", "def sync(client, timeout=5):\n    pass\n")
    sync = f"{CLIENT.package}.sync"
    assert api_changes(CLIENT, old, same) == [
        Change(Kind.DOCUMENTATION, "client", sync, "Docstring was changed")
    ]
    assert api_changes(CLIENT, old, more) == [
        Change(Kind.ADDITION, "client", sync, "Signature was extended")
    ]
    assert api_changes(CLIENT, old, new) == [
        Change(Kind.BREAKING, "client", f"{sync}(fields)", "Parameter was removed"),
        Change(Kind.BREAKING, "client", f"{sync}(timeout)", "Positional parameter was moved"),
    ]
    assert api_changes(CLIENT, tmp_path / "none", new) == [
        Change(Kind.ADDITION, "client", sync, "Public object was added")
    ]


def test_the_committed_client_against_itself() -> None:
    root = SPEC_PATH.parent.parent
    assert api_changes(CLIENT, root, root) == []
