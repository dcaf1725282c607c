"""generator/hooks/scopes.py, the post-generation hook that writes the client's `scopes`."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import tiktok_user_info_client.scopes
from mock_server.spec import SPEC_PATH

HOOK = Path(__file__).resolve().parents[2] / "generator" / "hooks" / "scopes.py"


def load_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scopes_hook", HOOK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = load_hook()


def document(**schemas: dict[str, Any]) -> dict[str, Any]:
    return {"components": {"schemas": schemas}}


def scoped(**fields: str) -> dict[str, Any]:
    return {"properties": {name: {"x-tiktok-scope": scope} for name, scope in fields.items()}}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HOOK), *args], capture_output=True, text=True)


def test_the_module_it_writes_is_the_clients(tmp_path: Path) -> None:
    written = tmp_path / "scopes.py"
    assert run(str(SPEC_PATH), str(written)).returncode == 0
    shipped = Path(tiktok_user_info_client.scopes.__file__).read_text(encoding="utf-8")
    assert "FIELD_SCOPES" in written.read_text() and "def scopes_for" in shipped
    namespace: dict[str, Any] = {}
    exec(written.read_text(), namespace)
    assert namespace["FIELD_SCOPES"] == tiktok_user_info_client.scopes.FIELD_SCOPES


def test_only_the_scoped_properties_of_the_scoped_schema_count() -> None:
    spec = document(
        Error={"properties": {"code": {"type": "string"}}},
        User={"properties": {"id": {"x-tiktok-scope": "basic"}, "extra": {"type": "string"}}},
        Empty={"type": "string"},
    )
    assert hook.field_scopes(spec) == ("User", {"id": "basic"})


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        (document(Error={"properties": {"code": {"type": "string"}}}), "[]"),
        ({"openapi": "3.1.0"}, "[]"),
        (document(A=scoped(a="x"), B=scoped(b="y")), "['A', 'B']"),
    ],
    ids=["none scoped", "no schemas", "two scoped"],
)
def test_it_needs_exactly_one_scoped_schema(
    spec: dict[str, Any], named: str, tmp_path: Path
) -> None:
    with pytest.raises(hook.NoScopes, match=rf"x-tiktok-scope, not {re.escape(named)}"):
        hook.module(spec)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    failed = run(str(path), str(tmp_path / "scopes.py"))
    assert failed.returncode == 1
    assert failed.stderr.startswith(f"{path}: exactly one schema's properties must carry")
    assert not (tmp_path / "scopes.py").exists()


def test_it_says_how_to_call_it() -> None:
    failed = run(str(SPEC_PATH))
    assert (failed.returncode, failed.stderr) == (2, "usage: scopes.py SPEC OUTPUT\n")
