from enum import StrEnum


class UserField(StrEnum):
    AVATAR_LARGE_URL = "avatar_large_url"
    AVATAR_URL = "avatar_url"
    AVATAR_URL_100 = "avatar_url_100"
    BIO_DESCRIPTION = "bio_description"
    DISPLAY_NAME = "display_name"
    FOLLOWER_COUNT = "follower_count"
    FOLLOWING_COUNT = "following_count"
    IS_VERIFIED = "is_verified"
    LIKES_COUNT = "likes_count"
    OPEN_ID = "open_id"
    PROFILE_DEEP_LINK = "profile_deep_link"
    UNION_ID = "union_id"
    USERNAME = "username"
    VIDEO_COUNT = "video_count"

    def __str__(self) -> str:
        return str(self.value)
