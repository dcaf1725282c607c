from __future__ import annotations

from typing import Any

import pytest
import yaml

from mock_server.spec import SPEC_PATH, load_document


@pytest.fixture(scope="session")
def document() -> dict[str, Any]:
    """The spec, validated and resolved by prance."""
    return load_document()


@pytest.fixture(scope="session")
def raw_document() -> dict[str, Any]:
    """The spec as written, `$ref`s and all."""
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded
