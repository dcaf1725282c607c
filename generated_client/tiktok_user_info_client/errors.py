"""The errors the client raises for a response; `ClientError` is the base of them all."""

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import httpx

from .models.error import Error
from .models.error_code import ErrorCode
from .models.o_auth_error import OAuthError
from .types import Response

LOG_ID_HEADER = "x-tt-logid"
"""The response header that carries TikTok's log id, as the spec documents it."""

MAX_SHOWN = 500
"""How much of a response body an error message shows."""


def log_id_of(headers: Mapping[str, str], content: bytes) -> str | None:
    """The log id of a response: from TikTok's error in the body, else from `LOG_ID_HEADER`."""
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if isinstance(body, dict):  # the envelope's error.log_id, or OAuth's log_id
        error = body.get("error")
        found = error.get("log_id") if isinstance(error, dict) else body.get("log_id")
        if isinstance(found, str) and found:
            return found
    header: str | None = httpx.Headers(headers).get(LOG_ID_HEADER)
    return header


class ClientError(Exception):
    """A response the client does not hand back as a model: catch it to handle them all.

    `status_code`, `content` (the raw body), `headers` and `log_id` (TikTok's id of the
    request, for its support; None when the response carries none) describe the response.
    Transport problems (timeouts, refused or dropped connections) are httpx's own errors,
    all subclasses of httpx.HTTPError.
    """

    def __init__(
        self,
        message: str,
        status_code: int,
        content: bytes,
        headers: Mapping[str, str] | None = None,
        log_id: str | None = None,
    ):
        self.status_code = status_code
        self.content = content
        self.headers = httpx.Headers(headers)
        self.log_id = log_id if log_id is not None else log_id_of(self.headers, content)
        super().__init__(message)


class _RawBodyError(ClientError):
    """A ClientError whose message ends with the start of the response body."""

    def __init__(self, message: str, status_code: int, content: bytes, headers: Mapping[str, str] | None):
        log_id = log_id_of(httpx.Headers(headers), content)
        shown = content[:MAX_SHOWN].decode(errors="replace")
        more = f"... ({len(content)} bytes)" if len(content) > MAX_SHOWN else ""
        logged = f" (log_id {log_id})" if log_id else ""
        super().__init__(
            f"{message}{logged}\n\nResponse content:\n{shown}{more}", status_code, content, headers, log_id
        )


class UnexpectedStatus(_RawBodyError):
    """Raised by api functions when the response has a status the spec does not document and
    Client.raise_on_unexpected_status is True (the default)."""

    def __init__(self, status_code: int, content: bytes, headers: Mapping[str, str] | None = None):
        super().__init__(f"Unexpected status code: {status_code}", status_code, content, headers)


class UnexpectedContent(_RawBodyError):
    """Raised by api functions when a documented status comes with a body the spec does not describe:
    not JSON (an HTML error page from a proxy, a truncated body) or JSON of another shape."""

    def __init__(self, status_code: int, content: bytes, headers: Mapping[str, str] | None = None):
        super().__init__(f"Unexpected content with status code {status_code}", status_code, content, headers)


