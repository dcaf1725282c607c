from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.o_auth_error_code import OAuthErrorCode

T = TypeVar("T", bound="OAuthError")


@_attrs_define
class OAuthError:
    """An error of the OAuth endpoints, in OAuth's shape."""

    error: OAuthErrorCode | str
    """ An OAuth error code. TikTok may add codes at any time, so any string
    is accepted; the documented ones are listed.
     """
    error_description: str
    """ A human-readable description. """
    log_id: str
    """ The request's identifier for TikTok support: a 14-digit UTC timestamp
    (`YYYYMMDDhhmmss`) followed by 20 uppercase hexadecimal characters.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error: str
        if isinstance(self.error, OAuthErrorCode):
            error = self.error.value
        else:
            error = self.error

        error_description = self.error_description

        log_id = self.log_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "error_description": error_description,
                "log_id": log_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_error(data: object) -> OAuthErrorCode | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                error_type_0 = OAuthErrorCode(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(OAuthErrorCode | str, data)

        error = _parse_error(d.pop("error"))

        error_description = d.pop("error_description")

        log_id = d.pop("log_id")

        o_auth_error = cls(
            error=error,
            error_description=error_description,
            log_id=log_id,
        )

        o_auth_error.additional_properties = d
        return o_auth_error

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
