"""query.encode_query: TikTok's query strings, a list as one comma-separated value."""

from __future__ import annotations

import httpx

from tiktok_user_info_client.models import UserField
from tiktok_user_info_client.query import encode_query


def test_a_list_is_one_value_joined_by_literal_commas() -> None:
    assert encode_query({"fields": ["open_id", "union_id"]}) == "fields=open_id,union_id"


def test_a_comma_or_a_reserved_character_inside_an_item_stays_encoded() -> None:
    assert encode_query({"q": ["a,b", "c d", "é/&="]}) == "q=a%2Cb,c%20d,%C3%A9%2F%26%3D"
    assert encode_query({"a b": "x"}) == "a%20b=x"


def test_booleans_numbers_and_enums() -> None:
    query = encode_query({"on": True, "off": [False, True], "n": 3, "f": [UserField.OPEN_ID]})
    assert query == "on=true&off=false,true&n=3&f=open_id"


def test_httpx_sends_it_as_it_is() -> None:
    query = encode_query({"q": ["a,b", "c"]})
    url = httpx.URL("https://open.tiktokapis.com/v2/user/info/?" + query)
    assert url.raw_path == b"/v2/user/info/?q=a%2Cb,c"
