"""Hypothesis strategies for the JSON that the spec's (resolved) schemas describe."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

INT64 = (-(2**63), 2**63 - 1)
JSON_SCALARS = st.none() | st.booleans() | st.integers(*INT64) | st.text(max_size=20)


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against `schema`, covering the keywords this spec uses.

    Objects that admit undeclared properties sometimes get a few, as TikTok may add them.
    """
    if "anyOf" in schema:
        return st.one_of([from_schema(branch) for branch in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return st.text(max_size=40)
    if kind == "integer":
        return st.integers(*INT64)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(
            from_schema(schema["items"]), min_size=schema.get("minItems", 0), max_size=5
        )
    if kind == "object" or "properties" in schema:
        return _object(schema)
    raise NotImplementedError(f"no strategy for {schema}")


def _object(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    declared = st.fixed_dictionaries(
        {name: from_schema(properties[name]) for name in properties if name in required},
        optional={
            name: from_schema(properties[name]) for name in properties if name not in required
        },
    )
    if schema.get("additionalProperties", True) is False:
        return declared
    undeclared = st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda name: name not in properties),
        JSON_SCALARS,
        max_size=2,
    )
    return st.tuples(declared, undeclared).map(lambda parts: {**parts[1], **parts[0]})
