"""A client library for accessing TikTok User Info API"""

from .client import AuthenticatedClient, Client
from .login import Authorization, authorize_url, code_from_redirect, exchange_code
from .retries import Retries
from .scopes import FIELD_SCOPES, scopes_for
from .tokens import TokenManager, Tokens

__all__ = (
    "AuthenticatedClient",
    "Client",
    "Authorization",
    "authorize_url",
    "code_from_redirect",
    "exchange_code",
    "Retries",
    "FIELD_SCOPES",
    "scopes_for",
    "TokenManager",
    "Tokens",
)
