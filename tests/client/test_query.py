"""query.encode_query: TikTok's query strings, a list as one comma-separated value; and
query.member: an enum item given by its value."""

from __future__ import annotations

import httpx
import pytest

from tiktok_user_info_client.models import UserField
from tiktok_user_info_client.query import encode_query, member


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


def test_a_member_or_the_value_of_one_is_a_member() -> None:
    assert member(UserField, UserField.OPEN_ID) is UserField.OPEN_ID
    assert member(UserField, "union_id") is UserField.UNION_ID


def test_another_string_is_refused_naming_the_valid_values() -> None:
    with pytest.raises(ValueError) as caught:
        member(UserField, "OPEN_ID")
    valid = ", ".join(UserField)
    assert str(caught.value) == f"'OPEN_ID' is not a UserField; valid values: {valid}"


@pytest.mark.parametrize("item", [3, None, b"open_id"])
def test_anything_else_is_refused_saying_what_to_pass(item: object) -> None:
    with pytest.raises(
        TypeError, match=f"^expected a UserField or the value of one, not {item!r}$"
    ):
        member(UserField, item)
