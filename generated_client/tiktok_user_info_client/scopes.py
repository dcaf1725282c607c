"""The OAuth scope each field of `User` needs, from the spec's ``x-tiktok-scope``."""

from collections.abc import Iterable, Mapping
from types import MappingProxyType

__all__ = ["FIELD_SCOPES", "scopes_for"]

FIELD_SCOPES: Mapping[str, str] = MappingProxyType(
    {
        "open_id": "user.info.basic",
        "union_id": "user.info.basic",
        "avatar_url": "user.info.basic",
        "avatar_url_100": "user.info.basic",
        "avatar_large_url": "user.info.basic",
        "display_name": "user.info.basic",
        "bio_description": "user.info.profile",
        "profile_deep_link": "user.info.profile",
        "is_verified": "user.info.profile",
        "username": "user.info.profile",
        "follower_count": "user.info.stats",
        "following_count": "user.info.stats",
        "likes_count": "user.info.stats",
        "video_count": "user.info.stats",
    }
)
"""The OAuth scope that each field of `User` needs, from the spec's ``x-tiktok-scope``."""


def scopes_for(fields: Iterable[str]) -> frozenset[str]:
    """The scopes a token needs to be granted to read `fields` of `User`.

    Raises `KeyError` naming the first field `User` does not have.
    """
    return frozenset(FIELD_SCOPES[str(field)] for field in fields)
