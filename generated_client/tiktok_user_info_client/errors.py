"""Contains shared errors types that can be raised from API functions"""

MAX_SHOWN = 500
"""How much of a response body an error message shows."""


class ClientError(Exception):
    """Any response this client cannot turn into a model: catch it to handle them all.

    Transport problems (timeouts, refused connections) are httpx's own errors, all
    subclasses of httpx.HTTPError.
    """

    def __init__(self, message: str, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content
        shown = content[:MAX_SHOWN].decode(errors="replace")
        more = f"... ({len(content)} bytes)" if len(content) > MAX_SHOWN else ""
        super().__init__(f"{message}\n\nResponse content:\n{shown}{more}")


class UnexpectedStatus(ClientError):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        super().__init__(f"Unexpected status code: {status_code}", status_code, content)


class UnexpectedContent(ClientError):
    """Raised by api functions when a documented status comes with a body the spec does not describe:
    not JSON (an HTML error page from a proxy, a truncated body) or JSON of another shape."""

    def __init__(self, status_code: int, content: bytes):
        super().__init__(f"Unexpected content with status code {status_code}", status_code, content)


__all__ = ["ClientError", "UnexpectedContent", "UnexpectedStatus"]
