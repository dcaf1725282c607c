"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_code import ErrorCode
from .user import User
from .user_field import UserField
from .user_info_data import UserInfoData
from .user_info_response import UserInfoResponse

__all__ = (
    "Error",
    "ErrorCode",
    "User",
    "UserField",
    "UserInfoData",
    "UserInfoResponse",
)
