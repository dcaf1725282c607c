"""The first stage of a request: the path and the method, to an operation of the spec (or the
consent page's stand-in), or the mock's own 404 or 405."""

from __future__ import annotations

from dataclasses import dataclass

from .answers import Answer
from .asgi import Scope
from .contract import Contract, ErrorReply, Operation
from .scenarios import AUTHORIZE

__all__ = ["Route", "Routes"]
NOT_FOUND = ErrorReply(404, "not_found", "The requested path does not exist.")
METHOD_NOT_ALLOWED = ErrorReply(
    405, "method_not_allowed", "The method is not allowed for this path."
)
OAUTH_METHOD_NOT_ALLOWED = ErrorReply(
    405, "invalid_request", METHOD_NOT_ALLOWED.message, oauth=True
)
"""The same, in OAuth's shape, for the OAuth endpoints (OAuth has no code of its own for it)."""


@dataclass(frozen=True)
class Route:
    """A path the mock serves: its method, its operation in the spec (None for the consent
    page), and the name scenarios match."""

    method: str
    operation: Operation | None
    name: str

    @property
    def oauth(self) -> bool:
        return self.operation is None or self.operation.method == "POST"


class Routes:
    """Every path of the spec's operations, and the consent page's."""

    def __init__(self, contract: Contract) -> None:
        self._routes = {
            op.path: Route(op.method, op, name) for name, op in contract.operations.items()
        }
        # The stand-in for TikTok's consent page, which lives on www.tiktok.com.
        self._routes[contract.authorize_path] = Route("GET", None, AUTHORIZE)

    def route(self, scope: Scope, log_id: str) -> Route | Answer:
        """The route of the request, or the answer that refuses it."""
        route = self._routes.get(scope["path"])
        if route is None:
            return Answer.error(NOT_FOUND, log_id)
        if scope["method"] != route.method:
            refusal = OAUTH_METHOD_NOT_ALLOWED if route.oauth else METHOD_NOT_ALLOWED
            return Answer.error(refusal, log_id, ((b"allow", route.method.encode()),))
        return route
