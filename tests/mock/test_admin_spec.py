"""How the admin API reads a document: its routes, and its schemas' problems in words."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.admin_spec import AdminSpec, Problem, problems

DOCUMENT: dict[str, Any] = {
    "paths": {
        "/__mock/things/{name}": {
            "get": {
                "operationId": "getThing",
                "security": [],
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "depth", "in": "query", "required": True,
                     "schema": {"type": "integer", "minimum": 0}},
                    {"name": "tag", "in": "query", "schema": {"type": "string"}},
                ],
            },
            "delete": {"operationId": "deleteThing"},
        },
    },
}  # fmt: skip


def test_a_path_parameter_is_any_text_percent_decoded() -> None:
    spec = AdminSpec(DOCUMENT)
    assert spec.open == {"getThing"}
    found = spec.route("/__mock/things/a%2Fb/c")
    assert found is not None
    route, params = found
    assert (dict(route.operations), params) == (
        {"GET": "getThing", "DELETE": "deleteThing"},
        {"name": "a/b/c"},
    )
    assert spec.route("/__mock/things/") is None
    assert spec.route("/__mock/thingsx") is None


@pytest.mark.parametrize(
    ("query", "values", "found"),
    [
        (b"depth=3&tag=x", {"depth": 3, "tag": "x"}, []),
        (b"tag=x", {"tag": "x"}, ["depth: required"]),
        (b"depth=-3", {"depth": "-3"}, ["depth: must be a whole number"]),
        (b"depth=3&name=x", {"depth": 3, "name": "x"}, ["name: unknown key (known: depth, tag)"]),
    ],
)  # fmt: skip
def test_the_query_is_read_by_its_parameters(
    query: bytes, values: dict[str, Any], found: list[str]
) -> None:
    read, problems_found = AdminSpec(DOCUMENT).query("getThing", query)
    assert (read, [problem.text for problem in problems_found]) == (values, found)


@pytest.mark.parametrize(
    ("schema", "value", "found"),
    [
        ({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "boolean"}}}},
         {"a": [True, 1]}, [Problem(("a", 1), "a[1]: must be true or false")]),
        ({"type": "object", "not": {"required": ["a", "b", "c"]}}, {"a": 1, "b": 2, "c": 3},
         [Problem((), "a, b, c: give one of them, not all")]),
        ({"type": "string", "minLength": 2}, "x", [Problem((), "'x' is too short")]),
        ({"type": "integer", "minimum": 1}, 0, [Problem((), "0 is less than the minimum of 1")]),
        ({"type": "string", "pattern": "^a"}, "b", [Problem((), "'b' does not match '^a'")]),
        ({"type": "object", "properties": {"n": {"type": "integer"}}}, {"n": "1"},
         [Problem(("n",), "n: must be a whole number")]),
    ],
)  # fmt: skip
def test_what_this_does_not_word_the_validator_does(
    schema: dict[str, Any], value: Any, found: list[Problem]
) -> None:
    assert problems(schema, value) == found
