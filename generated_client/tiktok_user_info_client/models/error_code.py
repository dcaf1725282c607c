from enum import StrEnum


class ErrorCode(StrEnum):
    ACCESS_TOKEN_INVALID = "access_token_invalid"
    INTERNAL_ERROR = "internal_error"
    INVALID_PARAMS = "invalid_params"
    OK = "ok"
    RATE_LIMIT_EXCEEDED = "rate_limit_exceeded"
    SCOPE_NOT_AUTHORIZED = "scope_not_authorized"
    SCOPE_PERMISSION_MISSED = "scope_permission_missed"

    def __str__(self) -> str:
        return str(self.value)
