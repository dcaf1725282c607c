"""Reading the resolved OpenAPI document in tests."""

from __future__ import annotations

from typing import Any

from mock_server.spec import USER_INFO


def operation(
    document: dict[str, Any], path: str = USER_INFO[0], method: str = USER_INFO[1]
) -> Any:
    """The resolved operation object at `path` and `method`."""
    return document["paths"][path][method]
