from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.grant_type import GrantType
from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenRequest")


@_attrs_define
class TokenRequest:
    """`client_key`, `client_secret` and `grant_type` always; `code` and
    `redirect_uri` (and `code_verifier` with PKCE) for `authorization_code`;
    `refresh_token` for `refresh_token`. A parameter given empty is
    refused with `invalid_request`, as if it were malformed. TikTok
    publishes no length limits; this document chooses 2048 characters for
    each string, which is more than its tokens, codes and redirect URIs
    need.

    """

    client_key: str
    """ The app's client key. """
    client_secret: str
    """ The app's client secret. """
    grant_type: GrantType
    """ How the token request proves the user's consent. """
    code: str | Unset = UNSET
    """ The authorization code from the authorize redirect. """
    redirect_uri: str | Unset = UNSET
    """ The redirect URI of the authorization request, exactly. """
    code_verifier: str | Unset = UNSET
    """ The PKCE code verifier, for mobile and desktop apps: 43 to 128
    unreserved characters (RFC 7636).
     """
    refresh_token: str | Unset = UNSET
    """ The refresh token of an earlier token response. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_key = self.client_key

        client_secret = self.client_secret

        grant_type = self.grant_type.value

        code = self.code

        redirect_uri = self.redirect_uri

        code_verifier = self.code_verifier

        refresh_token = self.refresh_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_key": client_key,
                "client_secret": client_secret,
                "grant_type": grant_type,
            }
        )
        if code is not UNSET:
            field_dict["code"] = code
        if redirect_uri is not UNSET:
            field_dict["redirect_uri"] = redirect_uri
        if code_verifier is not UNSET:
            field_dict["code_verifier"] = code_verifier
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_key = d.pop("client_key")

        client_secret = d.pop("client_secret")

        grant_type = GrantType(d.pop("grant_type"))

        code = d.pop("code", UNSET)

        redirect_uri = d.pop("redirect_uri", UNSET)

        code_verifier = d.pop("code_verifier", UNSET)

        refresh_token = d.pop("refresh_token", UNSET)

        token_request = cls(
            client_key=client_key,
            client_secret=client_secret,
            grant_type=grant_type,
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
            refresh_token=refresh_token,
        )

        token_request.additional_properties = d
        return token_request

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
