"""Breaking changes: of the spec by api-smart-diff, of the client's public API by griffe."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from compat.changes import CLIENT_PACKAGE, client_breaks, spec_breaks
from mock_server.spec import SPEC_PATH


def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def test_an_unchanged_spec_has_no_breaking_change() -> None:
    assert spec_breaks(spec(), spec()) == []


def test_narrowing_a_request_breaks_widening_a_response_does_not() -> None:
    old, new = spec(), spec()
    new["components"]["schemas"]["UserField"]["enum"].remove("video_count")
    new["components"]["schemas"]["User"]["properties"]["nickname"] = {"type": "string"}
    (change,) = spec_breaks(old, new)
    assert change.startswith("/paths/~1v2~1user~1info~1/get/parameters/0/schema/items/enum/")
    assert "query parameter `fields`" in change


def test_a_removed_operation_and_a_new_required_form_field_break() -> None:
    old, new = spec(), copy.deepcopy(spec())
    del new["paths"]["/v2/oauth/revoke/"]
    new["components"]["schemas"]["TokenRequest"]["required"].append("redirect_uri")
    breaks = spec_breaks(old, new)
    assert "/paths/~1v2~1oauth~1revoke~1/post: [Removed] operation POST /v2/oauth/revoke/" in breaks
    assert any("required status to `redirect_uri`" in change for change in breaks), breaks


def test_a_new_required_parameter_and_a_new_request_limit_break() -> None:
    old, new = spec(), spec()
    new["paths"]["/v2/user/info/"]["get"]["parameters"].append(
        {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    new["components"]["schemas"]["RevokeRequest"]["properties"]["token"]["maxLength"] = 64
    new["components"]["schemas"]["RevokeRequest"]["properties"]["token"]["pattern"] = "^act\\."
    breaks = spec_breaks(old, new)
    assert any("required query parameter `region`" in change for change in breaks), breaks
    token = "/paths/~1v2~1oauth~1revoke~1/post/requestBody/content/"
    token += "application~1x-www-form-urlencoded/schema/properties/token"
    assert {change.split(":")[0] for change in breaks if change.startswith(token)} == {
        f"{token}/maxLength",
        f"{token}/pattern",
    }


def client(root: Path, source: str) -> Path:
    package = root / "generated_client" / CLIENT_PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source, encoding="utf-8")
    return root


def test_the_client_api(tmp_path: Path) -> None:
    old = client(tmp_path / "old", "def sync(client, fields, timeout=5):\n    pass\n")
    same = client(tmp_path / "same", "def sync(client, fields, timeout=5, extra=None):\n    pass\n")
    new = client(tmp_path / "new", "def sync(client, timeout=5):\n    pass\n")
    assert client_breaks(old, same) == []
    assert client_breaks(old, new) == [
        f"{CLIENT_PACKAGE}.sync(fields): Parameter was removed",
        f"{CLIENT_PACKAGE}.sync(timeout): Positional parameter was moved",
    ]


def test_the_committed_client_against_itself() -> None:
    root = SPEC_PATH.parent.parent
    assert client_breaks(root, root) == []
