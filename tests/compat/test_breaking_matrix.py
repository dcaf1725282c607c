"""The breaking-change gate on a matrix of spec edits: each edited spec with the client it
generates, against the kit as committed, judged as `make check-breaking` judges it."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from compat.changes import CLIENT, MOCK, Change, api_changes, spec_changes_each
from compat.versions import Kind
from mock_server.spec import SPEC_PATH
from tests.support.cases import TABLES

ROOT = Path(__file__).resolve().parents[2]
Edit = Callable[[dict[str, Any]], None]


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"]
    return found


def user_info(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"]["/v2/user/info/"]["get"]
    return found


def removed_response_property(document: dict[str, Any]) -> None:
    del schemas(document)["User"]["properties"]["follower_count"]


def response_property_type_changed(document: dict[str, Any]) -> None:
    video_count = schemas(document)["User"]["properties"]["video_count"]
    for key in ("format", "minimum", "maximum"):
        del video_count[key]
    video_count["type"] = "string"


def required_property_made_optional(document: dict[str, Any]) -> None:
    schemas(document)["TokenResponse"]["required"].remove("scope")


def removed_documented_status(document: dict[str, Any]) -> None:
    del user_info(document)["responses"]["500"]


def removed_error_code(document: dict[str, Any]) -> None:
    schemas(document)["ErrorCode"]["enum"].remove("rate_limit_exceeded")


def new_required_request_parameter(document: dict[str, Any]) -> None:
    user_info(document)["parameters"].append(
        {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def enum_value_removed_from_request(document: dict[str, Any]) -> None:
    schemas(document)["UserField"]["enum"].remove("video_count")


def new_max_length_in_request(document: dict[str, Any]) -> None:
    schemas(document)["RevokeRequest"]["properties"]["token"]["maxLength"] = 64


def new_optional_response_property(document: dict[str, Any]) -> None:
    schemas(document)["User"]["properties"]["region"] = {
        "type": "string",
        "description": "The user's region.",
        "x-tiktok-scope": "user.info.basic",
    }


def new_error_code(document: dict[str, Any]) -> None:
    schemas(document)["ErrorCode"]["enum"].append("spam_risk_too_many_requests")


def wider_request(document: dict[str, Any]) -> None:
    schemas(document)["RevokeRequest"]["properties"]["token"]["maxLength"] = 4096


def description_edit(document: dict[str, Any]) -> None:
    schemas(document)["User"]["properties"]["video_count"]["description"] += "Typo fixed.\n"


MATRIX: dict[Edit, Kind] = {
    removed_response_property: Kind.BREAKING,
    response_property_type_changed: Kind.BREAKING,
    required_property_made_optional: Kind.BREAKING,
    removed_documented_status: Kind.BREAKING,
    removed_error_code: Kind.BREAKING,
    new_required_request_parameter: Kind.BREAKING,
    enum_value_removed_from_request: Kind.BREAKING,
    new_max_length_in_request: Kind.BREAKING,
    new_optional_response_property: Kind.ADDITION,
    new_error_code: Kind.ADDITION,
    wider_request: Kind.ADDITION,
    description_edit: Kind.DOCUMENTATION,
}
"""Each edit, and the kind of change it must be judged: the largest of its changes."""
VERDICTS: dict[str, list[Change]] = {}
UNMEASURED = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
"""The generator's environment: `make pytest` measures the Python processes the tests start,
and the generator runs none of the code measured, only slower."""


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[Edit, list[Change]]:
    """The changes the gate finds from the committed kit to the kit with each edit applied:
    the spec diffs in one run of the tools, then each edited spec's client generated (the
    client alone: `make generate` would rewrite the committed admin spec too)."""
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    edited = {edit: copy.deepcopy(document) for edit in MATRIX}
    for edit, spec in edited.items():
        edit(spec)
    found = dict(zip(MATRIX, spec_changes_each(document, list(edited.values())), strict=True))
    mock = tmp_path_factory.mktemp("mock")  # the same in every edit: judged once
    shutil.copytree(ROOT / MOCK.package, mock / MOCK.package)
    mock_changes = api_changes(MOCK, ROOT, mock)

    def client_tree(edit: Edit) -> Path:
        """The tree of the client generated from the spec with `edit` applied."""
        folder = tmp_path_factory.mktemp(edit.__name__)
        (folder / "spec.yaml").write_text(yaml.safe_dump(edited[edit], sort_keys=False), "utf-8")
        tree = folder / "tree"
        generate = subprocess.run(
            ["make", "-s", "-C", str(ROOT), "generate-client",
             f"GENERATE_SPEC={folder / 'spec.yaml'}", f"GENERATE_OUT={tree / CLIENT.folder}"],
            capture_output=True, text=True, timeout=300, env=UNMEASURED,
        )  # fmt: skip
        assert generate.returncode == 0, generate.stdout + generate.stderr
        return tree

    # The generator runs in a process for each edit, as many at once as there are cores.
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        trees = dict(zip(MATRIX, pool.map(client_tree, MATRIX), strict=True))
    for edit, tree in trees.items():
        found[edit] += [*api_changes(CLIENT, ROOT, tree), *mock_changes]
    return found


@pytest.mark.parametrize("edit", MATRIX, ids=lambda edit: edit.__name__)
def test_each_edit_is_judged_as_it_must_be(edit: Edit, judged: dict[Edit, list[Change]]) -> None:
    changes = judged[edit]
    assert changes, f"{edit.__name__}: no change seen"
    largest = max(change.kind for change in changes)
    VERDICTS[edit.__name__] = [change for change in changes if change.kind is largest]
    assert largest is MATRIX[edit], [str(change) for change in changes]
    if edit is description_edit:  # no schema, parameter or status touched: as documentation
        assert {change.part for change in changes} == {"spec", "client"}
    TABLES["breaking-change matrix"] = "\n".join(
        f"{name}: {changes[0].kind.label}, e.g. {changes[0]}"
        for name, changes in sorted(VERDICTS.items())
    )
