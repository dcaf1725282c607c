from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TokenResponse")


@_attrs_define
class TokenResponse:
    """An access token, its refresh token and what they grant."""

    access_token: str
    """ The access token (`act.` prefix), for `Authorization: Bearer`. """
    expires_in: int
    """ Seconds until the access token expires. """
    open_id: str
    """ The user's `open_id` in this app. """
    refresh_expires_in: int
    """ Seconds until the refresh token expires. """
    refresh_token: str
    """ The refresh token (`rft.` prefix); it stops working once used. """
    scope: str
    """ The scopes the user granted, comma-separated. """
    token_type: str
    """ Always `Bearer`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        expires_in = self.expires_in

        open_id = self.open_id

        refresh_expires_in = self.refresh_expires_in

        refresh_token = self.refresh_token

        scope = self.scope

        token_type = self.token_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "expires_in": expires_in,
                "open_id": open_id,
                "refresh_expires_in": refresh_expires_in,
                "refresh_token": refresh_token,
                "scope": scope,
                "token_type": token_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        expires_in = d.pop("expires_in")

        open_id = d.pop("open_id")

        refresh_expires_in = d.pop("refresh_expires_in")

        refresh_token = d.pop("refresh_token")

        scope = d.pop("scope")

        token_type = d.pop("token_type")

        token_response = cls(
            access_token=access_token,
            expires_in=expires_in,
            open_id=open_id,
            refresh_expires_in=refresh_expires_in,
            refresh_token=refresh_token,
            scope=scope,
            token_type=token_type,
        )

        token_response.additional_properties = d
        return token_response

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
