"""`python tools/admin_spec.py`: writes into the admin spec the values that restate the API spec
and the mock's code (mock_server/admin_schemas.py), its layout and comments kept (`make
generate`). With `--check`, it writes nothing, shows how the document differs, and exits 1 if
it does (`make check-generated`).
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import sys
from functools import reduce
from operator import getitem
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from mock_server.admin_schemas import restated, scenario_values
from mock_server.contract import Contract
from mock_server.spec import ADMIN_SPEC_NAME, SPEC_PATH, document_path, load_document

ADMIN_SPEC = document_path(ADMIN_SPEC_NAME)


def rewritten(text: str, contract: Contract) -> str:
    """The admin document `text` with the values derived from `contract`; a value already
    right is left as written."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # no line is folded
    yaml.indent(mapping=2, sequence=4, offset=2)
    document = yaml.load(text)
    values = restated(contract) | scenario_values(document, contract)
    for (*parents, key), value in values.items():
        parent = reduce(getitem, parents, document)
        if json.dumps(parent.get(key)) != json.dumps(value):
            parent[key] = _quoted_refs(value)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _quoted_refs(value: Any) -> Any:
    """`value` with each `$ref` in double quotes, as the document writes them."""
    if isinstance(value, dict):
        return {
            key: DoubleQuotedScalarString(item) if key == "$ref" else _quoted_refs(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_quoted_refs(item) for item in value]
    return value


def main() -> int:
    parser = argparse.ArgumentParser(prog="python tools/admin_spec.py", description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on a change")
    args = parser.parse_args()
    text = ADMIN_SPEC.read_text(encoding="utf-8")
    written = rewritten(text, Contract.from_document(load_document(SPEC_PATH)))
    name = f"openapi/{ADMIN_SPEC_NAME}"
    if not args.check:
        ADMIN_SPEC.write_text(written, encoding="utf-8")
        return 0
    if written == text:
        print(f"{name} restates {SPEC_PATH.name} and the mock's code")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(text.splitlines(True), written.splitlines(True), name, "generated")
    )
    print(f"{name} differs from what tools/admin_spec.py writes: run 'make generate'")
    return 1


if __name__ == "__main__":
    sys.exit(main())
