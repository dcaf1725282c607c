"""Hypothesis strategies for the JSON that the spec's (resolved) schemas describe."""

from __future__ import annotations

import string
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
        return st.integers(schema.get("minimum", INT64[0]), schema.get("maximum", INT64[1]))
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


# Requests, for the fuzz tests of the app.

TOKENS = [b"act.example12345Example12345Example", b"act.mock.basic", b"act.mock.expired", b"x"]
FIELD_NAMES = [b"open_id", b"follower_count", b"bio_description", b"nickname", b"%2C", b"", b","]

methods = st.one_of(
    st.just("GET"),
    st.just("GET"),
    st.sampled_from(["POST", "HEAD", "DELETE"]),
    st.text("ABCDEFGHIJ", min_size=1),
)
"""Half of them GET, the method of `GET /v2/user/info/`."""
paths = st.one_of(
    st.just("/v2/user/info/"),
    st.just("/v2/user/info/"),
    st.sampled_from(["/", "/v2/user/info", "/__mock"]),
    st.text(max_size=30).filter(lambda path: not path.startswith("/__mock/")),
)
"""Half of them the endpoint's; none the admin API's."""
queries = st.one_of(
    st.binary(max_size=120),
    st.lists(st.sampled_from(FIELD_NAMES), max_size=6).map(
        lambda names: b"fields=" + b",".join(names)
    ),
    st.lists(st.sampled_from([b"fields=open_id", b"fields=", b"x=1", b"fields"]), max_size=3).map(
        b"&".join
    ),
)
authorizations = st.one_of(
    st.sampled_from(TOKENS).map(lambda token: b"Bearer " + token),
    st.sampled_from(TOKENS[:2]).map(lambda token: b"Bearer " + token),
    st.tuples(st.sampled_from([b"Bearer", b"bearer", b"Basic", b""]), st.binary(max_size=40)).map(
        b" ".join
    ),
    st.binary(max_size=60),
)
prefer_items = st.sampled_from(
    [b"code=429", b"code=500", b"error=internal_error", b"code=200", b"code=418", b"x=1",
     b"fault=html", b"delay=0", b"code=\xb2", b"delay=1\xb2", b'error="ok"', b"code="]
)  # fmt: skip
prefers = st.one_of(
    st.lists(prefer_items, min_size=1, max_size=3).map(b", ".join),
    st.binary(max_size=30).filter(lambda value: b"delay" not in value and b"hang" not in value),
)
"""`Prefer` values: meaningful items and arbitrary bytes; never a real delay or a hang."""
headers = st.tuples(
    st.one_of(st.none(), authorizations, authorizations),
    st.lists(
        st.one_of(
            authorizations.map(lambda value: (b"authorization", value)),
            prefers.map(lambda value: (b"prefer", value)),
            st.tuples(st.binary(min_size=1, max_size=10), st.binary(max_size=30)),
        ),
        max_size=3,
    ),
).map(lambda parts: ([(b"authorization", parts[0])] if parts[0] is not None else []) + parts[1])
"""Header lists, two in three of them starting with an `Authorization` header."""

FORM_VALUES = {
    b"client_key": [b"mock_client_key"],
    b"client_secret": [b"mock_client_secret"],
    b"grant_type": [b"authorization_code", b"refresh_token"],
    b"code": [b"code.example", b"code.mock.basic"],
    b"refresh_token": [b"rft.unknown"],
    b"token": [b"act.mock.basic"],
}
"""Each form field of the OAuth operations, with values that can work."""
FORM_TEXT = string.ascii_letters + string.digits + "._~-"
form_values = {
    name: st.sampled_from(values) | st.text(FORM_TEXT, max_size=20).map(str.encode)
    for name, values in FORM_VALUES.items()
}
CREDENTIALS = (b"client_key", b"client_secret", b"grant_type")
forms = st.fixed_dictionaries({}, optional=form_values) | st.fixed_dictionaries(
    {name: form_values[name] for name in CREDENTIALS},
    optional={name: value for name, value in form_values.items() if name not in CREDENTIALS},
)
"""Forms of the OAuth fields, half of them with the client's credentials and a grant type."""
form_bodies = st.one_of(
    st.binary(max_size=200),
    forms.map(lambda form: b"&".join(name + b"=" + value for name, value in form.items())),
)
content_types = st.sampled_from(
    [b"application/x-www-form-urlencoded"] * 4 + [b"application/json", b"text/plain", b""]
)
