"""What the tests share: the spec, one fake clock, and the report of the schemathesis runs."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from mock_server.spec import SPEC_PATH
from tests.support.cases import GENERATED, TABLES
from tests.support.clock import Clock

pytest_plugins = ["pytester"]


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
