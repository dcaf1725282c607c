"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_code import ErrorCode
from .grant_type import GrantType
from .o_auth_error import OAuthError
from .o_auth_error_code import OAuthErrorCode
from .revoke_request import RevokeRequest
from .revoke_response import RevokeResponse
from .token_request import TokenRequest
from .token_response import TokenResponse
from .user import User
from .user_field import UserField
from .user_info_data import UserInfoData
from .user_info_response import UserInfoResponse

__all__ = (
    "Error",
    "ErrorCode",
    "GrantType",
    "OAuthError",
    "OAuthErrorCode",
    "RevokeRequest",
    "RevokeResponse",
    "TokenRequest",
    "TokenResponse",
    "User",
    "UserField",
    "UserInfoData",
    "UserInfoResponse",
)
