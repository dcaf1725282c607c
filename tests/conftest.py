from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from mock_server.process import running_mock
from mock_server.spec import SPEC_PATH

pytest_plugins = ["pytester"]


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from cases import GENERATED

    for run, count in sorted(GENERATED.items()):
        terminalreporter.write_line(f"schemathesis: {count} cases generated {run}")


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    """The URL of a mock started from the command line for the session, rate limit off."""
    with running_mock("--rate-limit", "0") as mock:
        yield mock.url
