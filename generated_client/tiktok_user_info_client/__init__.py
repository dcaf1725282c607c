"""A client library for accessing TikTok User Info API"""

from .client import AuthenticatedClient, Client
from .models.user import FIELD_SCOPES, scopes_for

__all__ = (
    "AuthenticatedClient",
    "Client",
    "FIELD_SCOPES",
    "scopes_for",
)
