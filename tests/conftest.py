"""What the tests share: the spec, one fake clock, the report of the schemathesis runs, and
the order in which `make pytest` hands out the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_server.spec import SPEC_PATH
from tests.support.cases import GENERATED, TABLES
from tests.support.clock import Clock

pytest_plugins = ["pytester"]

TESTS = Path(__file__).parent
SLOWEST_FIRST = [
    # Each of `make pytest`'s processes (three on two cores) takes one of these first...
    "contract/test_contract_mock.py",
    "compat/test_compat.py",
    "compat/test_breaking_matrix.py",
    # ...and one of these after it: the longest after the shortest of those above.
    "contract/test_contract_cli.py",
    "mock/test_cli.py",
    "distribution/test_distribution.py",
    # Then one file at a time to whichever process is down to one.
    "bench/test_bench.py",
    "mock/test_app.py",
    "compat/test_changes.py",
    "mock/test_fuzz.py",
    "mock/test_faults.py",
    "docs/test_site.py",
    "mock/test_shared.py",
    "client/test_client_defaults.py",
    "client/test_client_mock.py",
]
"""The files that take longest in `make pytest` (which hands out whole files in the order
collected, two to each process at the start, then one to each process down to one), in the
order to hand them out so that the processes end together; every other file follows, in the
order collected."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = [name for name in SLOWEST_FIRST if not (TESTS / name).is_file()]
    assert not missing, f"SLOWEST_FIRST names files that are not there: {missing}"
    rank = {TESTS / name: number for number, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def document() -> dict[str, Any]:
    """The spec, validated by openapi-spec-validator and resolved by prance."""
    from prance import ResolvingParser

    parser = ResolvingParser(str(SPEC_PATH), backend="openapi-spec-validator", strict=True)
    validated: dict[str, Any] = parser.specification
    return validated


@pytest.fixture(scope="session")
def raw_document() -> dict[str, Any]:
    """The spec as written, `$ref`s and all."""
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand the report's figures to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["generated"] = dict(GENERATED)
        output["tables"] = dict(TABLES)


def pytest_testnodedown(node: Any, error: object) -> None:
    """In the pytest-xdist controller, gather what each worker handed over."""
    output = getattr(node, "workeroutput", {})
    GENERATED.update(output.get("generated", {}))
    TABLES.update(output.get("tables", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for run, count in sorted(GENERATED.items()):
        terminalreporter.write_line(f"schemathesis: {count} cases generated {run}")
    for title, table in TABLES.items():
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(table)
