"""The values of the admin spec (openapi/tiktok-mock-admin.yaml) that restate the API spec or
the mock's code, derived from them.

`make generate` writes them into the document (tools/admin_spec.py), `make check-generated`
fails where it differs, and the fixtures' check puts in those of the spec the mock was built
from (`with_restated`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .contract import Contract
from .faults import FAULTS
from .findings import KINDS
from .fixtures import TOKEN
from .scenarios import AUTHORIZE
from .spec import SPEC_NAME

__all__ = ["Place", "restated", "scenario_values", "with_restated"]

Place = tuple[str, ...]
"""Where a value lies in the document: its keys from the top."""
SCHEMAS = ("components", "schemas")


def restated(contract: Contract) -> dict[Place, Any]:
    """The values the API spec and the mock's code fix alone, by their path: the `User`
    fields and the scopes the spec declares, a new token's pattern and default scopes, the
    faults and the kinds of findings."""
    user = f"{SPEC_NAME}#/components/schemas/User/properties"
    return {
        (*SCHEMAS, "User", "properties"): {
            name: {"$ref": f"{user}/{name}"} for name in contract.field_scopes
        },
        (*SCHEMAS, "Scope", "enum"): sorted(contract.scopes),
        (*SCHEMAS, "NewToken", "properties", "token", "pattern"): f"^{TOKEN.pattern}$",
        (*SCHEMAS, "NewToken", "properties", "scopes", "default"): list(contract.default_scopes),
        (*SCHEMAS, "Fault", "enum"): list(FAULTS),
        (*SCHEMAS, "Finding", "properties", "kind", "enum"): list(KINDS),
        (*SCHEMAS, "FindingList", "properties", "counts", "required"): list(KINDS),
        (*SCHEMAS, "FindingList", "properties", "counts", "properties"): {
            kind: {"type": "integer"} for kind in KINDS
        },
    }


def scenario_values(admin: Mapping[str, Any], contract: Contract) -> dict[Place, Any]:
    """The `operation` of each scenario schema `NewScenario`'s discriminator maps, and the
    error codes its operation documents (those of the examples, as the admin API takes them).

    ValueError where one error schema serves operations that document different codes.
    """
    schemas = admin["components"]["schemas"]
    values: dict[Place, Any] = {}
    for operation, ref in schemas["NewScenario"]["discriminator"]["mapping"].items():
        name = ref.rsplit("/", 1)[1]
        values[(*SCHEMAS, name, "properties", "operation", "enum")] = [operation]
        if operation == AUTHORIZE or operation not in contract.operations:
            continue
        error = schemas[name]["properties"]["error"]
        path = (
            (*SCHEMAS, error["$ref"].rsplit("/", 1)[1], "enum")
            if "$ref" in error
            else (*SCHEMAS, name, "properties", "error", "enum")
        )
        replies = contract.operations[operation].errors.values()
        codes = list(dict.fromkeys(reply.code for reply in replies))
        if values.setdefault(path, codes) != codes:
            raise ValueError(
                f"{'/'.join(path)} serves operations that document different errors: "
                f"give {operation} its own"
            )
    return values


def with_restated(admin: Mapping[str, Any], contract: Contract) -> dict[str, Any]:
    """The admin document `admin` with the values `restated` derives from `contract`, the
    rest shared with it."""
    document = dict(admin)
    for path, value in restated(contract).items():
        document = _with(document, path, value)
    return document


def _with(document: Mapping[str, Any], path: Place, value: Any) -> dict[str, Any]:
    head, *rest = path
    return {**document, head: _with(document[head], tuple(rest), value) if rest else value}
