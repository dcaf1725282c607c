"""Query strings as TikTok reads them: a list is one comma-separated value."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

__all__ = ["encode_query"]


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
