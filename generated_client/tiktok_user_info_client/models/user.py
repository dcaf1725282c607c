from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """A TikTok user. Only the requested fields are present; each needs the
    scope named by its `x-tiktok-scope`.

    """

    open_id: str | Unset = UNSET
    """ Scope: ``user.info.basic``.

    The unique identification of the user in the current application.

    รหัสประจำตัวผู้ใช้ที่ไม่ซ้ำกันในแอปพลิเคชันปัจจุบัน
     """
    union_id: str | Unset = UNSET
    """ Scope: ``user.info.basic``.

    The unique identification of the user across different apps for the same developer. For example, if a
    partner has X number of clients, it will get X number of open_id for the same TikTok user, but one persistent
    union_id for the particular user.

    รหัสประจำตัวผู้ใช้ที่ไม่ซ้ำกันข้ามแอปต่างๆ สำหรับนักพัฒนาคนเดียวกัน ตัวอย่างเช่น หากพาร์ทเนอร์มีไคลเอนต์ X ตัว
    จะได้รับ open_id X ตัวสำหรับผู้ใช้ TikTok คนเดียวกัน แต่จะมี union_id เดียวที่ถาวรสำหรับผู้ใช้นั้น
     """
    avatar_url: str | Unset = UNSET
    """ Scope: ``user.info.basic``.

    User's profile image.

    รูปโปรไฟล์ของผู้ใช้
     """
    avatar_url_100: str | Unset = UNSET
    """ Scope: ``user.info.basic``.

    User's profile image in 100x100 size.

    รูปโปรไฟล์ของผู้ใช้ขนาด 100x100
     """
    avatar_large_url: str | Unset = UNSET
    """ Scope: ``user.info.basic``.

    User's profile image with higher resolution.

    รูปโปรไฟล์ของผู้ใช้ที่มีความละเอียดสูง
     """
    display_name: str | Unset = UNSET
    """ Scope: ``user.info.basic``.

    User's profile name.

    ชื่อโปรไฟล์ของผู้ใช้
     """
    bio_description: str | Unset = UNSET
    """ Scope: ``user.info.profile``.

    User's bio description if there is a valid one.

    คำอธิบายประวัติของผู้ใช้ (ถ้ามี)
     """
    profile_deep_link: str | Unset = UNSET
    """ Scope: ``user.info.profile``.

    The link to user's TikTok profile page.

    ลิงก์ไปยังหน้าโปรไฟล์ TikTok ของผู้ใช้
     """
    is_verified: bool | Unset = UNSET
    """ Scope: ``user.info.profile``.

    Whether TikTok has provided a verified badge to the account after confirming that it belongs to the user it
    represents.

    บัญชีนี้ได้รับการยืนยันจาก TikTok หรือไม่
     """
    username: str | Unset = UNSET
    """ Scope: ``user.info.profile``.

    User's username.

    ชื่อผู้ใช้ (Username)
     """
    follower_count: int | Unset = UNSET
    """ Scope: ``user.info.stats``.

    User's followers count.

    จำนวนผู้ติดตาม
     """
    following_count: int | Unset = UNSET
    """ Scope: ``user.info.stats``.

    The number of accounts that the user is following.

    จำนวนบัญชีที่ผู้ใช้กำลังติดตาม
     """
    likes_count: int | Unset = UNSET
    """ Scope: ``user.info.stats``.

    The total number of likes received by the user across all of their videos.

    จำนวนไลก์ทั้งหมดที่ผู้ใช้ได้รับจากวิดีโอทั้งหมด
     """
    video_count: int | Unset = UNSET
    """ Scope: ``user.info.stats``.

    The total number of publicly posted videos by the user.

    จำนวนวิดีโอที่ผู้ใช้โพสต์ต่อสาธารณะ
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        open_id = self.open_id

        union_id = self.union_id

        avatar_url = self.avatar_url

        avatar_url_100 = self.avatar_url_100

        avatar_large_url = self.avatar_large_url

        display_name = self.display_name

        bio_description = self.bio_description

        profile_deep_link = self.profile_deep_link

        is_verified = self.is_verified

        username = self.username

        follower_count = self.follower_count

        following_count = self.following_count

        likes_count = self.likes_count

        video_count = self.video_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if open_id is not UNSET:
            field_dict["open_id"] = open_id
        if union_id is not UNSET:
            field_dict["union_id"] = union_id
        if avatar_url is not UNSET:
            field_dict["avatar_url"] = avatar_url
        if avatar_url_100 is not UNSET:
            field_dict["avatar_url_100"] = avatar_url_100
        if avatar_large_url is not UNSET:
            field_dict["avatar_large_url"] = avatar_large_url
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if bio_description is not UNSET:
            field_dict["bio_description"] = bio_description
        if profile_deep_link is not UNSET:
            field_dict["profile_deep_link"] = profile_deep_link
        if is_verified is not UNSET:
            field_dict["is_verified"] = is_verified
        if username is not UNSET:
            field_dict["username"] = username
        if follower_count is not UNSET:
            field_dict["follower_count"] = follower_count
        if following_count is not UNSET:
            field_dict["following_count"] = following_count
        if likes_count is not UNSET:
            field_dict["likes_count"] = likes_count
        if video_count is not UNSET:
            field_dict["video_count"] = video_count

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        open_id = d.pop("open_id", UNSET)

        union_id = d.pop("union_id", UNSET)

        avatar_url = d.pop("avatar_url", UNSET)

        avatar_url_100 = d.pop("avatar_url_100", UNSET)

        avatar_large_url = d.pop("avatar_large_url", UNSET)

        display_name = d.pop("display_name", UNSET)

        bio_description = d.pop("bio_description", UNSET)

        profile_deep_link = d.pop("profile_deep_link", UNSET)

        is_verified = d.pop("is_verified", UNSET)

        username = d.pop("username", UNSET)

        follower_count = d.pop("follower_count", UNSET)

        following_count = d.pop("following_count", UNSET)

        likes_count = d.pop("likes_count", UNSET)

        video_count = d.pop("video_count", UNSET)

        user = cls(
            open_id=open_id,
            union_id=union_id,
            avatar_url=avatar_url,
            avatar_url_100=avatar_url_100,
            avatar_large_url=avatar_large_url,
            display_name=display_name,
            bio_description=bio_description,
            profile_deep_link=profile_deep_link,
            is_verified=is_verified,
            username=username,
            follower_count=follower_count,
            following_count=following_count,
            likes_count=likes_count,
            video_count=video_count,
        )

        user.additional_properties = d
        return user

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