class TikTokError(ClientError):
    """An error TikTok reports in the body, with its `code` and `message`, raised by `sync()`
    and `asyncio()` when the client's `raise_on_error` is True (the default).

    Each code the spec documents has its subclass (`errors.RateLimitExceeded`, ...); a code
    it does not document raises this class itself. The OAuth endpoints' errors are the
    `TikTokOAuthError` family. A `note` ends the message (error_of's, say).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status_code: int,
        log_id: str | None = None,
        content: bytes = b"",
        headers: Mapping[str, str] | None = None,
        note: str = "",
    ):
        self.code = code
        self.message = message
        log_id = log_id or log_id_of(httpx.Headers(headers), content)
        logged = f", log_id {log_id}" if log_id else ""
        noted = f"; {note}" if note else ""
        super().__init__(
            f"{code}: {message} (HTTP {status_code}{logged}){noted}", status_code, content, headers, log_id
        )


class TikTokOAuthError(TikTokError):
    """An error of the OAuth endpoints, in OAuth's shape (`error`, `error_description`,
    `log_id`): `code` is the `error`, `message` the `error_description`."""


class AccessTokenInvalid(TikTokError):
    """`access_token_invalid`: an error code the spec documents for the `data` + `error` envelope."""


class ScopeNotAuthorized(TikTokError):
    """`scope_not_authorized`: an error code the spec documents for the `data` + `error` envelope."""


class ScopePermissionMissed(TikTokError):
    """`scope_permission_missed`: an error code the spec documents for the `data` + `error` envelope."""


class InvalidParams(TikTokError):
    """`invalid_params`: an error code the spec documents for the `data` + `error` envelope."""


class RateLimitExceeded(TikTokError):
    """`rate_limit_exceeded`: an error code the spec documents for the `data` + `error` envelope."""


class InternalError(TikTokError):
    """`internal_error`: an error code the spec documents for the `data` + `error` envelope."""


class AccessDenied(TikTokOAuthError):
    """`access_denied`: an OAuth error code the spec documents for the OAuth endpoints."""


class InvalidClient(TikTokOAuthError):
    """`invalid_client`: an OAuth error code the spec documents for the OAuth endpoints."""


class InvalidGrant(TikTokOAuthError):
    """`invalid_grant`: an OAuth error code the spec documents for the OAuth endpoints."""


class InvalidRequest(TikTokOAuthError):
    """`invalid_request`: an OAuth error code the spec documents for the OAuth endpoints."""


class InvalidScope(TikTokOAuthError):
    """`invalid_scope`: an OAuth error code the spec documents for the OAuth endpoints."""


class UnauthorizedClient(TikTokOAuthError):
    """`unauthorized_client`: an OAuth error code the spec documents for the OAuth endpoints."""


class UnsupportedGrantType(TikTokOAuthError):
    """`unsupported_grant_type`: an OAuth error code the spec documents for the OAuth endpoints."""


class UnsupportedResponseType(TikTokOAuthError):
    """`unsupported_response_type`: an OAuth error code the spec documents for the OAuth endpoints."""


class ServerError(TikTokOAuthError):
    """`server_error`: an OAuth error code the spec documents for the OAuth endpoints."""


class TemporarilyUnavailable(TikTokOAuthError):
    """`temporarily_unavailable`: an OAuth error code the spec documents for the OAuth endpoints."""


class LoginError(Exception):
    """The redirect back from TikTok's authorize page brings no usable code.

    `code` is the redirect's `error` (`access_denied` when the user declines), or
    `state_mismatch` when its `state` is not the one the app sent (a forged or stale
    redirect), or `missing_code`; `message` says more.
    """

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


API_ERRORS: Mapping[str, type[TikTokError]] = MappingProxyType(
    {
        "access_token_invalid": AccessTokenInvalid,
        "scope_not_authorized": ScopeNotAuthorized,
        "scope_permission_missed": ScopePermissionMissed,
        "invalid_params": InvalidParams,
        "rate_limit_exceeded": RateLimitExceeded,
        "internal_error": InternalError,
    }
)
"""The class of each error code the spec documents for the `data` + `error` envelope."""


OAUTH_ERRORS: Mapping[str, type[TikTokOAuthError]] = MappingProxyType(
    {
        "access_denied": AccessDenied,
        "invalid_client": InvalidClient,
        "invalid_grant": InvalidGrant,
        "invalid_request": InvalidRequest,
        "invalid_scope": InvalidScope,
        "unauthorized_client": UnauthorizedClient,
        "unsupported_grant_type": UnsupportedGrantType,
        "unsupported_response_type": UnsupportedResponseType,
        "server_error": ServerError,
        "temporarily_unavailable": TemporarilyUnavailable,
    }
)
"""The class of each OAuth error code the spec documents for the OAuth endpoints."""


def _reported(
    error: object, status_code: int, content: bytes, headers: Mapping[str, str], note: str = ""
) -> TikTokError | None:
    """The `TikTokError` that `error` (an `Error` or an `OAuthError`) reports, if it reports one."""
    classes: Mapping[str, type[TikTokError]]
    base: type[TikTokError]
    if isinstance(error, OAuthError):
        classes, base = OAUTH_ERRORS, TikTokOAuthError
        code, message, log_id = error.error, error.error_description, error.log_id
    elif isinstance(error, Error) and error.code != ErrorCode.OK:
        classes, base = API_ERRORS, TikTokError
        code, message, log_id = error.code, error.message, error.log_id
    else:
        return None
    return classes.get(str(code), base)(
        str(code), message, status_code=status_code, log_id=log_id, content=content, headers=headers, note=note
    )


def raise_for_error(response: Response[Any]) -> None:
    """Raise the `TikTokError` that `response` carries in its body, if it carries one."""
    parsed = response.parsed
    error = parsed if isinstance(parsed, OAuthError) else getattr(parsed, "error", None)
    if (reported := _reported(error, response.status_code, response.content, response.headers)) is not None:
        raise reported


def error_of(response: httpx.Response, note: str) -> ClientError:
    """The error of `response`, before any operation parses it, its message ending with `note`:
    the `TikTokError` class of the envelope's error, as raise_for_error() picks it, else
    `ClientError`."""
    try:
        error = Error.from_dict(json.loads(response.content)["error"])
    except (ValueError, KeyError, TypeError, AttributeError):
        error = None
    content, headers = response.content, response.headers
    if (reported := _reported(error, response.status_code, content, headers, note)) is not None:
        return reported
    log_id = log_id_of(headers, content)
    logged = f", log_id {log_id}" if log_id else ""
    return ClientError(f"HTTP {response.status_code}{logged}; {note}", response.status_code, content, headers, log_id)


__all__ = [
    "API_ERRORS",
    "LOG_ID_HEADER",
    "OAUTH_ERRORS",
    "ClientError",
    "LoginError",
    "TikTokError",
    "TikTokOAuthError",
    "UnexpectedContent",
    "UnexpectedStatus",
    "AccessTokenInvalid",
    "ScopeNotAuthorized",
    "ScopePermissionMissed",
    "InvalidParams",
    "RateLimitExceeded",
    "InternalError",
    "AccessDenied",
    "InvalidClient",
    "InvalidGrant",
    "InvalidRequest",
    "InvalidScope",
    "UnauthorizedClient",
    "UnsupportedGrantType",
    "UnsupportedResponseType",
    "ServerError",
    "TemporarilyUnavailable",
    "error_of",
    "log_id_of",
    "raise_for_error",
]
