"""Query strings as TikTok reads them: a list is one comma-separated value; enum items may
be given by their values."""

from __future__ import annotations

import functools
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import quote

__all__ = ["encode_query", "member"]

E = TypeVar("E", bound=Enum)


@functools.lru_cache(maxsize=1024)
def _quote(text: str) -> str:
    """Percent-encode `text` for a query, remembering the last texts (field names repeat)."""
    return quote(text, safe="")


def _encode(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _quote(str(value))


def encode_query(params: dict[str, Any]) -> str:
    """`params` as a query string, each list as one value of items joined by literal commas.

    OpenAPI's `style: form, explode: false` (the only style the spec uses for arrays) asks
    for that, and TikTok rejects anything else: httpx would send a list as repeated keys,
    and percent-encode the commas (`%2C`). A comma inside an item stays encoded.
    """
    return "&".join(
        f"{_quote(name)}=" + (",".join(map(_encode, value)) if isinstance(value, list) else _encode(value))
        for name, value in params.items()
    )


def member(enum: type[E], item: object) -> E:
    """`item` as a member of `enum`: a member, or the value of one (`"open_id"` for
    `UserField.OPEN_ID`). Any other string raises ValueError naming the valid values, and
    anything else TypeError."""
    if isinstance(item, enum):
        return item
    if not isinstance(item, str):
        raise TypeError(f"expected a {enum.__name__} or the value of one, not {item!r}")
    try:
        return enum(item)
    except ValueError:
        valid = ", ".join(str(known.value) for known in enum)
        raise ValueError(f"{item!r} is not a {enum.__name__}; valid values: {valid}") from None
