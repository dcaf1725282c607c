"""The admin spec's lists that restate the API spec and the mock's code: what
tools/admin_spec.py writes (`make generate`), guarded as `make check-generated` guards them."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import pytest
import yaml

from mock_server.admin_schemas import restated, scenario_values, with_restated
from mock_server.contract import Contract
from mock_server.faults import FAULTS
from mock_server.fixtures import TOKEN
from mock_server.spec import ADMIN_SPEC_NAME, document_path
from tests.support.pages import ROOT
from tests.support.scripts import script

TOOL = ROOT / "tools" / "admin_spec.py"
TEXT = document_path(ADMIN_SPEC_NAME).read_text(encoding="utf-8")


rewritten = script(TOOL, "admin_spec").rewritten


@pytest.fixture(scope="module")
def contract(document: dict[str, Any]) -> Contract:
    return Contract.from_document(document)


def test_the_admin_spec_is_what_the_generator_writes(contract: Contract) -> None:
    assert rewritten(TEXT, contract) == TEXT
    check = subprocess.run(
        [sys.executable, str(TOOL), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (check.returncode, check.stdout) == (
        0,
        "openapi/tiktok-mock-admin.yaml restates tiktok-user-info.yaml and the mock's code\n",
    )


def test_a_list_that_drifted_is_written_again_and_nothing_else(contract: Contract) -> None:
    drifted = TEXT.replace("        - hang\n", "", 1).replace(
        "        - user.info.basic\n        - user.info.profile\n",
        "        - user.info.profile\n        - user.info.everything\n",
        1,
    )
    assert drifted != TEXT
    assert rewritten(drifted, contract) == TEXT


def test_the_values_are_the_specs_and_the_codes(contract: Contract) -> None:
    admin = yaml.safe_load(TEXT)
    schemas = admin["components"]["schemas"]
    assert list(schemas["User"]["properties"]) == list(contract.field_scopes)
    assert schemas["User"]["properties"]["open_id"] == {
        "$ref": "tiktok-user-info.yaml#/components/schemas/User/properties/open_id"
    }
    assert schemas["Scope"]["enum"] == sorted(contract.scopes)
    assert schemas["Fault"]["enum"] == list(FAULTS)
    assert schemas["NewToken"]["properties"]["token"]["pattern"] == f"^{TOKEN.pattern}$"
    assert schemas["UserInfoScenario"]["properties"]["error"]["enum"] == list(
        dict.fromkeys(reply.code for reply in contract.operations["getUserInfo"].errors.values())
    )
    assert schemas["ConsentScenario"]["properties"]["operation"]["enum"] == ["authorize"]
    assert all(value is not None for value in restated(contract).values())


def test_one_error_list_for_operations_that_document_different_errors_is_refused(
    document: dict[str, Any],
) -> None:
    edited = copy.deepcopy(document)
    responses = edited["paths"]["/v2/oauth/revoke/"]["post"]["responses"]
    responses["500"] = copy.deepcopy(responses["500"])
    examples = responses["500"]["content"]["application/json"]["examples"]
    examples["server_error"]["value"]["error"] = "revoke_failed"
    with pytest.raises(ValueError, match="OAuthScenarioError/enum serves operations"):
        scenario_values(yaml.safe_load(TEXT), Contract.from_document(edited))


def test_a_contract_of_another_spec_puts_in_its_own(document: dict[str, Any]) -> None:
    """The fixtures' check of a mock built from another spec borrows that spec's User."""
    edited = copy.deepcopy(document)
    edited["components"]["schemas"]["User"]["properties"]["region_code"] = {
        "type": "string",
        "x-tiktok-scope": "user.info.profile",
    }
    admin = yaml.safe_load(TEXT)
    restated_admin = with_restated(admin, Contract.from_document(edited))
    assert "region_code" in restated_admin["components"]["schemas"]["User"]["properties"]
    assert "region_code" not in admin["components"]["schemas"]["User"]["properties"]
