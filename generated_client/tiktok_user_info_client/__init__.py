"""A client library for accessing TikTok User Info API"""

from .client import AuthenticatedClient, Client
from .login import Authorization, authorize_url, code_from_redirect, exchange_code
from .models.user import FIELD_SCOPES, scopes_for
from .retries import Retries
from .tokens import TokenManager, Tokens

__all__ = (
    "AuthenticatedClient",
    "Authorization",
    "Client",
    "Retries",
    "TokenManager",
    "Tokens",
    "authorize_url",
    "code_from_redirect",
    "exchange_code",
    "FIELD_SCOPES",
    "scopes_for",
)
